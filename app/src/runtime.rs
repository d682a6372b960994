//! The WeChat runtime of a page (an island): applies the `wx.config` the
//! server embedded, re-signs when WeChat refuses it or when the page changes
//! its URL on the client, reports what still fails, and tells the islands
//! inside it (through context) when the JS-SDK is ready.
//!
//! URL rules (the JS-SDK documentation, "附录5-常见错误及解决方法", invalid
//! signature): Android verifies `location.href.split('#')[0]`
//! at the moment `wx.config` runs; iOS keeps verifying the URL the page was
//! entered with, so on iOS the landing URL is what gets signed.

use crate::error::ApiError;
use crate::wx::ConfigErrMsg;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Where the JS-SDK stands on this page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WxState {
    /// Not hydrated yet, or `wx.config` is being verified.
    Pending,
    /// `wx.ready` fired: APIs may be called.
    Ready,
    /// Not inside WeChat (and no simulator): the page works, WeChat features do not.
    OutsideWeChat,
    /// The config failed; the text says what happened and what to do.
    Failed(String),
}

/// The inline script that follows the JS-SDK's in every page's `<head>`: it
/// calls `wx.config` with the embedded config as soon as the SDK has run, and
/// leaves the outcome in `window.__wxkit.first` for [`WxRuntime`] to adopt.
pub const BOOT_SCRIPT: &str = include_str!("boot.js");

/// The name of the DOM event a page dispatches on `window` after it changed
/// its URL with `history.pushState`/`replaceState`, so the runtime re-signs.
pub const NAVIGATE_EVENT: &str = "wxkit:navigate";

/// The runtime's texts: what it says outside WeChat and when WeChat refused
/// the page, with the meaning of each `wx.config` errMsg (the JS-SDK
/// documentation, "附录5-常见错误及解决方法").
pub mod t {
    crate::island_texts! {
        OUTSIDE: "请在微信中打开此页面，即可分享、添加照片或使用卡券。", "Open this page in WeChat to share it, add photos or use cards.";
        UNAVAILABLE: "微信功能暂不可用：{why}", "WeChat features are unavailable: {why}";
        NO_SDK: "无法加载微信 JS-SDK", "the WeChat JS-SDK could not be loaded";
        EXPLAINED: "{err}（{why}）", "{err}: {why}";
        URL_DOMAIN: "此页面的域名不在公众号设置的 JS 接口安全域名中", "this page's domain is not one of the account's JS interface safe domains";
        SIGNATURE: "签名所用的 URL 与微信校验的 URL 不一致", "the signature was computed for another URL than the one WeChat checked";
        PERMISSION: "该接口不在页面的 jsApiList 中，或配置尚未通过验证", "the API is not in the page's jsApiList, or the config has not been verified yet";
        NO_FUNCTION: "当前微信版本没有这个接口", "this WeChat version does not have the API";
        FAILED: "wx.config 缺少参数", "a parameter of wx.config is missing";
        REFUSED: "微信拒绝了这个配置", "WeChat refused the configuration";
    }
}

/// Plain words for a config error, in the page's language.
pub fn explain(texts: &t::Texts, err_msg: &str) -> String {
    let why = match ConfigErrMsg::of(err_msg) {
        ConfigErrMsg::UrlDomain => t::URL_DOMAIN,
        ConfigErrMsg::Signature => t::SIGNATURE,
        ConfigErrMsg::Permission => t::PERMISSION,
        ConfigErrMsg::NoFunction => t::NO_FUNCTION,
        ConfigErrMsg::Failed => t::FAILED,
        ConfigErrMsg::Refused => t::REFUSED,
    };
    texts.fill(t::EXPLAINED, &[("err", err_msg), ("why", texts.get(why))])
}

/// Plain words for an embedded-config error.
pub fn explain_api_error(e: &ApiError) -> String {
    match e {
        ApiError::BadRequest { message } => format!("config:invalid url domain ({message})"),
        other => other.to_string(),
    }
}

