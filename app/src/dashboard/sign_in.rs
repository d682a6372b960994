//! `/admin/sign-in`, and the sign-in form every dashboard page shows (with a
//! 401) when there is no admin session.

use crate::admin::{admin_whoami, AdminSignIn};
use leptos::prelude::*;

/// The sign-in form (and the error of the last attempt, when there was one).
#[component]
pub fn SignInForm() -> impl IntoView {
    let action = ServerAction::<AdminSignIn>::new();
    view! {
        <leptos_meta::Title text="Sign in · wxkit admin"/>
        <section class="card sign-in">
            <h1>"wxkit admin"</h1>
            {move || action.value().get().and_then(|r| r.err()).map(|e| view! {
                <p class="error" data-testid="sign-in-error">{e.to_string()}</p>
            })}
            <form method="post" action="/api/admin/sign_in">
                <label>"Username" <input name="username" autocomplete="username" required data-testid="username"/></label>
                <label>"Password" <input name="password" type="password" autocomplete="current-password" required data-testid="password"/></label>
                <button class="button" data-testid="sign-in">"Sign in"</button>
            </form>
            <p class="muted">"No admin yet? Run " <code>"wxkit admin create --username NAME"</code> " on the server."</p>
        </section>
    }
}

/// `/admin/sign-in`.
#[component]
pub fn SignInPage() -> impl IntoView {
    let who = Resource::new(|| (), |_| admin_whoami());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match who.await {
                    Ok(name) => view! {
                        <section class="card sign-in">
                            <p>"Signed in as " <b>{name}</b> ". " <a href="/admin">"Open the dashboard"</a></p>
                        </section>
                    }.into_any(),
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
