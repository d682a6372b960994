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

/// The frame of every dashboard page: navigation, sign-out, then the page.
#[component]
fn Frame(title: &'static str, who: String, children: Children) -> impl IntoView {
    view! {
        <leptos_meta::Title text=format!("{title} · wxkit admin")/>
        <div class="admin">
            <header class="admin-bar">
                <strong>"wxkit admin"</strong>
                <nav>
                    <a href="/admin">"Overview"</a>
                    <a href="/admin/pages">"Pages"</a>
                    <a href="/admin/cards">"Cards"</a>
                    <a href="/admin/media">"Media"</a>
                    <a href="/admin/users">"Users"</a>
                    <a href="/admin/debugger">"Signature debugger"</a>
                    <a href="/admin/audit">"Audit log"</a>
                    <a href="/admin/account">"Account"</a>
                </nav>
                <form method="post" action="/api/admin/sign_out" class="inline">
                    <span data-testid="admin-who">{who}</span>
                    " "
                    <button class="link-button" data-testid="sign-out">"Sign out"</button>
                </form>
                <form method="post" action="/api/admin/sign_out_everywhere" class="inline">
                    <button class="link-button" data-testid="sign-out-everywhere">"Sign out everywhere"</button>
                </form>
            </header>
            <h1>{title}</h1>
            {children()}
        </div>
    }
}

/// A dashboard page: `load` (keyed by `key`) through an admin server
/// function, drawn by `render` inside the frame; the sign-in form (401) when
/// there is no admin session.
fn dashboard_page<K, T>(
    title: &'static str,
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
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
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
    move || {
        action.value().get().and_then(|r| r.err()).map(|e| {
            view! { <p class="error" data-testid="form-error">{e.to_string()}</p> }
        })
    }
}
