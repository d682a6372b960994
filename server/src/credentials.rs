//! Server credentials: the Official Account access_token (client_credential or
//! stable_token), jsapi_ticket and wx_card api_ticket; the WeCom access_token,
//! corp jsapi_ticket and agent_config ticket.
//!
//! One cache for every process serving an account: values live in the database
//! (table `credentials`); each process keeps a read-through copy in memory.
//! A refresh happens when less than the margin remains, once: a per-credential
//! mutex inside the process, then a lease lock in the database (table `locks`)
//! across processes, then a re-check before WeChat is asked. Failures back off
//! exponentially (state in the row, so every process honours it) while a
//! still-valid value keeps being served. Values never leave the server.

use crate::config::{Config, TokenMode, WeComConfig};
use crate::db::{now, now_ms};
use crate::wechat::{self, WeChatError};
use secrecy::ExposeSecret;
use serde::Deserialize;
use sqlx::AnyPool;
use std::future::Future;
use std::pin::Pin;
use std::sync::RwLock;
use std::time::{Duration, Instant};

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

    fn is_wecom(self) -> bool {
        matches!(
            self,
            Kind::WeComToken | Kind::WeComJsapiTicket | Kind::WeComAgentTicket
        )
    }
}

/// Why a credential could not be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CredentialError {
    #[error(transparent)]
    Upstream(#[from] WeChatError),
    #[error("{kind} is unavailable: the last fetch failed ({last_error}); WeChat is asked again in {retry_in_secs} s")]
    Backoff {
        kind: &'static str,
        errcode: Option<i64>,
        last_error: String,
        retry_in_secs: i64,
    },
    #[error("timed out waiting for another process to refresh {0}")]
    LockTimeout(&'static str),
    #[error(
        "WeCom is not configured (WXKIT_WECOM_CORP_ID, WXKIT_WECOM_SECRET, WXKIT_WECOM_AGENT_ID)"
    )]
    NoWeCom,
    /// The database failed; its text goes to the log only (it can quote SQL
    /// and values), never into this error, which browsers may be shown.
    #[error("database error")]
    Db,
}

impl From<sqlx::Error> for CredentialError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!("credentials: database error: {e}");
        CredentialError::Db
    }
}

/// Tuning: how early to refresh, how to back off.
#[derive(Debug, Clone)]
pub struct Settings {
    pub margin: Duration,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How long a refresh may hold the database lock before another process may take it.
    pub lease: Duration,
    /// How long a value read from the database is trusted in memory before it is re-read.
    pub resync: Duration,
}

impl Settings {
    pub fn from_config(c: &Config) -> Settings {
        Settings {
            margin: c.refresh_margin,
            backoff_base: c.backoff_base,
            backoff_max: c.backoff_max,
            lease: c.upstream_timeout * 3 + Duration::from_secs(5),
            resync: Duration::from_secs(30),
        }
    }
}

/// Where credentials come from.
pub struct Upstream {
    pub client: wechat::Client,
    pub api: String,
    pub wecom_api: String,
    /// Whose credentials: AppID, secrets and token mode, live (an admin may edit them).
    pub account: crate::accounts::Account,
}

#[derive(Clone)]
struct Cached {
    /// The account the value belongs to (the settings may change).
    account: String,
    value: String,
    expires_at: i64,
    fetched_at: i64,
    loaded: Instant,
}

#[derive(Default)]
struct Slot {
    flight: tokio::sync::Mutex<()>,
    cache: RwLock<Option<Cached>>,
    /// Bumped by every invalidation: a value read from the database before
    /// one must not be cached after it.
    generation: std::sync::atomic::AtomicU64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    value: String,
    expires_at: i64,
    fetched_at: i64,
    failures: i64,
    backoff_until_ms: i64,
    last_error: String,
    last_errcode: i64,
}

/// The state of one credential, for health displays. Never holds the value.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Health {
    pub kind: &'static str,
    pub present: bool,
    pub expires_in_secs: i64,
    pub fetched_at: i64,
    pub refresh_count: i64,
    pub failures: i64,
    pub last_error: String,
}

/// The effective refresh margin of a value: the configured one, but never more
/// than half its lifetime (so a short-lived value is not refetched on every use).
fn effective_margin(margin: Duration, expires_at: i64, fetched_at: i64) -> i64 {
    (margin.as_secs() as i64).min((expires_at - fetched_at).max(0) / 2)
}

fn is_fresh(margin: Duration, value: &str, expires_at: i64, fetched_at: i64, now: i64) -> bool {
    !value.is_empty() && now < expires_at - effective_margin(margin, expires_at, fetched_at)
}

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

