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
use app::scope::Scope;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::collections::HashMap;
use tower_sessions::Session;

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
            outcome_page(&e)
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
async fn oauth_start(State(state): State<AppState>, Query(q): Query<StartQuery>) -> Response {
    let Some(scope) = Scope::from_page(&q.scope) else {
        return page_html(
            StatusCode::BAD_REQUEST,
            "bad_scope",
            "Cannot sign in",
            "scope must be snsapi_base or snsapi_userinfo",
            "",
            None,
        );
    };
    let next = if q.next.is_empty() { "/" } else { &q.next };
    let (url, cookie) = state.oauth.begin(scope, next);
    found_setting(&url, &cookie)
}

/// The page a failed sign-in shows: what happened in plain words, the WeChat
/// errcode when there is one, and a way to try again.
pub(super) fn outcome_page(e: &CallbackError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let kind = e.kind();
    let heading = match e {
        CallbackError::MissingState => "This sign-in link is incomplete",
        CallbackError::UnknownState => "This sign-in link is not valid",
        CallbackError::ExpiredState => "This sign-in link expired",
        CallbackError::OtherSession => "This sign-in belongs to another browser",
        CallbackError::Refused { .. } => "You did not sign in",
        CallbackError::WeChat { .. } => "WeChat could not sign you in",
        CallbackError::Unavailable { .. } => "WeChat could not be reached",
        CallbackError::Internal(_) => "Something went wrong on our side",
    };
    let detail = match e {
        CallbackError::WeChat { errcode, errmsg, meaning, .. } => format!(
            "<p class=\"errcode\" data-testid=\"errcode\" data-errcode=\"{errcode}\">errcode {errcode}: {}<br>WeChat said: {}</p>",
            escape_html(meaning),
            escape_html(errmsg)
        ),
        _ => String::new(),
    };
    let message = match e {
        CallbackError::Refused { .. } => {
            "The page needs to know who you are. You can try again; WeChat will ask you once more."
                .to_string()
        }
        other => other.to_string(),
    };
    page_html(status, kind, heading, &message, &detail, e.retry())
}

fn page_html(
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
                "<p><a class=\"button\" data-testid=\"try-again\" href=\"{}\">Try again</a></p>",
                escape_html(&crate::oauth::safe_return(path))
            )
        })
        .unwrap_or_default();
    let html = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{heading} · wxkit</title><link rel="stylesheet" href="/pkg/wxkit.css"></head>
<body><main class="page"><section class="card outcome" data-testid="oauth-outcome" data-kind="{kind}"><h1>{heading}</h1><p data-testid="oauth-message">{message}</p>{detail}{retry}<p><a href="/">Back to the start</a></p></section></main></body></html>"#,
        heading = escape_html(heading),
        message = escape_html(message),
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
