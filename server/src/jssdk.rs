//! Signing pages for `wx.config`: checks the page URL against the JS interface
//! safe domains, takes the current jsapi_ticket and signs.

use crate::credentials::{CredentialError, Credentials, Kind};
use crate::signature;
use crate::wechat::{errcode_meaning, WeChatError};
use app::backend::KNOWN_APIS;
use app::jssdk::{ApiError, WxConfig};
use std::sync::Arc;

pub struct JsSdk {
    pub credentials: Arc<Credentials>,
    pub js_domains: Vec<String>,
}

impl JsSdk {
    /// Signs `url` (its `#…` part dropped) with a fresh nonce and timestamp.
    pub async fn sign(&self, url: &str, apis: Option<Vec<String>>) -> Result<WxConfig, ApiError> {
        let url = signature::page_url(url, &self.js_domains)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let ticket = self
            .credentials
            .get(Kind::JsapiTicket)
            .await
            .map_err(api_error)?;
        let nonce_str = signature::nonce();
        let timestamp = crate::db::now();
        Ok(WxConfig {
            app_id: self.credentials.app_id().to_string(),
            timestamp,
            signature: signature::jsapi_signature(&ticket, &nonce_str, timestamp, url),
            nonce_str,
            js_api_list: apis.unwrap_or_else(|| KNOWN_APIS.iter().map(|s| s.to_string()).collect()),
        })
    }
}

/// How a credential failure is told to a browser: with the errcode and its
/// meaning, never with a secret.
pub fn api_error(e: CredentialError) -> ApiError {
    match e {
        CredentialError::Upstream(WeChatError::Api { errcode, errmsg }) => ApiError::WeChat {
            errcode,
            errmsg,
            meaning: errcode_meaning(errcode).to_string(),
        },
        CredentialError::Upstream(other) => ApiError::Unavailable { message: other.to_string() },
        CredentialError::Backoff { kind, errcode, last_error, retry_in_secs } => ApiError::Unavailable {
            message: match errcode {
                Some(code) => format!(
                    "WeChat error {code} ({}) while fetching the {kind}; WeChat is asked again in {retry_in_secs} s",
                    errcode_meaning(code)
                ),
                None => format!("{kind} unavailable ({last_error}); WeChat is asked again in {retry_in_secs} s"),
            },
        },
        CredentialError::LockTimeout(_) => ApiError::Unavailable { message: e.to_string() },
        CredentialError::NoWeCom | CredentialError::Db(_) => ApiError::Internal { message: e.to_string() },
    }
}
