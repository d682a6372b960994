//! The admin dashboard's pages (`/admin/…`), server-rendered: sign-in,
//! overview (credential health, share activity, reported config failures),
//! pages and their share content, cards, media, users, the signature debugger,
//! the audit log and the account. Each page loads through admin server
//! functions, so each checks the admin session; without one it answers 401
//! with the sign-in form. Forms post to the server functions (no script
//! needed); only the page editor is an island.
//!
//! This module owns what every page shares: the frame (navigation and
//! sign-out), [`dashboard_page`] (load, then draw or ask to sign in), the
//! error of the last form post, and the date and query formatting. Each page
//! lives in its own file, named after its route.
//!
//! Every text is in the admin's language ([`crate::lang`]: the one the admin
//! chose in the frame's menu, else the browser's): each file declares its
//! texts in a `t` module (`crate::texts!`) and reads them with
//! `t::NAME.get(lang)`; the editor and debugger islands get theirs as props.

mod account;
mod audit;
mod cards;
mod debugger;
mod media;
mod overview;
mod pages;
mod sign_in;
mod users;

pub use account::AccountView;
pub use audit::AuditLog;
pub use cards::CardsAdmin;
pub use debugger::Debugger;
pub use media::MediaAdmin;
pub use overview::Overview;
pub use pages::{PageEdit, PagesList};
pub use sign_in::{SignInForm, SignInPage};
pub use users::UsersAdmin;

use crate::admin::admin_whoami;
use crate::error::ApiError;
use crate::i18n::{Lang, Text};
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;
use std::pin::Pin;

type Load<K, T> = fn(K) -> Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send>>;

/// `s` percent-encoded for a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A Unix time as `YYYY-MM-DD HH:MM UTC` on the server (`—` when unknown).
fn when(at: i64) -> String {
    if at <= 0 {
        return "—".into();
    }
    #[cfg(feature = "ssr")]
    {
        if let Ok(t) = time::OffsetDateTime::from_unix_timestamp(at) {
            let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
            if let Ok(s) = t.format(f) {
                return s;
            }
        }
    }
    at.to_string()
}

/// The frame of every dashboard page: navigation, the language menu,
/// sign-out, then the page.
#[component]
fn Frame(title: Text, who: String, children: Children) -> impl IntoView {
    let lang = crate::lang();
    let title = title.get(lang);
    view! {
        <leptos_meta::Title text=t::TAB_TITLE.fill(lang, &[("page", title)])/>
        <div class="admin">
            <header class="admin-bar">
                <strong>"wxkit"</strong>
                <nav>
                    <a href="/admin">{t::OVERVIEW.get(lang)}</a>
                    <a href="/admin/pages">{t::PAGES.get(lang)}</a>
                    <a href="/admin/cards">{t::CARDS.get(lang)}</a>
                    <a href="/admin/media">{t::MEDIA.get(lang)}</a>
                    <a href="/admin/users">{t::USERS.get(lang)}</a>
                    <a href="/admin/debugger">{t::DEBUGGER.get(lang)}</a>
                    <a href="/admin/audit">{t::AUDIT.get(lang)}</a>
                    <a href="/admin/account">{t::ACCOUNT.get(lang)}</a>
                </nav>
                <LangMenu lang/>
                <form method="post" action="/api/admin/sign_out" class="inline">
                    <span data-testid="admin-who">{who}</span>
                    " "
                    <button class="link-button" data-testid="sign-out">{t::SIGN_OUT.get(lang)}</button>
                </form>
                <form method="post" action="/api/admin/sign_out_everywhere" class="inline">
                    <button class="link-button" data-testid="sign-out-everywhere">{t::SIGN_OUT_EVERYWHERE.get(lang)}</button>
                </form>
            </header>
            <h1>{title}</h1>
            {children()}
        </div>
    }
}

/// The admin's language: the browser's, or one of wxkit's, kept with the
/// admin (a plain form post: no script needed; it comes back to this page).
#[component]
fn LangMenu(lang: Lang) -> impl IntoView {
    let chosen = crate::request_extension::<crate::i18n::ChosenLang>().and_then(|c| c.0);
    view! {
        <form method="post" action="/api/admin/save_lang" class="inline" data-testid="lang-form">
            <select name="lang" aria-label=t::LANGUAGE.get(lang) data-testid="lang-select">
                <option value="" selected=chosen.is_none()>{t::BROWSER_LANGUAGE.get(lang)}</option>
                {Lang::ALL.into_iter().map(|l| view! {
                    <option value=l.tag() lang=l.tag() selected=chosen == Some(l)>{l.name()}</option>
                }).collect::<Vec<_>>()}
            </select>
            " "
            <button class="link-button" data-testid="lang-save">{t::SWITCH.get(lang)}</button>
        </form>
    }
}

/// A dashboard page: `load` (keyed by `key`) through an admin server
/// function, drawn by `render` inside the frame; the sign-in form (401) when
/// there is no admin session.
fn dashboard_page<K, T>(
    title: Text,
    key: impl Fn() -> K + Send + Sync + 'static,
    load: Load<K, T>,
    render: fn(T) -> AnyView,
) -> impl IntoView
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
{
    let data = Resource::new(key, load);
    let who = Resource::new(|| (), |_| admin_whoami());
    view! {
        <Suspense fallback=|| view! { <p>{t::LOADING.get(crate::lang())}</p> }>
            {move || Suspend::new(async move {
                let who = who.await;
                match (who, data.await) {
                    (Err(ApiError::Unauthorized { .. }), _) | (_, Err(ApiError::Unauthorized { .. })) => {
                        view! { <SignInForm/> }.into_any()
                    }
                    (Err(e), _) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    (Ok(who), Ok(data)) => view! { <Frame title who>{render(data)}</Frame> }.into_any(),
                    (Ok(who), Err(e)) => view! {
                        <Frame title who><p class="error" data-testid="load-error">{e.to_string()}</p></Frame>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The error a plain form post came back with (from the redirect's URL).
fn form_error<S>() -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    let wechat_error = t::WECHAT_ERROR.get(crate::lang());
    move || {
        action.value().get().and_then(|r| r.err()).map(|e| {
            let said = e.in_words(wechat_error);
            view! { <p class="error" data-testid="form-error">{said}</p> }
        })
    }
}

/// The frame's texts, and those every page shares.
pub mod t {
    crate::texts! {
        TAB_TITLE: "{page} · wxkit 管理后台", "{page} · wxkit admin";
        OVERVIEW: "概览", "Overview";
        PAGES: "页面", "Pages";
        CARDS: "卡券", "Cards";
        MEDIA: "素材", "Media";
        USERS: "用户", "Users";
        DEBUGGER: "签名调试", "Signature debugger";
        AUDIT: "审计日志", "Audit log";
        ACCOUNT: "账号设置", "Account";
        SIGN_OUT: "退出登录", "Sign out";
        SIGN_OUT_EVERYWHERE: "在所有设备上退出", "Sign out everywhere";
        LANGUAGE: "语言", "Language";
        BROWSER_LANGUAGE: "跟随浏览器", "The browser's language";
        SWITCH: "切换", "Switch";
        LOADING: "加载中…", "Loading…";
        /// A WeChat error; `{meaning}` comes from the server in this language.
        WECHAT_ERROR: "微信错误 {code}（{meaning}）：{errmsg}", "WeChat error {code} ({meaning}): {errmsg}";
    }
}
