//! The OAuth pages: `GET /oauth/callback` (WeChat sends the visitor back
//! here), `GET /oauth/start` (an explicit sign-in), the redirects they answer
//! with, and the page a failed sign-in shows (also shown by
//! `super::middleware` when a page cannot be authorized).
//!
//! Invariants: every redirect and every outcome page is `no-store`; every
//! text an outcome page shows is escaped ([`escape_html`]); its "Try again"
//! link only leads to a path on this site ([`crate::oauth::safe_return`]).

use super::AppState;
use crate::oauth::CallbackError;
use app::i18n::Lang;
use app::scope::Scope;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::collections::HashMap;
use tower_sessions::Session;

/// The outcome pages' texts.
mod t {
    app::texts! {
        MISSING_STATE: "登录链接不完整", "This sign-in link is incomplete";
        UNKNOWN_STATE: "登录链接无效", "This sign-in link is not valid";
        EXPIRED_STATE: "登录链接已过期", "This sign-in link expired";
        OTHER_SESSION: "授权是在其他浏览器中发起的", "This sign-in belongs to another browser";
        REFUSED: "你拒绝了授权", "You did not sign in";
        WECHAT: "微信授权失败", "WeChat could not sign you in";
        UNAVAILABLE: "暂时无法连接微信", "WeChat could not be reached";
        INTERNAL: "服务器出错了", "Something went wrong on our side";
        BAD_SCOPE: "无法登录", "Cannot sign in";
        MSG_MISSING_STATE: "登录链接缺少 state 参数：请重新打开页面登录。",
            "The sign-in link has no state: open the page again to sign in.";
        MSG_UNKNOWN_STATE: "这个登录链接不是本网站发出的：请重新打开页面登录。",
            "This sign-in link is not one this site issued: open the page again to sign in.";
        MSG_EXPIRED_STATE: "登录链接已过期（有效期 10 分钟）：请重新打开页面登录。",
            "This sign-in link expired (they last 10 minutes): open the page again to sign in.";
        MSG_OTHER_SESSION: "授权是在其他浏览器或会话中发起的：请在这里重新打开页面。",
            "This sign-in was started in another browser or session: open the page again here.";
        MSG_REFUSED: "此页面需要获取你的微信身份。可以重试，微信会再次请求授权。",
            "The page needs to know who you are. You can try again; WeChat will ask you once more.";
        MSG_TRY_LATER: "请稍后再试；如问题持续，请联系网站管理员。",
            "Please try again in a moment; if it keeps happening, tell the site's operator.";
        MSG_BAD_SCOPE: "scope 只能是 snsapi_base 或 snsapi_userinfo。",
            "scope must be snsapi_base or snsapi_userinfo.";
        ERRCODE: "微信错误码 {errcode}：{meaning}", "errcode {errcode}: {meaning}";
        WECHAT_SAID: "微信返回：{errmsg}", "WeChat said: {errmsg}";
        TRY_AGAIN: "重试", "Try again";
        BACK_TO_START: "返回首页", "Back to the start";
    }
}

/// The OAuth routes: the callback and the explicit sign-in.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(crate::oauth::CALLBACK_PATH, get(oauth_callback))
        .route(crate::oauth::START_PATH, get(oauth_start))
}

