//! The preload links of the lazy islands a page renders, read from the
//! build's split manifest (Leptos's `WasmSplitManifest`, which
//! `HydrationScripts` provides): in the head, so an island's WASM is fetched
//! alongside the main module rather than after it.

use leptos::prelude::*;

/// The head's links that fetch, at low priority from the first bytes, the
/// WASM of the lazy islands the in-app page at this request's path renders
/// (the shell asks only for in-app pages): on `/p/{slug}`, the tabs. Leptos hydrates the islands in document order, each
/// after the one before, so without them the islands after the tabs (the
/// runtime, the share island) would wait for the tabs' chunks to be fetched
/// once the main module has run. Low priority: the JS-SDK and the main
/// module come first. Server side; read from the build's split manifest once.
pub fn lazy_island_preloads() -> Option<impl IntoView> {
    let page_with_tabs = with_context::<http::request::Parts, _>(|p| {
        p.uri
            .path()
            .strip_prefix("/p/")
            .is_some_and(|slug| !slug.trim_end_matches('/').contains('/'))
    })?;
    if !page_with_tabs {
        return None;
    }
    static TAB_PRELOADS: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let links = match TAB_PRELOADS.get() {
        Some(links) => links,
        // Provided by `HydrationScripts`, which the shell renders first.
        None => {
            let manifest = use_context::<leptos::WasmSplitManifest>()?;
            TAB_PRELOADS.get_or_init(|| {
                manifest.0.with_value(|(pkg, chunks, split_js)| {
                    preload_links(pkg, chunks, split_js, "section_tabs_loader_")
                })
            })
        }
    };
    links.clone().map(leptos::tachys::html::InertElement::new)
}

/// The preload links of the lazy island whose loader's name starts with
/// `loader` (a hash follows), from the split manifest (`chunks`: each
/// loader's WASM files, under `pkg`; `split_js`: the loader script).
fn preload_links(
    pkg: &str,
    chunks: &std::collections::HashMap<String, Vec<String>>,
    split_js: &str,
    loader: &str,
) -> Option<String> {
    let (_, files) = chunks.iter().find(|(name, _)| name.starts_with(loader))?;
    let mut html =
        format!(r#"<link rel="modulepreload" href="{pkg}/{split_js}" fetchpriority="low">"#);
    for file in files {
        // `crossorigin`: fetched as the loader's `fetch` does, so it is reused.
        html.push_str(&format!(
            r#"<link rel="preload" href="{pkg}/{file}.wasm" as="fetch" type="application/wasm" crossorigin fetchpriority="low">"#
        ));
    }
    Some(html)
}
