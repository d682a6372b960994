//! The hydrate entry: the browser half of wxkit, built to WASM by cargo-leptos.
//! Pages are server-rendered; only their islands (interactive parts) hydrate.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Calling into `app` links it in, and with it the islands it exports.
    app::hydrate();
}
