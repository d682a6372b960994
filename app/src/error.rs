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
/// Read back through [`Wire`], one flat struct: serde's decoding of an
/// internally tagged enum buffers the document into its `Content` tree, a
/// generic decoder of every JSON type that every page's WASM would carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case", try_from = "Wire")]
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

/// [`ApiError`] as JSON has it: the `error` tag and every variant's fields
/// (each variant has a `message` or the WeChat error's three).
#[derive(Deserialize)]
struct Wire {
    error: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    fields: Vec<FieldError>,
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    #[serde(default)]
    meaning: String,
}

impl TryFrom<Wire> for ApiError {
    type Error = String;

    fn try_from(w: Wire) -> Result<Self, String> {
        let message = w.message;
        Ok(match w.error.as_str() {
            "bad_request" => ApiError::BadRequest { message },
            "invalid" => ApiError::Invalid {
                message,
                fields: w.fields,
            },
            "too_large" => ApiError::TooLarge { message },
            "too_many" => ApiError::TooMany { message },
            "unauthorized" => ApiError::Unauthorized { message },
            "we_chat" => ApiError::WeChat {
                errcode: w.errcode,
                errmsg: w.errmsg,
                meaning: w.meaning,
            },
            "unavailable" => ApiError::Unavailable { message },
            "internal" => ApiError::Internal { message },
            other => return Err(format!("unknown error `{other}`")),
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_reads_back_as_it_was_written() {
        let m = || "why".to_string();
        for e in [
            ApiError::BadRequest { message: m() },
            ApiError::Invalid {
                message: m(),
                fields: vec![FieldError {
                    field: "slug".into(),
                    message: m(),
                }],
            },
            ApiError::TooLarge { message: m() },
            ApiError::TooMany { message: m() },
            ApiError::Unauthorized { message: m() },
            ApiError::WeChat {
                errcode: 40164,
                errmsg: "invalid ip".into(),
                meaning: m(),
            },
            ApiError::Unavailable { message: m() },
            ApiError::Internal { message: m() },
        ] {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(
                serde_json::from_str::<ApiError>(&json).unwrap(),
                e,
                "{json}"
            );
        }
    }

    #[test]
    fn an_unknown_error_is_refused() {
        let e = serde_json::from_str::<ApiError>(r#"{"error":"nope","message":"x"}"#);
        assert!(e.unwrap_err().to_string().contains("unknown error `nope`"));
        assert!(serde_json::from_str::<ApiError>(r#"{"message":"x"}"#).is_err());
    }
}
