//! The wxkit Leptos app: the HTML shell, routes, pages and server functions.
//! Server-only logic is reached through [`backend::Backend`].

pub mod backend;
pub mod jssdk;
mod pages;

use jssdk::{EmbeddedConfig, CONFIG_ELEMENT_ID};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    StaticSegment,
};

/// The whole HTML document. Rendered on the server only; its `<head>` carries
/// the signed `wx.config` for the URL of this very request.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let embedded = embedded_config_json();
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                {embedded.map(|json| view! {
                    <script id=CONFIG_ELEMENT_ID type="application/json" inner_html=json></script>
                })}
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The [`EmbeddedConfig`] the server attached to this request, as JSON that is
/// safe inside a `<script>` element.
fn embedded_config_json() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let config = parts.extensions.get::<EmbeddedConfig>()?;
    let json = serde_json::to_string(config).ok()?;
    // `<` never appears raw, so the JSON cannot close the script element.
    Some(json.replace('<', "\\u003c"))
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/wxkit.css"/>
        <Title text="wxkit"/>
        <Router>
            <main class="page">
                <Routes fallback=|| view! { <pages::NotFound/> }>
                    <Route path=StaticSegment("") view=pages::Home/>
                </Routes>
            </main>
        </Router>
    }
}
