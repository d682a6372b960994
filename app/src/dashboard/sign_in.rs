//! `/admin/sign-in`, and the sign-in form every dashboard page shows (with a
//! 401) when there is no admin session.

use crate::admin::{admin_whoami, AdminSignIn};
use leptos::prelude::*;

/// The sign-in form (and the error of the last attempt, when there was one),
/// in the browser's language (nobody is signed in to have chosen one).
#[component]
pub fn SignInForm() -> impl IntoView {
    let lang = crate::lang();
    let action = ServerAction::<AdminSignIn>::new();
    let no_admin = t::NO_ADMIN.get(lang);
    let (before, after) = no_admin.split_once("{command}").unwrap_or((no_admin, ""));
    view! {
        <leptos_meta::Title text=t::TAB_TITLE.get(lang)/>
        <section class="card sign-in">
            <h1>{t::HEADING.get(lang)}</h1>
            {move || action.value().get().and_then(|r| r.err()).map(|e| view! {
                <p class="error" data-testid="sign-in-error">{e.to_string()}</p>
            })}
            <form method="post" action="/api/admin/sign_in">
                <label>{t::USERNAME.get(lang)} <input name="username" autocomplete="username" required data-testid="username"/></label>
                <label>{t::PASSWORD.get(lang)} <input name="password" type="password" autocomplete="current-password" required data-testid="password"/></label>
                <button class="button" data-testid="sign-in">{t::SIGN_IN.get(lang)}</button>
            </form>
            <p class="muted">{before}<code>"wxkit admin create --username NAME"</code>{after}</p>
        </section>
    }
}

/// `/admin/sign-in`.
#[component]
pub fn SignInPage() -> impl IntoView {
    let lang = crate::lang();
    let who = Resource::new(|| (), |_| admin_whoami());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match who.await {
                    Ok(name) => {
                        let signed_in = t::SIGNED_IN_AS.get(lang);
                        let (before, after) = signed_in.split_once("{name}").unwrap_or((signed_in, ""));
                        view! {
                            <section class="card sign-in">
                                <p>{before}<b>{name}</b>{after}" "<a href="/admin">{t::OPEN_DASHBOARD.get(lang)}</a></p>
                            </section>
                        }.into_any()
                    }
                    Err(_) => {
                        // Not an error here: this is where one signs in.
                        #[cfg(feature = "ssr")]
                        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
                            resp.set_status(http::StatusCode::OK);
                        }
                        view! { <SignInForm/> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The texts of the sign-in page.
pub mod t {
    crate::texts! {
        TAB_TITLE: "登录 · wxkit 管理后台", "Sign in · wxkit admin";
        HEADING: "wxkit 管理后台", "wxkit admin";
        USERNAME: "用户名", "Username";
        PASSWORD: "密码", "Password";
        SIGN_IN: "登录", "Sign in";
        /// `{command}`: the command that creates an admin, as code.
        NO_ADMIN: "还没有管理员？请在服务器上运行 {command}。", "No admin yet? Run {command} on the server.";
        /// `{name}`: the admin's name, in bold.
        SIGNED_IN_AS: "已登录为 {name}。", "Signed in as {name}.";
        OPEN_DASHBOARD: "打开管理后台", "Open the dashboard";
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn texts_are_in_both_languages() {
        let problems = crate::i18n::check_catalogue("dashboard::sign_in", super::t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
