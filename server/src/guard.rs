//! HTTP-level protections every request goes through: security headers on
//! every response, request bodies bounded and
//! checked before any handler parses them (too large → 413, not UTF-8 or of
//! the wrong content type → 400, always the JSON error shape), and a cap on
//! how many requests that call WeChat or hash passwords run at once.

use app::error::ApiError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The largest body a visitor's server function call may send.
pub const PUBLIC_BODY_MAX: usize = 64 * 1024;
/// The largest body an admin server function call may send (code pools).
pub const ADMIN_BODY_MAX: usize = 1 << 20;
/// The largest body the simulator accepts (a simulated photo upload).
pub const SIMULATOR_BODY_MAX: usize = 32 << 20;
/// Requests that call WeChat or hash a password, running at once.
pub const HEAVY_CONCURRENCY: usize = 64;
/// How long a heavy request waits for its turn before it is told "busy".
const HEAVY_WAIT: Duration = Duration::from_secs(5);

/// The JSON error response every API answers with.
pub fn json_error(status: StatusCode, error: &ApiError) -> Response {
    let body = serde_json::to_string(error).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn bad_request(message: &str) -> Response {
    json_error(StatusCode::BAD_REQUEST, &ApiError::bad_request(message))
}

/// A refusal sent before the body was read: the connection is closed after
/// it, so that a client never reuses a connection with an unread body on it.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The largest body a `POST` to `path` may carry.
fn body_max(path: &str) -> usize {
    if path.starts_with("/api/admin/") && path != "/api/admin/sign_in" {
        ADMIN_BODY_MAX
    } else if path.starts_with("/_sim/") {
        // The simulated client uploads whole photos (simulate mode only).
        SIMULATOR_BODY_MAX
    } else {
        PUBLIC_BODY_MAX
    }
}

/// Bounds and checks the body of every `POST /api/…` before a server
/// function sees it; form posts elsewhere are bounded too.
pub async fn bodies(req: Request, next: Next) -> Response {
    match checked_body(req).await {
        Ok(req) => next.run(req).await,
        Err(refusal) => refusal,
    }
}

/// The request with its body read (at most [`body_max`] of its path) and
/// checked: an API call (`/api/…`) must be a form, and a form must be UTF-8
/// once decoded. Otherwise the refusal to send (413 or 400, JSON). GET, HEAD
/// and OPTIONS pass as they are.
pub async fn checked_body(req: Request) -> Result<Request, Response> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(req);
    }
    let max = body_max(req.uri().path());
    let api = req.uri().path().starts_with("/api/");
    let too_large = || {
        json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &ApiError::TooLarge {
                message: format!("the request body is over {max} bytes"),
            },
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(closing(too_large()));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim())
        .unwrap_or("");
    let form = content_type.eq_ignore_ascii_case("application/x-www-form-urlencoded");
    // The one multipart endpoint: the dashboard's verification-file upload.
    let upload = req.uri().path() == app::admin::SAVE_VERIFY_FILE
        && content_type.eq_ignore_ascii_case("multipart/form-data");
    if api && !form && !upload {
        return Err(closing(bad_request(
            "send the arguments as a form (Content-Type: application/x-www-form-urlencoded)",
        )));
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, max).await {
        Ok(bytes) => bytes,
        Err(e) => {
            // Over the limit while streaming, or the client hung up.
            let source = std::error::Error::source(&e).map(|s| s.to_string());
            if source.is_some_and(|s| s.contains("length limit"))
                || e.to_string().contains("length limit")
            {
                return Err(closing(too_large()));
            }
            return Err(closing(bad_request("the request body could not be read")));
        }
    };
    if form {
        if std::str::from_utf8(&bytes).is_err() {
            return Err(bad_request("the request body is not UTF-8"));
        }
        if !form_decodes(&bytes) {
            return Err(bad_request("a form value is not UTF-8 once decoded"));
        }
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Every percent-encoded name and value of a form decodes to UTF-8. Decodes
/// into one buffer per thread (no allocation per request once warm; at most
/// [`PUBLIC_BODY_MAX`] kept).
fn form_decodes(form: &[u8]) -> bool {
    thread_local! {
        static DECODED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    DECODED.with_borrow_mut(|decoded| {
        let ok = form.split(|b| *b == b'&').all(|pair| {
            pair.split(|b| *b == b'=').all(|part| {
                decoded.clear();
                decoded.extend(percent_encoding::percent_decode(part));
                std::str::from_utf8(decoded).is_ok()
            })
        });
        // Keep no more than a public body's worth per thread.
        if decoded.capacity() > PUBLIC_BODY_MAX {
            *decoded = Vec::new();
        }
        ok
    })
}

/// Paths whose handlers call WeChat or hash a password.
fn heavy(path: &str) -> bool {
    matches!(
        path,
        "/api/save_images"
            | "/api/save_voices"
            | "/api/card_ext"
            | "/api/card_sign"
            | "/api/admin/sign_in"
            | "/api/admin/refresh"
            | "/api/admin/save_account"
            | crate::oauth::CALLBACK_PATH
    )
}

/// At most [`HEAVY_CONCURRENCY`] heavy requests at once; the rest wait their
/// turn briefly, then get 503 with `Retry-After`.
pub async fn heavy_requests(permits: Arc<Semaphore>, req: Request, next: Next) -> Response {
    if !heavy(req.uri().path()) {
        return next.run(req).await;
    }
    match tokio::time::timeout(HEAVY_WAIT, permits.acquire_owned()).await {
        Ok(Ok(_permit)) => next.run(req).await,
        _ => {
            let mut r = json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                &ApiError::Unavailable {
                    message: "the server is busy: try again in a few seconds".into(),
                },
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            r
        }
    }
}

/// Security headers: on every response `nosniff` and a referrer policy; on
/// the dashboard no framing at all; HSTS when the site is served over https.
pub async fn headers(https: bool, req: Request, next: Next) -> Response {
    let dashboard =
        req.uri().path().starts_with("/admin") || req.uri().path().starts_with("/api/admin/");
    let mut response = next.run(req).await;
    secure(https, dashboard, response.headers_mut());
    response
}

/// Adds the security headers of [`headers`] to a response's headers.
pub fn secure(https: bool, dashboard: bool, h: &mut HeaderMap) {
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if dashboard {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
            ),
        );
    } else if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        // In-app pages load WeChat's SDK scripts: restrict only what cannot break them.
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("base-uri 'self'; object-src 'none'"),
        );
    }
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_must_decode_to_utf8() {
        assert!(form_decodes(b"url=http%3A%2F%2Fx%2F%E5%BE%AE&js_api_list="));
        assert!(form_decodes(b""));
        assert!(!form_decodes(b"url=%ff%fe"));
        assert!(!form_decodes(b"ok=1&%C3=x"));
    }

    #[test]
    fn only_calls_to_wechat_and_password_checks_are_heavy() {
        assert!(heavy("/api/admin/sign_in"));
        assert!(heavy("/oauth/callback"));
        assert!(!heavy("/api/jssdk_config"));
        assert!(!heavy("/p/demo"));
    }
}
