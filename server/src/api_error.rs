//! The one path from a server failure to the [`ApiError`] a browser sees.
//!
//! Each domain error has one `impl From<…> for ApiError`, next to its type
//! (credentials, media, cards, admin sign-in, accounts, page URLs, rate
//! limits), so handlers say `?`. That impl picks the status and the words; a
//! failure whose detail must stay on the server (a database's text, a disk
//! error, a failed password hash) is answered through [`internal`] or
//! [`DbFailure`], which log the detail with [`log_internal`] and answer in
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
//! A bare `sqlx::Error` cannot convert (neither it nor `ApiError` is this
//! crate's, so the orphan rule forbids the `From`): the domain functions
//! handlers call return [`DbFailure`], this crate's wrapper of it, and `?`
//! words it.

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

/// A database failure, on its way to an answer: what the domain functions
/// behind the server functions return, so handlers say `?`. Its text (and
/// `Debug`), which can quote SQL and values, is for the log only: the browser
/// hears of it through `From<DbFailure> for ApiError`, in generic words.
pub struct DbFailure(pub sqlx::Error);

impl From<sqlx::Error> for DbFailure {
    fn from(e: sqlx::Error) -> Self {
        DbFailure(e)
    }
}

impl std::fmt::Display for DbFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "database error: {}", self.0)
    }
}

impl std::fmt::Debug for DbFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("DbFailure").field(&self.0).finish()
    }
}

impl std::error::Error for DbFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// A database failure as the browser hears of it: 503 (try again) when the
/// database could not be reached, else 500. The details go to the log only
/// (once, here).
impl From<DbFailure> for ApiError {
    fn from(DbFailure(e): DbFailure) -> Self {
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
}
