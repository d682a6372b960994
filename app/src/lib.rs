//! The wxkit Leptos app: the HTML shell, routes, pages and server functions.
//! Server-only logic is reached through [`backend::Backend`].

#![recursion_limit = "256"]

pub mod admin;
pub mod backend;
pub mod cards;
mod dashboard;
pub mod debugger;
pub mod editor;
pub mod error;
pub mod fragments;
pub mod i18n;
pub mod jssdk;
pub mod media;
mod pages;
pub mod playground;
mod preloads;
pub mod props;
pub mod runtime;
pub mod scope;
pub mod share;
pub mod voice;
pub mod wx;

use jssdk::{EmbeddedConfig, CONFIG_ELEMENT_ID};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};
use serde::{Deserialize, Serialize};

/// Facts about this site the server tells the pages it renders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteInfo {
    /// The simulator stands in for WeChat.
    pub simulate: bool,
    /// The JS-SDK script: WeChat's, or the simulated client's.
    pub sdk_url: String,
}

impl Default for SiteInfo {
    fn default() -> Self {
        SiteInfo {
            simulate: false,
            sdk_url: "https://res.wx.qq.com/open/js/jweixin-1.6.0.js".into(),
        }
    }
}

/// The language of this request's page, as the server's middleware chose it
/// (an in-app page's pin, the dashboard admin's choice, else the visitor's);
/// for a request it did not see (the not-found fallback), the visitor's
/// ([`i18n::Lang::of_request`]). Server side.
pub fn lang() -> i18n::Lang {
    if let Some(lang) = request_extension::<i18n::Lang>() {
        return lang;
    }
    with_context::<http::request::Parts, _>(|p| i18n::Lang::of_request(&p.headers))
        .unwrap_or_default()
}

/// The [`SiteInfo`] of this request (server side; the default elsewhere).
pub fn site() -> SiteInfo {
    request_extension::<SiteInfo>().unwrap_or_default()
}

/// A value the server put in this request's extensions (server side; `None`
/// elsewhere). Borrows the request from the context: no copy of its headers
/// and extensions.
pub fn request_extension<T: Clone + Send + Sync + 'static>() -> Option<T> {
    with_context::<http::request::Parts, _>(|p| p.extensions.get::<T>().cloned()).flatten()
}

/// The visitor WeChat identified for this request (pages that require
/// authorization), as the server tells the page it renders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visitor {
    /// The openid (WeCom: the member's userid).
    pub openid: String,
    /// The scope the visitor granted: a [`scope::Scope`] spelling.
    pub scope: String,
    /// Empty until a profile is known (snsapi_userinfo, or a WeCom member).
    pub nickname: String,
    pub avatar_url: String,
}

/// The [`Visitor`] of this request (server side; `None` elsewhere).
pub fn visitor() -> Option<Visitor> {
    request_extension::<Visitor>()
}

/// Hydrates the islands of a server-rendered page (browser only). The islands
/// are exported from this crate, so the hydrate entry must call in here.
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}

/// The whole HTML document. Rendered on the server only; its `<head>` carries
/// the signed `wx.config` for the URL of this very request.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let embedded = embedded_config_json();
    let sdk_url = site().sdk_url;
    let in_app = request_extension::<share::ServedPage>().is_some();
    view! {
        <!DOCTYPE html>
        <html lang=lang().tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                {embedded.map(|json| view! {
                    <script id=CONFIG_ELEMENT_ID type="application/json" inner_html=json></script>
                })}
                // The WASM and the JS-SDK are fetched in parallel from the first
                // bytes (preloads first); `wx.config` runs as soon as the SDK has
                // (runtime::BOOT_SCRIPT), not after the WASM.
                <HydrationScripts options islands=true/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <script src=sdk_url></script>
                // In-app pages only: the pages with a runtime island.
                {in_app.then(|| view! { <script inner_html=runtime::BOOT_SCRIPT></script> })}
                // After the scripts `wx.config` needs, so they are asked for first.
                {in_app.then(preloads::lazy_island_preloads).flatten()}
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
    let json = with_context::<http::request::Parts, _>(|parts| {
        serde_json::to_string(parts.extensions.get::<EmbeddedConfig>()?).ok()
    })??;
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
                    <Route path=path!("") view=pages::Home/>
                    // Async: the page is loaded before the first byte, so an
                    // unknown slug answers 404 and crawlers get the full page.
                    <Route path=path!("/jssdk") view=playground::PlaygroundPage/>
                    <Route path=path!("/p/:slug") view=pages::PageView ssr=SsrMode::Async/>
                    <Route path=path!("/p/:slug/photos") view=pages::PhotosView ssr=SsrMode::Async/>
                    <Route path=path!("/p/:slug/cards") view=pages::CardsView ssr=SsrMode::Async/>
                    <Route path=path!("/p/:slug/voice") view=pages::VoiceView ssr=SsrMode::Async/>
                    // The dashboard: every page checks the admin session (401 and the sign-in form without one).
                    <Route path=path!("/admin/sign-in") view=dashboard::SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=dashboard::Overview ssr=SsrMode::Async/>
                    <Route path=path!("/admin/pages") view=dashboard::PagesList ssr=SsrMode::Async/>
                    <Route path=path!("/admin/pages/:slug") view=dashboard::PageEdit ssr=SsrMode::Async/>
                    <Route path=path!("/admin/cards") view=dashboard::CardsAdmin ssr=SsrMode::Async/>
                    <Route path=path!("/admin/media") view=dashboard::MediaAdmin ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=dashboard::UsersAdmin ssr=SsrMode::Async/>
                    <Route path=path!("/admin/debugger") view=dashboard::Debugger ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=dashboard::AuditLog ssr=SsrMode::Async/>
                    <Route path=path!("/admin/account") view=dashboard::AccountView ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
