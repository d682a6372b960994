//! The signature debugger's form (a lazy island, loaded only on the
//! dashboard): a page URL, optionally a noncestr, a timestamp and a
//! jsapi_ticket, sent to `admin_sign_debug` as a POST body, never in a URL (a
//! URL lands in histories, logs and Referer headers). The result shows the
//! exact string WeChat hashes (JS-SDK documentation, Appendix 1) and the sha1.

use crate::admin::{AdminSignDebug, SignDebug};
use crate::error::ApiError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// `url`, `nonce`, `timestamp`: the form's first values; `initial`: what the
/// server signed for them (with the account's own ticket) before hydration.
#[island(lazy)]
pub fn SignDebugger(
    url: String,
    nonce: String,
    timestamp: String,
    initial: Option<Result<SignDebug, ApiError>>,
) -> impl IntoView {
    let action = ServerAction::<AdminSignDebug>::new();
    let url = RwSignal::new(url);
    let nonce = RwSignal::new(nonce);
    let timestamp = RwSignal::new(timestamp);
    let ticket = RwSignal::new(String::new());
    // Submitting before hydration would post the form itself: the server
    // function would run, but its answer could not be shown.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(AdminSignDebug {
            url: url.get_untracked(),
            nonce: nonce.get_untracked(),
            timestamp: timestamp.get_untracked(),
            ticket: ticket.get_untracked(),
        });
    };
    let bind = move |signal: RwSignal<String>| {
        move |ev: leptos::ev::Event| signal.set(event_target_value(&ev))
    };
    let result = move || action.value().get().or_else(|| initial.clone());
    view! {
        <form method="post" action=AdminSignDebug::PATH class="grid-form" data-testid="debug-form" on:submit=on_submit>
            <label>"Page URL" <input name="url" value=url.get_untracked() on:input=bind(url) required data-testid="debug-url"/></label>
            <label>"noncestr (optional)" <input name="nonce" value=nonce.get_untracked() on:input=bind(nonce)/></label>
            <label>"timestamp (optional)" <input name="timestamp" value=timestamp.get_untracked() on:input=bind(timestamp)/></label>
            <label>"jsapi_ticket (optional: the account's current one)"
                <input name="ticket" autocomplete="off" on:input=bind(ticket) data-testid="debug-ticket"/>
            </label>
            <button class="button small" data-testid="debug-sign" disabled=move || !hydrated.get() || action.pending().get()>"Sign"</button>
        </form>
        {move || result().map(|r| match r {
            Ok(d) => view! {
                <dl class="debug" data-testid="debug-result">
                    <dt>"1. Fields"</dt>
                    <dd>{format!("noncestr={} · timestamp={} · url={}", d.nonce_str, d.timestamp, d.url)}</dd>
                    <dt>"2. String to sign (sorted, joined with &)"</dt>
                    <dd data-testid="debug-string">{d.string_to_sign.clone()}</dd>
                    <dt>"3. sha1 (lower-case hex)"</dt>
                    <dd data-testid="debug-signature">{d.signature.clone()}</dd>
                </dl>
                {d.current_ticket.then(|| view! {
                    <p class="muted">"Signed with the account's current jsapi_ticket, which is never shown."</p>
                })}
            }.into_any(),
            Err(e) => view! { <p class="error" data-testid="debug-error">{e.to_string()}</p> }.into_any(),
        })}
    }
}
