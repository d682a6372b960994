//! The JS-SDK configuration a page hands to `wx.config`, the server function that
//! signs a page URL (`POST /api/jssdk_config`), and the errors it answers with.
//!
//! Signing itself lives on the server (crate `wxkit`, module `signature`); this
//! module only describes the wire types and reaches the server through
//! [`crate::backend::Backend`].

use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What `wx.config` needs, exactly as the JS-SDK spells it. Never carries the
/// ticket or any other secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WxConfig {
    pub app_id: String,
    /// Unix seconds.
    pub timestamp: i64,
    pub nonce_str: String,
    pub signature: String,
    pub js_api_list: Vec<String>,
    /// WeCom only, when the page asks for agent APIs: what `wx.agentConfig` needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentConfig>,
}

/// What `wx.agentConfig` needs (WeCom), signed with the agent_config ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentConfig {
    pub corpid: String,
    pub agentid: String,
    pub timestamp: i64,
    pub nonce_str: String,
    pub signature: String,
    pub js_api_list: Vec<String>,
}

/// What SSR embeds in every page as `<script id="wxkit-wx-config">`: the config
/// for the page's own URL, or the reason there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EmbeddedConfig {
    Ready(WxConfig),
    Failed { error: ApiError },
}

/// The id of the `<script type="application/json">` element holding the
/// [`EmbeddedConfig`] of a server-rendered page.
pub const CONFIG_ELEMENT_ID: &str = "wxkit-wx-config";

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

/// Signs `url` (the page URL; anything after `#` is dropped) for `wx.config`.
///
/// `js_api_list` is an optional comma-separated list of JS-SDK API names; by
/// default the page gets every API wxkit uses.
#[server(prefix = "/api", endpoint = "jssdk_config")]
pub async fn jssdk_config(
    url: String,
    #[server(default)] js_api_list: Option<String>,
) -> Result<WxConfig, ApiError> {
    let backend = crate::backend::use_backend()?;
    let apis = js_api_list
        .as_deref()
        .map(crate::backend::parse_api_list)
        .transpose()?;
    backend.jssdk_config(&url, apis).await
}
