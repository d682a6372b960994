//! Server credentials: the Official Account access_token (client_credential or
//! stable_token), jsapi_ticket and wx_card api_ticket; the WeCom access_token,
//! corp jsapi_ticket and agent_config ticket. Values never leave the server.
//!
//! One cache for every process serving an account, in two halves: the shared
//! row in the database ([`store`]) and a copy in each process ([`memory`]).
//! It behaves like a production cache:
//! - Stale-while-refresh: while a value is valid (even inside its refresh
//!   margin, or during a backoff after failed fetches) every request is
//!   answered at once from memory; a request waits only when no valid value
//!   exists at all.
//! - A refresh runs as its own task (a "flight"): callers await its shared
//!   result, a caller that goes away cancels nothing, and a fetched value is
//!   always stored. Across processes one refresh runs at a time, under a
//!   lease in the credential's row that the holder renews while it waits for
//!   WeChat and gives up on every path, panics included (a killed process's
//!   lease runs out).
//! - Writes are fenced by the lease's generation, and every time is judged
//!   by the database's clock.
//! - Failures back off exponentially; the backoff is in the row, so every
//!   process honours it, and each process answers from memory until it ends.

mod fetch;
mod flight;
mod memory;
mod store;
mod told;

use crate::config::{Config, WeComConfig};
use crate::wechat::{self, WeChatError};
use app::admin::CredentialHealth;
use memory::{Answer, Slot};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::Store;

/// Which credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    AccessToken,
    JsapiTicket,
    CardTicket,
    WeComToken,
    WeComJsapiTicket,
    WeComAgentTicket,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::AccessToken,
        Kind::JsapiTicket,
        Kind::CardTicket,
        Kind::WeComToken,
        Kind::WeComJsapiTicket,
        Kind::WeComAgentTicket,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AccessToken => "access_token",
            Kind::JsapiTicket => "jsapi_ticket",
            Kind::CardTicket => "wx_card_ticket",
            Kind::WeComToken => "wecom_access_token",
            Kind::WeComJsapiTicket => "wecom_jsapi_ticket",
            Kind::WeComAgentTicket => "wecom_agent_ticket",
        }
    }

    /// The kind named `name` (as [`Kind::as_str`] spells it).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    fn index(self) -> usize {
        Kind::ALL
            .iter()
            .position(|k| *k == self)
            .unwrap_or_default()
    }

    /// The token a ticket is fetched with (`None` for a token).
    fn token(self) -> Option<Kind> {
        match self {
            Kind::JsapiTicket | Kind::CardTicket => Some(Kind::AccessToken),
            Kind::WeComJsapiTicket | Kind::WeComAgentTicket => Some(Kind::WeComToken),
            Kind::AccessToken | Kind::WeComToken => None,
        }
    }

    fn is_wecom(self) -> bool {
        matches!(
            self,
            Kind::WeComToken | Kind::WeComJsapiTicket | Kind::WeComAgentTicket
        )
    }
}

/// Why a credential could not be had. Worded by [`CredentialError::told`]
/// (`told.rs`), in English for its `Display` (logs, the CLI).
#[derive(Debug, Clone)]
pub enum CredentialError {
    Upstream(WeChatError),
    /// The last fetch failed; WeChat is not asked again before the backoff ends.
    Backoff {
        kind: &'static str,
        errcode: Option<i64>,
        last_error: String,
        retry_in_secs: i64,
    },
    /// Another process held the refresh lease for too long.
    LockTimeout(&'static str),
    /// A WeCom credential was asked for, and no WeCom corp is configured.
    NoWeCom,
    /// The refresh task failed in a way it was not written for (a panic);
    /// the details are in the log.
    Internal(&'static str),
    /// The database failed; its text goes to the log only (it can quote SQL
    /// and values), never into this error, which browsers may be shown.
    Db,
    /// The database could not be reached (and no valid value was in memory).
    DbUnavailable,
}

impl From<WeChatError> for CredentialError {
    fn from(e: WeChatError) -> Self {
        CredentialError::Upstream(e)
    }
}

impl std::error::Error for CredentialError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CredentialError::Upstream(e) => Some(e),
            _ => None,
        }
    }
}

/// The database's text is logged here, where it is known (through
/// [`crate::api_error::log_internal`]): the error carries none.
impl From<sqlx::Error> for CredentialError {
    fn from(e: sqlx::Error) -> Self {
        crate::api_error::log_internal("credentials: database error", &e);
        if crate::db::unreachable(&e) {
            CredentialError::DbUnavailable
        } else {
            CredentialError::Db
        }
    }
}

/// Tuning: how early to refresh, how to back off, how long leases last.
#[derive(Debug, Clone)]
pub struct Settings {
    pub margin: Duration,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How long a refresh's lease lasts unless renewed (it is renewed every
    /// third of this while WeChat is being asked); a killed process's lease
    /// runs out after this.
    pub lease: Duration,
    /// How long a value is served from memory before the row is read again
    /// (in the background: no request waits for it).
    pub resync: Duration,
    /// How long a request with no valid value waits for another process's
    /// refresh before it is answered with an error.
    pub wait: Duration,
}

impl Settings {
    pub fn from_config(c: &Config) -> Settings {
        Settings {
            margin: c.refresh_margin,
            backoff_base: c.backoff_base,
            backoff_max: c.backoff_max,
            lease: c.credential_lease,
            resync: Duration::from_secs(30),
            wait: c.upstream_timeout * 2 + c.credential_lease * 2,
        }
    }
}

