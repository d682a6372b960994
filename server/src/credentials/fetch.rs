//! Asking WeChat (or WeCom) for a credential: the token endpoints and the
//! ticket endpoints, with the one path that calls an API with a token and
//! replaces the token once when WeChat refuses it (40001, 40014, 42001).
//! WeChat's documentation: "获取Access token", "获取稳定版接口调用凭据",
//! "JS-SDK说明文档 附录1 (jsapi_ticket)", "卡券 api_ticket"; WeCom's
//! "获取access_token", "获取企业的jsapi_ticket", "获取应用的jsapi_ticket".

use super::store::Lease;
use super::{CredentialError, Credentials, Kind};
use crate::config::TokenMode;
use crate::wechat::WeChatError;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::future::Future;
use std::sync::Arc;

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    expires_in: i64,
}

#[derive(Deserialize)]
struct TicketReply {
    ticket: String,
    expires_in: i64,
}

/// Why a fetch failed.
pub(super) enum FetchError {
    /// The call to WeChat for this credential failed: counts toward its backoff.
    Upstream(WeChatError),
    /// A credential this one needs (the token of a ticket) could not be had.
    Dependency(CredentialError),
}

impl From<WeChatError> for FetchError {
    fn from(e: WeChatError) -> Self {
        FetchError::Upstream(e)
    }
}

impl From<FetchError> for CredentialError {
    fn from(e: FetchError) -> Self {
        match e {
            FetchError::Upstream(e) => CredentialError::Upstream(e),
            FetchError::Dependency(e) => e,
        }
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Credentials {
    /// Fetches the credential of `lease`, renewing the lease every third of
    /// its length for as long as WeChat takes (within the upstream timeout).
    /// The renewals run beside the fetch, so a slow database never delays
    /// a reply WeChat has already given.
    pub(super) async fn fetch_renewing(
        self: &Arc<Self>,
        lease: &Lease,
        force: bool,
    ) -> Result<(String, i64), FetchError> {
        let this = self.clone();
        let held = lease.clone();
        let renewals = tokio::spawn(async move {
            let every = this.settings.lease / 3;
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let kind = held.kind.as_str();
            loop {
                tick.tick().await;
                match tokio::time::timeout(every, this.store.renew(&held)).await {
                    Ok(Ok(true)) => {}
                    Ok(Ok(false)) => tracing::warn!(
                        kind,
                        "another process took the credential lease over during a slow refresh"
                    ),
                    Ok(Err(e)) => tracing::warn!(kind, "could not renew the credential lease: {e}"),
                    Err(_) => tracing::warn!(kind, "renewing the credential lease timed out"),
                }
            }
        });
        // Stopped when the fetch ends, also when it panics (the guard is
        // dropped while unwinding): a lease is never renewed for nothing.
        let _renewals = AbortOnDrop(renewals);
        self.fetch(lease.kind, force).await
    }

    /// One call to WeChat for `kind`; `force` asks stable_token for a new
    /// token (the stored one was refused).
    async fn fetch(self: &Arc<Self>, kind: Kind, force: bool) -> Result<(String, i64), FetchError> {
        let u = &self.upstream;
        let c = &u.api.client;
        let acc = u.account.get();
        match kind {
            Kind::AccessToken => {
                let reply: TokenReply = match acc.token_mode {
                    TokenMode::ClientCredential => {
                        c.get_json(
                            &u.api.mp("/cgi-bin/token"),
                            &[
                                ("grant_type", "client_credential"),
                                ("appid", &acc.app_id),
                                ("secret", acc.app_secret.expose_secret()),
                            ],
                        )
                        .await?
                    }
                    TokenMode::Stable => {
                        let body = serde_json::json!({
                            "grant_type": "client_credential",
                            "appid": acc.app_id,
                            "secret": acc.app_secret.expose_secret(),
                            "force_refresh": force,
                        });
                        c.post_json(&u.api.mp("/cgi-bin/stable_token"), &body)
                            .await?
                    }
                };
                Ok((reply.access_token, reply.expires_in))
            }
            Kind::WeComToken => {
                let w = acc
                    .wecom
                    .as_ref()
                    .ok_or(FetchError::Dependency(CredentialError::NoWeCom))?;
                let reply: TokenReply = c
                    .get_json(
                        &u.api.wecom("/cgi-bin/gettoken"),
                        &[
                            ("corpid", &w.corp_id),
                            ("corpsecret", w.secret.expose_secret()),
                        ],
                    )
                    .await?;
                Ok((reply.access_token, reply.expires_in))
            }
            Kind::JsapiTicket | Kind::CardTicket => {
                let ty = if kind == Kind::JsapiTicket {
                    "jsapi"
                } else {
                    "wx_card"
                };
                self.ticket(
                    Kind::AccessToken,
                    &u.api.mp("/cgi-bin/ticket/getticket"),
                    &[("type", ty)],
                )
                .await
            }
            Kind::WeComJsapiTicket => {
                self.ticket(
                    Kind::WeComToken,
                    &u.api.wecom("/cgi-bin/get_jsapi_ticket"),
                    &[],
                )
                .await
            }
            Kind::WeComAgentTicket => {
                self.ticket(
                    Kind::WeComToken,
                    &u.api.wecom("/cgi-bin/ticket/get"),
                    &[("type", "agent_config")],
                )
                .await
            }
        }
    }

    /// Fetches a ticket with the token of `token_kind`.
    async fn ticket(
        self: &Arc<Self>,
        token_kind: Kind,
        url: &str,
        extra: &[(&str, &str)],
    ) -> Result<(String, i64), FetchError> {
        let reply: TicketReply = self.get_json_with(token_kind, url, extra).await?;
        Ok((reply.ticket, reply.expires_in))
    }

    /// `GET url?access_token=…&extra…` with the current `token_kind`
    /// (replaced once when WeChat refuses it), its JSON reply decoded.
    pub async fn get_with_token<T: DeserializeOwned>(
        self: &Arc<Self>,
        token_kind: Kind,
        url: &str,
        extra: &[(&str, &str)],
    ) -> Result<T, CredentialError> {
        Ok(self.get_json_with(token_kind, url, extra).await?)
    }

    async fn get_json_with<T: DeserializeOwned>(
        self: &Arc<Self>,
        token_kind: Kind,
        url: &str,
        extra: &[(&str, &str)],
    ) -> Result<T, FetchError> {
        self.with_token(token_kind, |token: String| async move {
            let mut query = vec![("access_token", token.as_str())];
            query.extend_from_slice(extra);
            self.upstream.api.client.get_json(url, &query).await
        })
        .await
    }

    /// Calls `call` with the current `token_kind`; when WeChat refuses the
    /// token, invalidates it, gets a new one and calls once more. Failures to
    /// get the token are [`FetchError::Dependency`], failures of the call
    /// [`FetchError::Upstream`].
    pub(super) async fn with_token<T, F, Fut>(
        self: &Arc<Self>,
        token_kind: Kind,
        call: F,
    ) -> Result<T, FetchError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, WeChatError>>,
    {
        let token = self.get(token_kind).await.map_err(FetchError::Dependency)?;
        match call(token.clone()).await {
            Err(e) if e.token_invalid() => {
                self.invalidate(token_kind, &token)
                    .await
                    .map_err(FetchError::Dependency)?;
                let token = self.get(token_kind).await.map_err(FetchError::Dependency)?;
                Ok(call(token).await?)
            }
            other => Ok(other?),
        }
    }
}
