//! Signing pages for `wx.config`: checks the page URL against the JS interface
//! safe domains, takes the current jsapi_ticket and signs. For a WeCom account
//! the corp ID is the `appId` and the corp jsapi_ticket signs; agent APIs get a
//! `wx.agentConfig` signed with the agent_config ticket.

use crate::config::AccountKind;
use crate::credentials::{CredentialError, Credentials, Kind};
use crate::signature;
use crate::wechat::{errcode_meaning, WeChatError};
use app::backend::{AGENT_APIS, KNOWN_APIS};
use app::jssdk::{AgentConfig, ApiError, WxConfig};
use std::sync::Arc;

pub struct JsSdk {
    pub credentials: Arc<Credentials>,
    /// Kind and JS interface safe domains, live.
    pub account: crate::accounts::Account,
}

impl JsSdk {
    /// Signs `url` (its `#…` part dropped) with a fresh nonce and timestamp.
    /// `apis`: the page's jsApiList (`None`: every API); agent APIs go to the
    /// agentConfig of a WeCom account and are dropped for an Official Account.
    pub async fn sign(&self, url: &str, apis: Option<Vec<String>>) -> Result<WxConfig, ApiError> {
        let account = self.account.get();
        let url = signature::page_url(url, &account.js_domains)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let apis = apis.unwrap_or_else(|| KNOWN_APIS.iter().map(|s| s.to_string()).collect());
        let (agent_apis, apis): (Vec<String>, Vec<String>) = apis
            .into_iter()
            .partition(|a| AGENT_APIS.contains(&a.as_str()));
        let wecom = match account.kind {
            AccountKind::WeCom => Some(
                account
                    .wecom
                    .as_ref()
                    .ok_or_else(|| api_error(CredentialError::NoWeCom))?,
            ),
            AccountKind::Official => None,
        };
        let (ticket_kind, app_id) = match wecom {
            Some(w) => (Kind::WeComJsapiTicket, w.corp_id.clone()),
            None => (Kind::JsapiTicket, account.app_id.clone()),
        };
        let ticket = self.credentials.get(ticket_kind).await.map_err(api_error)?;
        let nonce_str = signature::nonce();
        let timestamp = crate::db::now();
        let agent = match wecom {
            Some(w) if !agent_apis.is_empty() => {
                let ticket = self
                    .credentials
                    .get(Kind::WeComAgentTicket)
                    .await
                    .map_err(api_error)?;
                let nonce_str = signature::nonce();
                Some(AgentConfig {
                    corpid: w.corp_id.clone(),
                    agentid: w.agent_id.clone(),
                    timestamp,
                    signature: signature::jsapi_signature(&ticket, &nonce_str, timestamp, url),
                    nonce_str,
                    js_api_list: agent_apis,
                })
            }
            _ => None,
        };
        Ok(WxConfig {
            app_id,
            timestamp,
            signature: signature::jsapi_signature(&ticket, &nonce_str, timestamp, url),
            nonce_str,
            js_api_list: apis,
            agent,
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
        CredentialError::LockTimeout(_) | CredentialError::DbUnavailable => {
            ApiError::Unavailable { message: e.to_string() }
        }
        CredentialError::NoWeCom | CredentialError::Db | CredentialError::Internal(_) => {
            ApiError::Internal { message: e.to_string() }
        }
    }
}
