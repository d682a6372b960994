//! The JS-SDK configuration a page hands to `wx.config`, and the server function
//! that signs a page URL (`POST /api/jssdk_config`); its errors are
//! [`ApiError`]s (module [`crate::error`]).
//!
//! Signing itself lives on the server (crate `wxkit`, module `signature`); this
//! module only describes the wire types and reaches the server through
//! [`crate::backend::Backend`].

use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The name of a JS-SDK API in a config: borrowed from the list of known
/// APIs when the server builds it (no allocation per name per signature),
/// owned when decoded.
pub type ApiName = std::borrow::Cow<'static, str>;

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
    pub js_api_list: Vec<ApiName>,
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
    pub js_api_list: Vec<ApiName>,
}

/// What SSR embeds in every page as `<script id="wxkit-wx-config">`: the config
/// for the page's own URL, or the reason there is none. Read back with
/// [`EmbeddedConfig::from_json`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum EmbeddedConfig {
    Ready(WxConfig),
    Failed { error: ApiError },
}

impl EmbeddedConfig {
    /// Parses what the server embedded: a [`WxConfig`], else `{"error": …}`.
    /// (Not serde's untagged decoding: that buffers the document and compiles
    /// a second decoder of every type inside, which every page would download.
    /// Read as bytes, as the server functions' JSON replies are: `from_str`
    /// would compile a second decoder of [`WxConfig`] and [`ApiError`].)
    pub fn from_json(text: &str) -> Option<EmbeddedConfig> {
        #[derive(Deserialize)]
        struct Failed {
            error: ApiError,
        }
        match serde_json::from_slice::<WxConfig>(text.as_bytes()) {
            Ok(config) => Some(EmbeddedConfig::Ready(config)),
            Err(_) => serde_json::from_slice::<Failed>(text.as_bytes())
                .ok()
                .map(|f| EmbeddedConfig::Failed { error: f.error }),
        }
    }
}

/// The id of the `<script type="application/json">` element holding the
/// [`EmbeddedConfig`] of a server-rendered page.
pub const CONFIG_ELEMENT_ID: &str = "wxkit-wx-config";

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
    let apis = crate::backend::requested_apis(js_api_list.as_deref())?;
    backend.jssdk_config(&url, apis).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_embedded_config_reads_back_as_it_was_written() {
        let ready = EmbeddedConfig::Ready(WxConfig {
            app_id: "wx1".into(),
            timestamp: 1_700_000_000,
            nonce_str: "n".into(),
            signature: "s".into(),
            js_api_list: vec!["chooseImage".into()],
            agent: None,
        });
        let failed = EmbeddedConfig::Failed {
            error: ApiError::bad_request("no"),
        };
        for embedded in [ready, failed] {
            let json = serde_json::to_string(&embedded).unwrap();
            assert_eq!(EmbeddedConfig::from_json(&json), Some(embedded));
        }
        assert_eq!(EmbeddedConfig::from_json("{\"nothing\": 1}"), None);
    }
}