/// Where credentials come from.
pub struct Upstream {
    pub api: Arc<wechat::Api>,
    /// Whose credentials: AppID, secrets and token mode, live (an admin may edit them).
    pub account: crate::accounts::Account,
}

/// The effective refresh margin of a value, in seconds: the configured one,
/// but never more than half its lifetime (so a short-lived value is not
/// refetched on every use).
fn effective_margin(margin: Duration, lifetime_secs: i64) -> i64 {
    (margin.as_secs() as i64).min(lifetime_secs.max(0) / 2)
}

/// `at + ms`, for a millisecond count that may be negative.
fn after(at: Instant, ms: i64) -> Instant {
    at + Duration::from_millis(ms.max(0) as u64)
}

/// The credential store of one account (and its WeCom corp, when configured).
pub struct Credentials {
    store: Store,
    upstream: Upstream,
    settings: Settings,
    slots: Vec<Slot>,
}

impl Credentials {
    pub fn new(db: sqlx::AnyPool, upstream: Upstream, settings: Settings) -> Credentials {
        Credentials {
            store: Store::new(db, settings.lease),
            upstream,
            settings,
            slots: Kind::ALL.iter().map(|_| Slot::default()).collect(),
        }
    }

    pub fn app_id(&self) -> String {
        self.upstream.account.get().app_id.clone()
    }

    pub fn wecom(&self) -> Option<WeComConfig> {
        self.upstream.account.get().wecom.clone()
    }

    fn account(&self, kind: Kind) -> Result<String, CredentialError> {
        let settings = self.upstream.account.get();
        if kind.is_wecom() {
            let w = settings.wecom.as_ref().ok_or(CredentialError::NoWeCom)?;
            Ok(format!("{}:{}", w.corp_id, w.agent_id))
        } else {
            Ok(settings.app_id.clone())
        }
    }

    fn slot(&self, kind: Kind) -> &Slot {
        &self.slots[kind.index()]
    }

    /// The current value of `kind`. Answered from memory while a valid value
    /// is known (a refresh it needs starts in the background); otherwise
    /// waits for the one refresh under way.
    pub async fn get(self: &Arc<Self>, kind: Kind) -> Result<String, CredentialError> {
        let account = self.account(kind)?;
        match self
            .slot(kind)
            .answer(kind.as_str(), &account, Instant::now())
        {
            Answer::Serve { value, refresh } => {
                if refresh {
                    drop(self.flight(kind, &account));
                }
                Ok(value)
            }
            Answer::Refuse(e) => Err(e),
            Answer::Wait => self.flight(kind, &account).await,
        }
    }

    /// Marks `value` of `kind` as no longer valid, but only if it is still the
    /// stored value (another process may have replaced it already).
    pub async fn invalidate(&self, kind: Kind, value: &str) -> Result<(), CredentialError> {
        let account = self.account(kind)?;
        // Before and after the update: a read of the old row that races with it
        // must not leave the value in the cache.
        self.slot(kind).forget(value);
        let invalidated = self.store.invalidate(&account, kind, value).await?;
        self.slot(kind).forget(value);
        tracing::info!(
            kind = kind.as_str(),
            invalidated,
            "WeChat refused a credential"
        );
        Ok(())
    }

    /// Calls WeChat with the current `token_kind`; when WeChat answers that the
    /// token is invalid (40001, 40014, 42001), invalidates it, fetches a new
    /// one and retries once.
    pub async fn call_with_token<T, F, Fut>(
        self: &Arc<Self>,
        token_kind: Kind,
        call: F,
    ) -> Result<T, CredentialError>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<T, WeChatError>>,
    {
        self.with_token(token_kind, call).await.map_err(Into::into)
    }

    /// Replaces `kind` now: the current value is invalidated (if it is still
    /// the stored one) and a new one fetched through the usual single-flight path.
    pub async fn refresh_now(self: &Arc<Self>, kind: Kind) -> Result<(), CredentialError> {
        if let Ok(current) = self.get(kind).await {
            self.invalidate(kind, &current).await?;
        }
        self.get(kind).await.map(drop)
    }

    /// The state of every credential of this account, without their values
    /// (the dashboard's [`CredentialHealth`]), the last failure worded in `lang`.
    pub async fn health(
        &self,
        lang: app::i18n::Lang,
    ) -> Result<Vec<CredentialHealth>, CredentialError> {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            let Ok(account) = self.account(kind) else {
                continue;
            };
            let row = self.store.health(&account, kind).await?;
            out.push(CredentialHealth {
                kind: kind.as_str().to_string(),
                present: row.present != 0,
                expires_in_secs: row.expires_in_secs,
                fetched_at: row.fetched_at,
                refresh_count: row.refresh_count,
                failures: row.failures,
                last_error: told::last_failure(row.last_errcode, &row.last_error, lang),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_capped_at_half_the_lifetime() {
        let m = Duration::from_secs(300);
        assert_eq!(effective_margin(m, 7200), 300);
        assert_eq!(effective_margin(m, 100), 50);
        assert_eq!(effective_margin(m, -5), 0);
    }

    #[test]
    fn negative_durations_do_not_move_deadlines_back() {
        let t = Instant::now();
        assert_eq!(after(t, -1000), t);
        assert_eq!(after(t, 1500), t + Duration::from_millis(1500));
    }
}
