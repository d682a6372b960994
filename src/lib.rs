//! The hydrate entry: the browser half of wxkit, built to WASM by cargo-leptos.
//! Pages are server-rendered; only their islands (interactive parts) hydrate.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Calling into `app` links it in, and with it the islands it exports.
    app::hydrate();
}

/// Room in the WASM's read-only data for wasm-split (see the README's
/// "Benchmarks", size): kept by the linker, used by no code, so it is left
/// out of every split module, and relocating the data of lazy islands into
/// their own modules never needs more room than the input had. Without it,
/// a few bytes of alignment padding can tip wasm-split into keeping all
/// read-only data in the main module.
#[used]
static SPLIT_SLACK: [u8; 512] = [0x5a; 512];
