//! `GET /media/{file}`: serves a kept image or voice. Only a file with a
//! media row of a page that exists is served; an upload of a page that
//! requires authorization only to a session whose visitor may see that page
//! (the same rule as the page's server functions). The name must be one wxkit
//! makes (hex and a kept type's extension), so nothing outside the media
//! directory is reachable; the Content-Type comes from that extension, which
//! the upload's check chose, never from sniffing. A voice (AMR, which
//! browsers do not play) is served as a download.

use crate::web::AppState;
use app::scope::Scope;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_sessions::Session;

fn refuse(status: StatusCode, message: &'static str) -> Response {
    let mut r = (status, message).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The handler behind `/media/{file}`.
pub async fn media_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    req: Request,
) -> Response {
    if !super::valid_file(&file) {
        return refuse(StatusCode::NOT_FOUND, "no such upload");
    }
    let row: Result<Option<String>, sqlx::Error> = sqlx::query_scalar(
        "SELECT p.auth_scope FROM media m
         JOIN pages p ON p.id = m.page_id
         WHERE m.file = $1 AND m.page_id <> ''",
    )
    .bind(&file)
    .fetch_optional(&state.db)
    .await;
    let auth_scope = match row {
        Ok(Some(row)) => row,
        Ok(None) => return refuse(StatusCode::NOT_FOUND, "no such upload"),
        Err(e) => {
            crate::api_error::log_internal("media: database error", &e);
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, "database error");
        }
    };
    let private = match Scope::from_page(&auth_scope) {
        None => false,
        Some(required) => {
            let signed_in = match req.extensions().get::<Session>() {
                Some(session) => state.oauth.signed_in(session).await,
                None => None,
            };
            if !signed_in.is_some_and(|(_, granted)| required.covered_by(&granted)) {
                return refuse(
                    StatusCode::UNAUTHORIZED,
                    "this upload belongs to a page for signed-in visitors: open the page in WeChat first",
                );
            }
            true
        }
    };
    let served = tower_http::services::ServeFile::new(state.media.dir.join(&file))
        .oneshot(req)
        .await;
    let mut response = match served {
        Ok(r) => r.map(Body::new),
        Err(never) => match never {},
    };
    let ok = response.status().is_success();
    let headers = response.headers_mut();
    if ok {
        let served = super::served_type(&file);
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(served));
        if !served.starts_with("image/") {
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment"),
            );
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if private {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    response
}