#[island]
pub fn WxRuntime(
    /// Simulate mode: the simulated client stands in for WeChat in any browser.
    simulate: bool,
    /// The JS-SDK APIs the page asks for when it signs again.
    apis: Vec<String>,
    /// What it says, in the page's language.
    texts: t::Texts,
    children: Children,
) -> impl IntoView {
    let state = use_wx_state();
    let (outside, unavailable) = (
        texts.get(t::OUTSIDE).to_string(),
        texts.get(t::UNAVAILABLE).to_string(),
    );
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| browser::start(state, simulate, apis.join(","), texts.clone()));
    #[cfg(not(feature = "hydrate"))]
    let _ = (simulate, apis, texts);
    view! {
        <div class="wx-runtime" data-testid="wx-state" data-state=move || match state.get() {
            WxState::Pending => "pending",
            WxState::Ready => "ready",
            WxState::OutsideWeChat => "outside",
            WxState::Failed(_) => "failed",
        }>
            {move || match state.get() {
                WxState::OutsideWeChat => Some(view! {
                    <p class="notice" data-testid="wx-notice">{outside.clone()}</p>
                }.into_any()),
                WxState::Failed(why) => Some(view! {
                    <p class="notice error" data-testid="wx-notice">
                        {crate::i18n::fill(&unavailable, &[("why", &why)])}
                    </p>
                }.into_any()),
                _ => None,
            }}
            {children()}
        </div>
    }
}