/// The credential store of one account (and its WeCom corp, when configured).
pub struct Credentials {
    db: AnyPool,
    upstream: Upstream,
    settings: Settings,
    holder: String,
    slots: Vec<Slot>,
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl Credentials {
    pub fn new(db: AnyPool, upstream: Upstream, settings: Settings) -> Credentials {
        Credentials {
            db,
            upstream,
            settings,
            holder: crate::signature::nonce(),
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

    fn generation(&self, kind: Kind) -> u64 {
        self.slot(kind)
            .generation
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    fn cached(&self, kind: Kind) -> Option<String> {
        let guard = self
            .slot(kind)
            .cache
            .read()
            .unwrap_or_else(|e| e.into_inner());
        let c = guard.as_ref()?;
        (c.account == self.account(kind).ok()?
            && c.loaded.elapsed() < self.settings.resync
            && is_fresh(
                self.settings.margin,
                &c.value,
                c.expires_at,
                c.fetched_at,
                now(),
            ))
        .then(|| c.value.clone())
    }

    fn remember(&self, kind: Kind, value: &str, expires_at: i64, fetched_at: i64) {
        *self
            .slot(kind)
            .cache
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(Cached {
            account: self.account(kind).unwrap_or_default(),
            value: value.to_string(),
            expires_at,
            fetched_at,
            loaded: Instant::now(),
        });
    }

    /// The current value of `kind`, refreshed first when less than the margin remains.
    pub fn get(&self, kind: Kind) -> BoxFuture<'_, Result<String, CredentialError>> {
        Box::pin(async move {
            if let Some(v) = self.cached(kind) {
                return Ok(v);
            }
            let _flight = self.slot(kind).flight.lock().await;
            if let Some(v) = self.cached(kind) {
                return Ok(v);
            }
            let account = self.account(kind)?;
            let deadline = Instant::now() + self.settings.lease * 2;
            loop {
                let generation = self.generation(kind);
                let row = self.load(&account, kind).await?;
                if let Some(v) = self.usable(kind, row.as_ref(), generation)? {
                    return Ok(v);
                }
                if self.try_lock(&account, kind).await? {
                    let result = self.refresh_locked(&account, kind).await;
                    if let Err(e) = self.unlock(&account, kind).await {
                        tracing::warn!(
                            kind = kind.as_str(),
                            "could not release the credential lock: {e}"
                        );
                    }
                    return result;
                }
                if Instant::now() > deadline {
                    return Err(CredentialError::LockTimeout(kind.as_str()));
                }
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
        })
    }

    /// A stored value that may be used without asking WeChat: a fresh one, or,
    /// while WeChat is backed off, one that has not expired yet. `Err` when
    /// backed off with nothing valid to serve; `Ok(None)` when a refresh is due.
    fn usable(
        &self,
        kind: Kind,
        row: Option<&Row>,
        generation: u64,
    ) -> Result<Option<String>, CredentialError> {
        let Some(r) = row else { return Ok(None) };
        let now = now();
        if is_fresh(
            self.settings.margin,
            &r.value,
            r.expires_at,
            r.fetched_at,
            now,
        ) {
            // Not if it was invalidated since it was read.
            if self.generation(kind) == generation {
                self.remember(kind, &r.value, r.expires_at, r.fetched_at);
            }
            return Ok(Some(r.value.clone()));
        }
        let wait_ms = r.backoff_until_ms - now_ms();
        if wait_ms > 0 {
            if !r.value.is_empty() && r.expires_at > now {
                return Ok(Some(r.value.clone()));
            }
            return Err(CredentialError::Backoff {
                kind: kind.as_str(),
                errcode: (r.last_errcode != 0).then_some(r.last_errcode),
                last_error: r.last_error.clone(),
                retry_in_secs: (wait_ms + 999) / 1000,
            });
        }
        Ok(None)
    }

    async fn refresh_locked(&self, account: &str, kind: Kind) -> Result<String, CredentialError> {
        // Re-check: another process may have refreshed while we waited for the lock.
        let generation = self.generation(kind);
        let row = self.load(account, kind).await?;
        if let Some(v) = self.usable(kind, row.as_ref(), generation)? {
            return Ok(v);
        }
        // A value invalidated after a 40001 must not come back from stable_token.
        let force = row
            .as_ref()
            .is_some_and(|r| !r.value.is_empty() && r.expires_at == 0);
        match self.fetch(kind, force).await {
            Ok((value, expires_in)) => {
                let fetched_at = now();
                let expires_at = fetched_at + expires_in.max(1);
                sqlx::query(
                    "INSERT INTO credentials (account, kind, value, expires_at, fetched_at, refresh_count)
                     VALUES ($1, $2, $3, $4, $5, 1)
                     ON CONFLICT (account, kind) DO UPDATE SET value = excluded.value,
                       expires_at = excluded.expires_at, fetched_at = excluded.fetched_at,
                       refresh_count = credentials.refresh_count + 1, failures = 0, backoff_until_ms = 0",
                )
                .bind(account)
                .bind(kind.as_str())
                .bind(&value)
                .bind(expires_at)
                .bind(fetched_at)
                .execute(&self.db)
                .await?;
                self.remember(kind, &value, expires_at, fetched_at);
                tracing::info!(kind = kind.as_str(), expires_in, "fetched a new credential");
                Ok(value)
            }
            Err(FetchError::Dependency(e)) => Err(e),
            Err(FetchError::Upstream(e)) => {
                let failures = row.as_ref().map_or(0, |r| r.failures) + 1;
                let backoff = self.backoff(failures);
                tracing::warn!(
                    kind = kind.as_str(),
                    failures,
                    backoff_ms = backoff.as_millis() as u64,
                    "fetching a credential failed: {e}"
                );
                sqlx::query(
                    "INSERT INTO credentials (account, kind, failures, backoff_until_ms, last_error, last_errcode, last_error_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (account, kind) DO UPDATE SET failures = excluded.failures,
                       backoff_until_ms = excluded.backoff_until_ms, last_error = excluded.last_error,
                       last_errcode = excluded.last_errcode, last_error_at = excluded.last_error_at",
                )
                .bind(account)
                .bind(kind.as_str())
                .bind(failures)
                .bind(now_ms() + backoff.as_millis() as i64)
                .bind(e.to_string())
                .bind(e.errcode().unwrap_or_default())
                .bind(now())
                .execute(&self.db)
                .await?;
                match row {
                    Some(r) if !r.value.is_empty() && r.expires_at > now() => Ok(r.value),
                    _ => Err(CredentialError::Upstream(e)),
                }
            }
        }
    }

    /// Exponential backoff: base × 2^(failures−1), capped.
    fn backoff(&self, failures: i64) -> Duration {
        let exp = (failures - 1).clamp(0, 20) as u32;
        self.settings
            .backoff_base
            .saturating_mul(1u32 << exp)
            .min(self.settings.backoff_max)
    }

    /// Drops `value` from this process's cache and stops reads already under
    /// way from caching it again.
    fn forget(&self, kind: Kind, value: &str) {
        let slot = self.slot(kind);
        slot.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut cache = slot.cache.write().unwrap_or_else(|e| e.into_inner());
        if cache.as_ref().is_some_and(|c| c.value == value) {
            *cache = None;
        }
    }

    /// Marks `value` of `kind` as no longer valid, but only if it is still the
    /// stored value (another process may have replaced it already).
    pub async fn invalidate(&self, kind: Kind, value: &str) -> Result<(), CredentialError> {
        let account = self.account(kind)?;
        // Before and after the update: a read of the old row that races with it
        // must not leave the value in the cache.
        self.forget(kind, value);
        let done = sqlx::query(
            "UPDATE credentials SET expires_at = 0 WHERE account = $1 AND kind = $2 AND value = $3",
        )
        .bind(&account)
        .bind(kind.as_str())
        .bind(value)
        .execute(&self.db)
        .await?;
        self.forget(kind, value);
        tracing::info!(
            kind = kind.as_str(),
            invalidated = done.rows_affected(),
            "WeChat refused a credential"
        );
        Ok(())
    }

    /// Calls WeChat with the current `token_kind`; when WeChat answers that the
    /// token is invalid (40001, 40014, 42001), invalidates it, fetches a new
    /// one and retries once.
    pub async fn call_with_token<T, F, Fut>(
        &self,
        token_kind: Kind,
        call: F,
    ) -> Result<T, CredentialError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, WeChatError>>,
    {
        let token = self.get(token_kind).await?;
        match call(token.clone()).await {
            Err(e) if e.token_invalid() => {
                self.invalidate(token_kind, &token).await?;
                let token = self.get(token_kind).await?;
                Ok(call(token).await?)
            }
            other => Ok(other?),
        }
    }

    async fn fetch(&self, kind: Kind, force: bool) -> Result<(String, i64), FetchError> {
        let u = &self.upstream;
        let c = &u.client;
        let acc = u.account.get();
        match kind {
            Kind::AccessToken => {
                let reply: TokenReply = match acc.token_mode {
                    TokenMode::ClientCredential => {
                        c.get_json(
                            &format!("{}/cgi-bin/token", u.api),
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
                        c.post_json(&format!("{}/cgi-bin/stable_token", u.api), &body)
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
                        &format!("{}/cgi-bin/gettoken", u.wecom_api),
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
                    &format!("{}/cgi-bin/ticket/getticket", u.api),
                    &[("type", ty)],
                )
                .await
            }
            Kind::WeComJsapiTicket => {
                self.ticket(
                    Kind::WeComToken,
                    &format!("{}/cgi-bin/get_jsapi_ticket", u.wecom_api),
                    &[],
                )
                .await
            }
            Kind::WeComAgentTicket => {
                self.ticket(
                    Kind::WeComToken,
                    &format!("{}/cgi-bin/ticket/get", u.wecom_api),
                    &[("type", "agent_config")],
                )
                .await
            }
        }
    }

    /// Fetches a ticket with the token of `token_kind`, keeping apart failures
    /// of the token (not this ticket's fault) from failures of the ticket call.
    async fn ticket(
        &self,
        token_kind: Kind,
        url: &str,
        extra: &[(&str, &str)],
    ) -> Result<(String, i64), FetchError> {
        let call = |token: String| async move {
            let mut query = vec![("access_token", token.as_str())];
            query.extend_from_slice(extra);
            self.upstream
                .client
                .get_json::<TicketReply>(url, &query)
                .await
        };
        let token = self.get(token_kind).await.map_err(FetchError::Dependency)?;
        let reply = match call(token.clone()).await {
            Err(e) if e.token_invalid() => {
                self.invalidate(token_kind, &token)
                    .await
                    .map_err(FetchError::Dependency)?;
                let token = self.get(token_kind).await.map_err(FetchError::Dependency)?;
                call(token).await?
            }
            other => other?,
        };
        Ok((reply.ticket, reply.expires_in))
    }

    async fn load(&self, account: &str, kind: Kind) -> Result<Option<Row>, CredentialError> {
        Ok(sqlx::query_as::<_, Row>(
            "SELECT value, expires_at, fetched_at, failures, backoff_until_ms, last_error, last_errcode
             FROM credentials WHERE account = $1 AND kind = $2",
        )
        .bind(account)
        .bind(kind.as_str())
        .fetch_optional(&self.db)
        .await?)
    }

    fn lock_name(account: &str, kind: Kind) -> String {
        format!("credential:{account}:{}", kind.as_str())
    }

    async fn try_lock(&self, account: &str, kind: Kind) -> Result<bool, CredentialError> {
        let now = now_ms();
        let done = sqlx::query(
            "INSERT INTO locks (name, holder, expires_at_ms) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms
             WHERE locks.expires_at_ms < $4",
        )
        .bind(Self::lock_name(account, kind))
        .bind(&self.holder)
        .bind(now + self.settings.lease.as_millis() as i64)
        .bind(now)
        .execute(&self.db)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn unlock(&self, account: &str, kind: Kind) -> Result<(), CredentialError> {
        sqlx::query("DELETE FROM locks WHERE name = $1 AND holder = $2")
            .bind(Self::lock_name(account, kind))
            .bind(&self.holder)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Replaces `kind` now: the current value is invalidated (if it is still
    /// the stored one) and a new one fetched through the usual single-flight path.
    pub async fn refresh_now(&self, kind: Kind) -> Result<(), CredentialError> {
        if let Ok(current) = self.get(kind).await {
            self.invalidate(kind, &current).await?;
        }
        self.get(kind).await.map(drop)
    }

    /// The state of every credential of this account, without their values.
    pub async fn health(&self) -> Result<Vec<Health>, CredentialError> {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            let Ok(account) = self.account(kind) else {
                continue;
            };
            let row: Option<(String, i64, i64, i64, i64, String)> = sqlx::query_as(
                "SELECT value, expires_at, fetched_at, refresh_count, failures, last_error
                 FROM credentials WHERE account = $1 AND kind = $2",
            )
            .bind(&account)
            .bind(kind.as_str())
            .fetch_optional(&self.db)
            .await?;
            let (value, expires_at, fetched_at, refresh_count, failures, last_error) =
                row.unwrap_or_default();
            out.push(Health {
                kind: kind.as_str(),
                present: !value.is_empty() && expires_at > now(),
                expires_in_secs: (expires_at - now()).max(0),
                fetched_at,
                refresh_count,
                failures,
                last_error,
            });
        }
        Ok(out)
    }
}

enum FetchError {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_capped_at_half_the_lifetime() {
        let m = Duration::from_secs(300);
        assert_eq!(effective_margin(m, 7200, 0), 300);
        assert_eq!(effective_margin(m, 100, 0), 50);
        assert!(is_fresh(m, "v", 7200, 0, 6899));
        assert!(!is_fresh(m, "v", 7200, 0, 6900));
        assert!(!is_fresh(m, "", 7200, 0, 0));
    }
}
