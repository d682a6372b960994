//! The one path from a server failure to the [`ApiError`] a browser sees.
//!
//! Each domain error has one `impl From<…> for ApiError`, next to its type
//! (credentials, media, cards, admin sign-in, accounts, page URLs, rate
//! limits), so handlers say `?`. That impl picks the status and the words; a
//! failure whose detail must stay on the server (a database's text, a disk
//! error, a failed password hash) is answered through [`internal`] or
//! [`db_error`], which log the detail with [`log_internal`] and answer in
//! generic words. So every 5xx with a server-side detail is logged exactly
//! once, here, and nothing else logs on the way to a response. Failures the
//! answer describes in full (4xx, WeChat's errcodes, backoff, busy) are not
//! logged per response.
//!
//! Three other places log through [`log_internal`], each once per failure: a
//! credential's database failure, where it becomes a `CredentialError` (which
//! carries no database text and is shared by every caller of a refresh; its
//! conversion to `ApiError` logs nothing more), and the OAuth pages'
//! `CallbackError` and `/media/{file}`, which answer without an `ApiError`.
//!
//! The exception to `?` is `sqlx::Error`: neither it nor `ApiError` is this
//! crate's, so the orphan rule forbids the `From`, and call sites say
//! `.map_err(db_error)`.

use app::error::ApiError;
use std::fmt::Display;

/// Logs the server-side detail of a failure (`what` says where it happened).
/// The one place a failure on its way to a 5xx answer is logged.
pub fn log_internal(what: &str, detail: &dyn Display) {
    tracing::error!("{what}: {detail}");
}

/// A 500 answering `message`, with `detail` (never shown) logged.
pub fn internal(what: &str, detail: &dyn Display, message: &str) -> ApiError {
    log_internal(what, detail);
    ApiError::Internal {
        message: message.into(),
    }
}

/// A database failure as the browser hears of it: 503 (try again) when the
/// database could not be reached, else 500. The details, which can quote SQL
/// and values, go to the log only.
pub fn db_error(e: sqlx::Error) -> ApiError {
    log_internal("database error", &e);
    if crate::db::unreachable(&e) {
        ApiError::Unavailable {
            message: "the database is unavailable; try again shortly".into(),
        }
    } else {
        ApiError::Internal {
            message: "database error".into(),
        }
    }
}
