//! The signature debugger's form (a lazy island, loaded only on the
//! dashboard): a page URL, optionally a noncestr, a timestamp and a
//! jsapi_ticket, sent to `admin_sign_debug` as a POST body, never in a URL (a
//! URL lands in histories, logs and Referer headers). The result shows the
//! exact string WeChat hashes (JS-SDK documentation, Appendix 1) and the sha1.
//! Its words come from the server, in the dashboard's language (`texts`).

use crate::admin::{AdminSignDebug, SignDebug};
use crate::error::ApiError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// `url`, `nonce`, `timestamp`: the form's first values; `initial`: what the
/// server signed for them (with the account's own ticket) before hydration;
/// `texts`: its words (`t::texts(lang)`).
#[island(lazy)]
pub fn SignDebugger(
    url: String,
    nonce: String,
    timestamp: String,
    initial: Option<Result<SignDebug, ApiError>>,
    texts: t::Texts,
) -> impl IntoView {
    let texts = StoredValue::new(texts);
    let say = move |key: t::Key| texts.with_value(|x| x.get(key).to_string());
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
            <label>{say(t::PAGE_URL)} <input name="url" value=url.get_untracked() on:input=bind(url) required data-testid="debug-url"/></label>
            <label>{say(t::NONCE)} <input name="nonce" value=nonce.get_untracked() on:input=bind(nonce)/></label>
            <label>{say(t::TIMESTAMP)} <input name="timestamp" value=timestamp.get_untracked() on:input=bind(timestamp)/></label>
            <label>{say(t::TICKET)}
                <input name="ticket" autocomplete="off" on:input=bind(ticket) data-testid="debug-ticket"/>
            </label>
            <button class="button small" data-testid="debug-sign" disabled=move || !hydrated.get() || action.pending().get()>{say(t::SIGN)}</button>
        </form>
        {move || result().map(|r| match r {
            Ok(d) => view! {
                <dl class="debug" data-testid="debug-result">
                    <dt>{say(t::FIELDS)}</dt>
                    <dd>{format!("noncestr={} · timestamp={} · url={}", d.nonce_str, d.timestamp, d.url)}</dd>
                    <dt>{say(t::STRING_TO_SIGN)}</dt>
                    <dd data-testid="debug-string">{d.string_to_sign.clone()}</dd>
                    <dt>{say(t::SHA1)}</dt>
                    <dd data-testid="debug-signature">{d.signature.clone()}</dd>
                </dl>
                {d.current_ticket.then(|| view! {
                    <p class="muted">{say(t::CURRENT_TICKET)}</p>
                })}
            }.into_any(),
            Err(e) => view! { <p class="error" data-testid="debug-error">{e.in_words(&say(t::WECHAT_ERROR))}</p> }.into_any(),
        })}
    }
}

/// The signature debugger's texts.
pub mod t {
    crate::island_texts! {
        PAGE_URL: "页面 URL", "Page URL";
        NONCE: "noncestr（可选）", "noncestr (optional)";
        TIMESTAMP: "timestamp（可选）", "timestamp (optional)";
        TICKET: "jsapi_ticket（可选，留空则使用账号当前的 jsapi_ticket）", "jsapi_ticket (optional: the account's current one)";
        SIGN: "生成签名", "Sign";
        FIELDS: "1. 参与签名的字段", "1. Fields";
        STRING_TO_SIGN: "2. 待签名字符串 string1（按字段名 ASCII 码从小到大排序，用 & 拼接）", "2. String to sign (sorted, joined with &)";
        SHA1: "3. sha1 签名（小写十六进制）", "3. sha1 (lower-case hex)";
        /// A WeChat error; `{meaning}` comes from the server in this language.
        WECHAT_ERROR: "微信错误 {code}（{meaning}）：{errmsg}", "WeChat error {code} ({meaning}): {errmsg}";
        CURRENT_TICKET: "已使用账号当前的 jsapi_ticket 签名，该 jsapi_ticket 不会显示。", "Signed with the account's current jsapi_ticket, which is never shown.";
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn texts_are_in_both_languages() {
        let problems = crate::i18n::check_catalogue("debugger", super::t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
