//! [`ApiError`], the one error type browsers see: every server function, the
//! embedded `wx.config` of a page and every JSON refusal of the server's
//! middleware answer with it, as JSON tagged by `error`. Its variants fix the
//! HTTP statuses ([`ApiError::status`]: 400, 401, 413, 429, 500, 502, 503) and
//! [`FieldError`] names the form fields an [`ApiError::Invalid`] is about.
//!
//! What it must never carry: a secret (AppSecret, access_token, tickets,
//! passwords) or a database's text (SQL, values, connection strings). The
//! server builds it from its own failures (crate `wxkit`, module `api_error`),
//! logs their details there and words them here generically.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A form field that is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The error every wxkit API answers with, as JSON tagged by `error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ApiError {
    /// The request itself is wrong (HTTP 400): the message says why.
    #[error("{message}")]
    BadRequest { message: String },
    /// Some fields of a form are wrong (HTTP 400): each is named with why.
    #[error("{message}")]
    Invalid {
        message: String,
        fields: Vec<FieldError>,
    },
    /// The request body is over the limit (HTTP 413).
    #[error("{message}")]
    TooLarge { message: String },
    /// Too many attempts (HTTP 429): the message says when to try again.
    #[error("{message}")]
    TooMany { message: String },
    /// The page needs a signed-in visitor (or an admin) (HTTP 401).
    #[error("{message}")]
    Unauthorized { message: String },
    /// WeChat answered with an error code (HTTP 502).
    #[error("WeChat error {errcode} ({meaning}): {errmsg}")]
    WeChat {
        errcode: i64,
        errmsg: String,
        meaning: String,
    },
    /// WeChat cannot be asked right now (timeouts, backoff after a quota or busy
    /// reply, malformed replies) (HTTP 503).
    #[error("{message}")]
    Unavailable { message: String },
    /// Anything else (HTTP 500). The message never contains secrets.
    #[error("{message}")]
    Internal { message: String },
}

impl ApiError {
    /// This error for a person: a WeChat error framed by `wechat` (a text
    /// in the reader's language with `{code}`, `{meaning}` and `{errmsg}`;
    /// the server put the meaning in that language), any other as it reads.
    pub fn in_words(&self, wechat: &str) -> String {
        match self {
            ApiError::WeChat {
                errcode,
                errmsg,
                meaning,
            } => crate::i18n::fill(
                wechat,
                &[
                    ("code", &errcode.to_string()),
                    ("meaning", meaning),
                    ("errmsg", errmsg),
                ],
            ),
            other => other.to_string(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest { .. } => 400,
            ApiError::Unauthorized { .. } => 401,
            ApiError::Invalid { .. } => 400,
            ApiError::TooLarge { .. } => 413,
            ApiError::TooMany { .. } => 429,
            ApiError::WeChat { .. } => 502,
            ApiError::Unavailable { .. } => 503,
            ApiError::Internal { .. } => 500,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) => ApiError::bad_request(format!("bad arguments: {m}")),
            ServerFnErrorErr::MissingArg(m) => {
                ApiError::bad_request(format!("missing argument: {m}"))
            }
            // What the server could not parse is the caller's mistake.
            ServerFnErrorErr::Deserialization(m) => {
                ApiError::bad_request(format!("malformed request: {m}"))
            }
            ServerFnErrorErr::Request(m) => ApiError::Unavailable {
                message: format!("could not reach the server: {m}"),
            },
            other => ApiError::Internal {
                message: other.to_string(),
            },
        }
    }
}
