//! `GET /wechat/{appid}/messages`: WeChat's message-server URL check.
//!
//! Invariant: `echostr` is answered only for this account's appid, and only
//! when the signature verifies against `WXKIT_MP_TOKEN`; without a token the
//! check is refused.

use super::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use secrecy::ExposeSecret;
use serde::Deserialize;

/// The message-server route.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/wechat/{account}/messages", get(message_server_check))
}

#[derive(Deserialize)]
struct EchoQuery {
    #[serde(default)]
    signature: String,
    #[serde(default)]
    timestamp: String,
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    echostr: String,
}

/// `GET /wechat/{appid}/messages`: WeChat's message-server URL check. Answers
/// `echostr` verbatim only when the signature verifies against `WXKIT_MP_TOKEN`.
async fn message_server_check(
    State(state): State<AppState>,
    Path(account): Path<String>,
    Query(q): Query<EchoQuery>,
) -> Response {
    if account != state.oauth.app_id() {
        return (StatusCode::NOT_FOUND, "no such account").into_response();
    }
    let Some(token) = &state.mp_token else {
        return (
            StatusCode::FORBIDDEN,
            "the message server is off: WXKIT_MP_TOKEN is not set",
        )
            .into_response();
    };
    if crate::signature::check_echostr(token.expose_secret(), &q.timestamp, &q.nonce, &q.signature)
    {
        ([(header::CONTENT_TYPE, "text/plain")], q.echostr).into_response()
    } else {
        tracing::warn!("message-server check with a bad signature");
        (StatusCode::FORBIDDEN, "signature does not verify").into_response()
    }
}
