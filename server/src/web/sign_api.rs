//! `POST /api/jssdk_config`, the endpoint every in-app page calls (and calls
//! again after each client-side URL change), served by axum directly: the
//! wire format of the server function `app::jssdk::jssdk_config` (whose
//! client the islands use), without the Leptos server-function machinery and
//! the page-only middleware in front of it. The site-wide layers (security
//! headers, timeout, body guard, cross-site check) still apply.
//!
//! Invariants: same form (`url`, optional `js_api_list`), same JSON reply,
//! same errors ([`ApiError`] with its own status and the `serverfnerror`
//! header the server function's client looks for); bad input is a 4xx.

use super::AppState;
use app::error::ApiError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

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
pub(super) async fn jssdk_config(
    State(state): State<AppState>,
    form: Result<Form<SignForm>, FormRejection>,
) -> Response {
    let signed = match form {
        Ok(Form(f)) => sign(&state, f).await,
        Err(e) => Err(ApiError::bad_request(format!(
            "send the form field `url` (application/x-www-form-urlencoded): {}",
            e.body_text()
        ))),
    };
    match signed {
        Ok(config) => Json(config).into_response(),
        Err(error) => {
            let status =
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = crate::guard::json_error(status, &error);
            response
                .headers_mut()
                .insert("serverfnerror", HeaderValue::from_static(PATH));
            response
        }
    }
}

async fn sign(state: &AppState, f: SignForm) -> Result<app::jssdk::WxConfig, ApiError> {
    let apis = app::backend::requested_apis(f.js_api_list.as_deref())?;
    state.jssdk.sign(&f.url, apis).await
}
