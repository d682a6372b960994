//! Signing pages for `wx.config`: checks the page URL against the JS interface
//! safe domains, takes the current jsapi_ticket and signs. For a WeCom account
//! the corp ID is the `appId` and the corp jsapi_ticket signs; agent APIs get a
//! `wx.agentConfig` signed with the agent_config ticket.

use crate::config::AccountKind;
use crate::credentials::{CredentialError, Credentials, Kind};
use crate::signature;
use app::backend::{known_apis, AGENT_APIS};
use app::error::ApiError;
use app::jssdk::{AgentConfig, ApiName, WxConfig};
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
    pub async fn sign(&self, url: &str, apis: Option<&[String]>) -> Result<WxConfig, ApiError> {
        let account = self.account.get();
        let url = signature::page_url(url, &account.js_domains)?;
        let (agent_apis, apis): (Vec<ApiName>, Vec<ApiName>) = match apis {
            None => (Vec::new(), known_apis().map(ApiName::Borrowed).collect()),
            Some(apis) => apis
                .iter()
                .map(|a| api_name(a))
                .partition(|a| AGENT_APIS.contains(&a.as_ref())),
        };
        let wecom = match account.kind {
            AccountKind::WeCom => Some(account.wecom.as_ref().ok_or(CredentialError::NoWeCom)?),
            AccountKind::Official => None,
        };
        let (ticket_kind, app_id) = match wecom {
            Some(w) => (Kind::WeComJsapiTicket, w.corp_id.clone()),
            None => (Kind::JsapiTicket, account.app_id.clone()),
        };
        let ticket = self.credentials.get(ticket_kind).await?;
        let nonce_str = signature::nonce();
        let timestamp = crate::db::now();
        let agent = match wecom {
            Some(w) if !agent_apis.is_empty() => {
                let ticket = self.credentials.get(Kind::WeComAgentTicket).await?;
                let nonce_str = signature::nonce();
                crate::telemetry::metrics::signed_agent_config();
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
        crate::telemetry::metrics::signed_config();
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

/// `name` as the known API name it is (borrowed), or a copy of it.
fn api_name(name: &str) -> ApiName {
    known_apis()
        .chain(AGENT_APIS.iter().copied())
        .find(|known| *known == name)
        .map(ApiName::Borrowed)
        .unwrap_or_else(|| ApiName::Owned(name.to_string()))
}