/// The page's JS-SDK state, set by [`WxRuntime`]. A page has one runtime, so
/// the state is page-global rather than context: lazy islands load their code
/// on demand and hydrate outside the runtime island's context.
pub fn use_wx_state() -> RwSignal<WxState> {
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static STATE: ArcRwSignal<WxState> = ArcRwSignal::new(WxState::Pending);
        }
        STATE.with(|s| RwSignal::from(s.clone()))
    }
    // On the server every render starts pending; nothing changes it there.
    #[cfg(not(feature = "hydrate"))]
    RwSignal::new(WxState::Pending)
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use crate::jssdk::{jssdk_config, EmbeddedConfig, WxConfig};
    use crate::share::report_config_failure;
    use crate::wx;
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    const SDK_FALLBACK: &str = "https://res2.wx.qq.com/open/js/jweixin-1.6.0.js";

    thread_local! {
        static LANDING_URL: RefCell<Option<String>> = const { RefCell::new(None) };
        /// The page's jsApiList, comma-separated (empty: every API).
        static APIS: RefCell<String> = const { RefCell::new(String::new()) };
        /// The runtime's texts, in the page's language.
        static TEXTS: RefCell<t::Texts> = RefCell::default();
    }

    /// [`explain`] in the page's language.
    fn explained(err_msg: &str) -> String {
        TEXTS.with(|texts| explain(&texts.borrow(), err_msg))
    }

    fn window() -> web_sys::Window {
        web_sys::window().expect("a browser window")
    }

    fn current_url() -> String {
        let href = window().location().href().unwrap_or_default();
        href.split('#').next().unwrap_or_default().to_string()
    }

    fn user_agent() -> String {
        window().navigator().user_agent().unwrap_or_default()
    }

    fn is_ios() -> bool {
        let ua = user_agent();
        ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod")
    }

    fn in_wechat() -> bool {
        let ua = user_agent();
        ua.contains("MicroMessenger") || ua.contains("wxwork")
    }

    /// The URL WeChat will verify now: the current one, or on iOS the landing one.
    fn url_to_sign() -> String {
        let landing = LANDING_URL.with(|l| l.borrow_mut().get_or_insert_with(current_url).clone());
        if is_ios() {
            landing
        } else {
            current_url()
        }
    }

    async fn load_script(src: &str) -> bool {
        let Some(doc) = window().document() else {
            return false;
        };
        let Ok(el) = doc.create_element("script") else {
            return false;
        };
        let script: web_sys::HtmlScriptElement = el.unchecked_into();
        script.set_src(src);
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let ok = resolve.clone();
            let on_load = Closure::once_into_js(move || {
                let _ = ok.call1(&JsValue::NULL, &JsValue::TRUE);
            });
            let on_error = Closure::once_into_js(move || {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::FALSE);
            });
            script.set_onload(Some(on_load.unchecked_ref()));
            script.set_onerror(Some(on_error.unchecked_ref()));
        });
        if let Some(head) = doc.head() {
            let _ = head.append_child(&script);
        }
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map(|v| v.is_truthy())
            .unwrap_or(false)
    }

    pub fn start(state: RwSignal<WxState>, simulate: bool, apis: String, texts: t::Texts) {
        APIS.with(|a| *a.borrow_mut() = apis);
        TEXTS.with(|slot| *slot.borrow_mut() = texts);
        LANDING_URL.with(|l| {
            l.borrow_mut().get_or_insert_with(current_url);
        });
        leptos::task::spawn_local(async move {
            if !simulate && !in_wechat() {
                state.set(WxState::OutsideWeChat);
                return;
            }
            if wx::sdk().is_none() && !load_script(SDK_FALLBACK).await {
                let why = TEXTS.with(|texts| texts.borrow().get(t::NO_SDK).to_string());
                state.set(WxState::Failed(why));
                return;
            }
            match crate::pages::read_embedded_config() {
                Some(EmbeddedConfig::Ready(config)) => apply(state, config, true).await,
                Some(EmbeddedConfig::Failed { error }) => {
                    state.set(WxState::Failed(explain_api_error(&error)))
                }
                None => resign_and_apply(state).await,
            }
        });
        // A URL changed on the client: sign the new situation again.
        let on_navigate = Closure::<dyn FnMut()>::new(move || {
            leptos::task::spawn_local(resign_and_apply(state));
        });
        let _ = window()
            .add_event_listener_with_callback(NAVIGATE_EVENT, on_navigate.as_ref().unchecked_ref());
        let _ = window()
            .add_event_listener_with_callback("popstate", on_navigate.as_ref().unchecked_ref());
        on_navigate.forget();
    }

    async fn sign(url: &str) -> Result<WxConfig, String> {
        let apis = APIS.with(|a| a.borrow().clone());
        jssdk_config(url.to_string(), (!apis.is_empty()).then_some(apis))
            .await
            .map_err(|e| e.to_string())
    }

    async fn resign_and_apply(state: RwSignal<WxState>) {
        state.set(WxState::Pending);
        match sign(&url_to_sign()).await {
            Ok(config) => apply(state, config, false).await,
            Err(e) => state.set(WxState::Failed(e)),
        }
    }

    /// Ready once `wx.config` (and, for WeCom agent APIs, `wx.agentConfig`) is ok.
    async fn ready(state: RwSignal<WxState>, config: &WxConfig) {
        if let Some(agent) = &config.agent {
            if let Err(e) = wx::agent_config(agent).await {
                return state.set(WxState::Failed(explained(&e.to_string())));
            }
        }
        state.set(WxState::Ready)
    }

    /// The outcome of the `wx.config` the head's boot script ran with the
    /// embedded config (`None` when it did not run); taken once.
    async fn boot_outcome() -> Option<Result<(), String>> {
        let boot = js_sys::Reflect::get(&js_sys::global(), &"__wxkit".into()).ok()?;
        let first = js_sys::Reflect::get(&boot, &"first".into()).ok()?;
        let promise = first.dyn_into::<js_sys::Promise>().ok()?;
        let _ = js_sys::Reflect::delete_property(
            boot.unchecked_ref::<js_sys::Object>(),
            &"first".into(),
        );
        let Ok(res) = wasm_bindgen_futures::JsFuture::from(promise).await else {
            return Some(Err("config:fail".into()));
        };
        let err_msg = js_sys::Reflect::get(&res, &"errMsg".into())
            .ok()
            .and_then(|m| m.as_string());
        Some(match err_msg {
            None => Ok(()),
            Some(msg) => Err(msg),
        })
    }

    /// `wx.config` (the boot script's, for the embedded config); on `invalid
    /// signature` re-sign once; a second failure is reported.
    async fn apply(state: RwSignal<WxState>, config: WxConfig, embedded: bool) {
        state.set(WxState::Pending);
        let booted = if embedded { boot_outcome().await } else { None };
        let first = match booted {
            Some(outcome) => outcome,
            None => wx::config(&config, false).await.map_err(|e| e.to_string()),
        };
        let err = match first {
            Ok(()) => return ready(state, &config).await,
            Err(e) => e,
        };
        if ConfigErrMsg::of(&err) != ConfigErrMsg::Signature {
            return state.set(WxState::Failed(explained(&err)));
        }
        let signed_url = url_to_sign();
        let second = match sign(&signed_url).await {
            Ok(config) => wx::config(&config, false)
                .await
                .map(|()| config)
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match second {
            Ok(config) => ready(state, &config).await,
            Err(err) => {
                let _ = report_config_failure(current_url(), signed_url, user_agent(), err.clone())
                    .await;
                state.set(WxState::Failed(explained(&err)));
            }
        }
    }
}