/// A `302 Found` that is never cached.
fn found(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = header::HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// A `302 Found` that also sets the OAuth attempt cookie.
pub(super) fn found_setting(location: &str, cookie: &str) -> Response {
    let mut response = found(location);
    if let Ok(value) = header::HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /oauth/callback?code=…&state=…`: WeChat sends the visitor back here.
async fn oauth_callback(
    State(state): State<AppState>,
    session: Session,
    headers: http::HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let code = q.get("code").map(String::as_str);
    let st = q.get("state").map(String::as_str);
    let cookies = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    let attempt = state.oauth.sealer.open(cookies);
    match state.oauth.callback(&session, attempt, code, st).await {
        Ok(path) => {
            crate::telemetry::metrics::oauth_callback("signed_in");
            found(&path)
        }
        Err(e) => {
            crate::telemetry::metrics::oauth_callback(e.kind());
            tracing::info!("sign-in refused: {e}");
            // The language of the page the sign-in returns to, when it pins one.
            let pinned = e
                .retry()
                .and_then(crate::share::page_slug)
                .and_then(|slug| state.pages.get(slug))
                .and_then(|p| p.meta.lang);
            let lang = pinned.unwrap_or_else(|| Lang::of_request(&headers));
            outcome_page(&e, lang)
        }
    }
}

#[derive(Deserialize)]
struct StartQuery {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    next: String,
}

/// `GET /oauth/start?scope=snsapi_userinfo&next=/p/demo`: an explicit sign-in
/// that returns to `next` (a path on this site; anything else returns to `/`).
async fn oauth_start(
    State(state): State<AppState>,
    headers: http::HeaderMap,
    Query(q): Query<StartQuery>,
) -> Response {
    let Some(scope) = Scope::from_page(&q.scope) else {
        let lang = Lang::of_request(&headers);
        return page_html(
            lang,
            StatusCode::BAD_REQUEST,
            "bad_scope",
            t::BAD_SCOPE.get(lang),
            t::MSG_BAD_SCOPE.get(lang),
            "",
            None,
        );
    };
    let next = if q.next.is_empty() { "/" } else { &q.next };
    let (url, cookie) = state.oauth.begin(scope, next);
    found_setting(&url, &cookie)
}

/// The page a failed sign-in shows, in the visitor's language: what
/// happened in plain words, the WeChat errcode when there is one (WeChat's
/// own errmsg as it wrote it), and a way to try again. The error's detail
/// (e.g. why WeChat could not be asked) goes to the log, not to the page.
pub(super) fn outcome_page(e: &CallbackError, lang: Lang) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let kind = e.kind();
    let (heading, message) = match e {
        CallbackError::MissingState => (t::MISSING_STATE, t::MSG_MISSING_STATE),
        CallbackError::UnknownState => (t::UNKNOWN_STATE, t::MSG_UNKNOWN_STATE),
        CallbackError::ExpiredState => (t::EXPIRED_STATE, t::MSG_EXPIRED_STATE),
        CallbackError::OtherSession => (t::OTHER_SESSION, t::MSG_OTHER_SESSION),
        CallbackError::Refused { .. } => (t::REFUSED, t::MSG_REFUSED),
        CallbackError::WeChat { .. } => (t::WECHAT, t::MSG_TRY_LATER),
        CallbackError::Unavailable { .. } => (t::UNAVAILABLE, t::MSG_TRY_LATER),
        CallbackError::Internal(_) => (t::INTERNAL, t::MSG_TRY_LATER),
    };
    let detail = match e {
        CallbackError::WeChat {
            errcode, errmsg, ..
        } => {
            let code = errcode.to_string();
            let meaning = crate::wechat::errcode_text(*errcode).get(lang);
            format!(
                "<p class=\"errcode\" data-testid=\"errcode\" data-errcode=\"{errcode}\">{}<br>{}</p>",
                escape_html(&t::ERRCODE.fill(lang, &[("errcode", &code), ("meaning", meaning)])),
                escape_html(&t::WECHAT_SAID.fill(lang, &[("errmsg", errmsg)])),
            )
        }
        _ => String::new(),
    };
    let (heading, message) = (heading.get(lang), message.get(lang));
    page_html(lang, status, kind, heading, message, &detail, e.retry())
}

fn page_html(
    lang: Lang,
    status: StatusCode,
    kind: &str,
    heading: &str,
    message: &str,
    detail: &str,
    retry: Option<&str>,
) -> Response {
    let retry = retry
        .map(|path| {
            format!(
                "<p><a class=\"button\" data-testid=\"try-again\" href=\"{}\">{}</a></p>",
                escape_html(&crate::oauth::safe_return(path)),
                t::TRY_AGAIN.get(lang)
            )
        })
        .unwrap_or_default();
    let html = format!(
        r#"<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{heading} · wxkit</title><link rel="stylesheet" href="/pkg/wxkit.css"></head>
<body><main class="page"><section class="card outcome" data-testid="oauth-outcome" data-kind="{kind}"><h1>{heading}</h1><p data-testid="oauth-message">{message}</p>{detail}{retry}<p><a href="/">{back}</a></p></section></main></body></html>"#,
        lang = lang.tag(),
        heading = escape_html(heading),
        message = escape_html(message),
        back = t::BACK_TO_START.get(lang),
    );
    let mut response = (status, axum::response::Html(html)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// Text made safe inside HTML (element content and quoted attributes).
pub(crate) fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_outcome_pages_are_written_in_both_languages() {
        let problems = app::i18n::check_catalogue("oauth_pages", super::t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
