//! `POST /api/jssdk_config`, the endpoint every in-app page calls (and calls
//! again after each client-side URL change), served by axum directly: the
//! wire format of the server function `app::jssdk::jssdk_config` (whose
//! client the islands use), without the Leptos server-function machinery and
//! the page-only middleware in front of it, and with no layer: its handler
//! ([`serve`]) does what the site's stack does for a POST — the request id
//! and span, the cross-site check, the body guard, the request timeout and
//! the security headers, as every other POST gets them.
//! (Not applied here: the session, which it does not read; the client IP and
//! the heavy-request cap, which it does not need; compression, which a reply
//! of a few hundred bytes does not gain from.)
//!
//! Invariants: same form (`url`, optional `js_api_list`), same JSON reply,
//! same errors ([`ApiError`] with its own status and the `serverfnerror`
//! header the server function's client looks for); bad input is a 4xx.

use super::AppState;
use app::error::ApiError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, FromRequest, Request};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// Where it is served: the server function's own path.
pub(super) const PATH: &str = "/api/jssdk_config";

#[derive(Deserialize)]
pub(super) struct SignForm {
    url: String,
    #[serde(default)]
    js_api_list: Option<String>,
}

/// Signs `url` for `wx.config` with the APIs `js_api_list` names (default:
/// every API wxkit uses).
async fn jssdk_config(state: &AppState, req: Request) -> Response {
    let signed = match Form::<SignForm>::from_request(req, &()).await {
        Ok(Form(f)) => sign(state, f).await,
        Err(e) => Err(form_refused(e)),
    };
    match signed {
        Ok(config) => json_reply(&config),
        Err(error) => error_response(error),
    }
}

fn form_refused(e: FormRejection) -> ApiError {
    ApiError::bad_request(format!(
        "send the form field `url` (application/x-www-form-urlencoded): {}",
        e.body_text()
    ))
}

/// `config` as the JSON reply, written into one buffer sized for the usual
/// reply (the default jsApiList makes it ~870 bytes; axum's `Json` starts at
/// 128 bytes and grows three times).
fn json_reply(config: &app::jssdk::WxConfig) -> Response {
    let mut body = Vec::with_capacity(REPLY_CAPACITY);
    match serde_json::to_writer(&mut body, config) {
        Ok(()) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        // Strings and integers only: serializing cannot fail.
        Err(e) => error_response(ApiError::Internal {
            message: format!("could not write the reply: {e}"),
        }),
    }
}

/// Room for a reply with every API in jsApiList and a WeCom agentConfig.
const REPLY_CAPACITY: usize = 2048;

/// An [`ApiError`] as the server function's client reads it: its status, the
/// JSON body and the `serverfnerror` header.
fn error_response(error: ApiError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = crate::guard::json_error(status, &error);
    response
        .headers_mut()
        .insert("serverfnerror", HeaderValue::from_static(PATH));
    response
}

async fn sign(state: &AppState, f: SignForm) -> Result<app::jssdk::WxConfig, ApiError> {
    let apis = app::backend::requested_apis(f.js_api_list.as_deref())?;
    state.jssdk.sign(&f.url, apis.as_deref()).await
}

/// What [`serve`] needs to know about the site.
pub(super) struct Guard {
    /// `WXKIT_TRUSTED_PROXIES`: whose `X-Request-Id` is kept.
    pub proxies: Arc<Vec<ipnet::IpNet>>,
    /// `WXKIT_PUBLIC_ORIGIN`, for the cross-site check.
    pub public_origin: Arc<str>,
    /// HSTS when served over https.
    pub https: bool,
    /// `WXKIT_REQUEST_TIMEOUT_SECS`: the whole request, body included.
    pub timeout: Duration,
}

/// The signing route: what the site's stack does for a POST, then the
/// signing, in one future. A cross-site request is a 403, a body over
/// [`crate::guard::PUBLIC_BODY_MAX`] a 413, a body that is not a UTF-8 form a
/// 400; a request not done within the timeout (a slow body included) a 503;
/// every reply carries the security headers. Not a middleware layer: axum's
/// `from_fn` boxes a future, builds a `Next` and clones the inner service
/// for every request, which cost this route ~2 µs of its ~14 µs of CPU per
/// request (measured with `.ci/bench`'s load and `perf`).
pub(super) async fn serve(guard: Arc<Guard>, state: AppState, mut req: Request) -> Response {
    use tracing::Instrument;
    let begun = crate::telemetry::begin(&mut req, &guard.proxies);
    let work = async {
        // The body first, as the site's stack does: a refusal sent with the
        // body unread would leave it on a kept-alive connection.
        let req = match crate::guard::checked_body(req).await {
            Ok(req) => req,
            Err(refusal) => return refusal,
        };
        // Every method is routed here, so that every answer (a 405 too) has
        // had its body read and carries the headers.
        if req.method() != Method::POST {
            return (
                StatusCode::METHOD_NOT_ALLOWED,
                [(header::ALLOW, HeaderValue::from_static("POST"))],
            )
                .into_response();
        }
        match super::middleware::cross_site_refusal(&guard.public_origin, false, &req) {
            Some(refusal) => refusal,
            None => jssdk_config(&state, req).await,
        }
    };
    let mut work = std::pin::pin!(work.instrument(begun.span.clone()));
    // Usually answered in its first poll (the body has arrived, the ticket is
    // in memory): then no timer is set at all.
    let mut response = match futures::poll!(work.as_mut()) {
        std::task::Poll::Ready(response) => response,
        std::task::Poll::Pending => match tokio::time::timeout(guard.timeout, work).await {
            Ok(response) => response,
            Err(_) => error_response(ApiError::Unavailable {
                message: "the request took too long: try again in a few seconds".into(),
            }),
        },
    };
    crate::guard::secure(guard.https, false, response.headers_mut());
    begun.finish(&mut response);
    response
}