/// The tab a page shows when its URL asks for `asked` (`?tab=…`): that tab
/// if it is one of `ids`, else the first (an index into `ids`). The server
/// renders it and the tabs island follows it on Back and Forward.
pub fn chosen_tab<'a>(ids: impl IntoIterator<Item = &'a str>, asked: Option<&str>) -> usize {
    ids.into_iter()
        .position(|id| Some(id) == asked)
        .unwrap_or(0)
}

/// Switches sections of a page. Each tab is a button that submits the GET
/// form the page puts around the island (`?tab=…`), so a tap works before
/// the island has loaded: the browser opens the page at that URL and the
/// server renders that tab. Once loaded, the island switches on the client
/// instead: the URL changes with `history.pushState` and the runtime is told
/// to sign again. (Buttons, not links: an `<a>` in an island puts 7 KB more
/// into every page's main module.)
/// Lazy: only the page itself has tabs, so its sub-pages never load this.
#[island(lazy)]
pub fn SectionTabs(
    /// (tab id, label); the first one is the default.
    tabs: Vec<(String, String)>,
    /// The tab the page was opened on (from its URL).
    current: String,
) -> impl IntoView {
    let current = RwSignal::new(current);
    // Set once the island runs in the browser: tests wait for it.
    let enhanced = RwSignal::new(false);
    Effect::new(move |_| enhanced.set(true));
    // Back and forward: the tab the URL names (a known one), else the first.
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let ids: Vec<String> = tabs.iter().map(|(id, _)| id.clone()).collect();
        let on_popstate = Closure::<dyn FnMut()>::new(move || {
            let search = web_sys::window()
                .and_then(|w| w.location().search().ok())
                .unwrap_or_default();
            let asked = search
                .trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix("tab="));
            if let Some(tab) = ids.get(chosen_tab(ids.iter().map(String::as_str), asked)) {
                current.set(tab.clone());
            }
        });
        if let Some(w) = web_sys::window() {
            let _ = w
                .add_event_listener_with_callback("popstate", on_popstate.as_ref().unchecked_ref());
        }
        on_popstate.forget();
    }
    let select = move |tab: String| {
        // The tab already shown: nothing to change, nothing to sign again.
        if current.get_untracked() == tab {
            return;
        }
        current.set(tab.clone());
        #[cfg(feature = "hydrate")]
        {
            let Some(w) = web_sys::window() else { return };
            let path = w.location().pathname().unwrap_or_default();
            let url = format!("{path}?tab={tab}");
            if let Ok(history) = w.history() {
                let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
            }
            if let Ok(event) = web_sys::Event::new(NAVIGATE_EVENT) {
                let _ = w.dispatch_event(&event);
            }
        }
    };
    view! {
        <nav class="tabs" data-testid="tabs" data-tab=move || current.get()
            data-enhanced=move || enhanced.get().then_some("true")>
            {tabs
                .into_iter()
                .map(|(id, label)| {
                    let active = {
                        let id = id.clone();
                        move || current.get() == id
                    };
                    view! {
                        <button class="tab" class:active=active name="tab" value=id.clone()
                            data-testid=format!("tab-{id}")
                            on:click={
                                let id = id.clone();
                                move |ev: leptos::ev::MouseEvent| {
                                    ev.prevent_default();
                                    select(id.clone())
                                }
                            }>
                            {label}
                        </button>
                    }
                })
                .collect::<Vec<_>>()}
        </nav>
    }
}
