//! The WeChat account the pages belong to: the environment (`WXKIT_*`) gives
//! the defaults; an admin's edits are stored in `account_settings` and shared
//! live by the credentials, the signing and the OAuth code of every process
//! (each re-reads the row every few seconds). Secrets are write-only: they can
//! be replaced, never read back.

use crate::config::{fields, AccountKind, Config, TokenMode, WeComConfig};
use app::admin::AccountForm;
use secrecy::{ExposeSecret, SecretString};
use sqlx::AnyPool;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// One account's settings, as every part of wxkit reads them.
#[derive(Debug, Clone)]
pub struct AccountSettings {
    pub kind: AccountKind,
    pub app_id: String,
    pub app_secret: SecretString,
    pub wecom: Option<WeComConfig>,
    pub js_domains: Vec<String>,
    pub token_mode: TokenMode,
}

impl AccountSettings {
    /// The environment's account.
    pub fn from_config(c: &Config) -> AccountSettings {
        AccountSettings {
            kind: c.account_kind,
            app_id: c.app_id.clone(),
            app_secret: c.app_secret.clone(),
            wecom: c.wecom.clone(),
            js_domains: c.js_domains.clone(),
            token_mode: c.token_mode,
        }
    }

    /// The ID users authorize and pages are signed for: the AppID, or the corp ID.
    pub fn account_id(&self) -> &str {
        match (self.kind, &self.wecom) {
            (AccountKind::WeCom, Some(w)) => &w.corp_id,
            _ => &self.app_id,
        }
    }
}

/// A field of an [`AccountForm`] that is wrong.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// A wrong field is named to the form; a database failure is worded by
/// [`crate::api_error::DbFailure`].
impl From<AccountError> for app::error::ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid { field, message } => app::error::ApiError::Invalid {
                message: format!("{field}: {message}"),
                fields: vec![app::error::FieldError {
                    field: field.to_string(),
                    message,
                }],
            },
            AccountError::Db(e) => crate::api_error::DbFailure(e).into(),
        }
    }
}

fn invalid(field: &'static str, message: &str) -> AccountError {
    AccountError::Invalid {
        field,
        message: message.into(),
    }
}

/// The shared, live account settings of this process.
#[derive(Clone)]
pub struct Account {
    current: Arc<RwLock<Arc<AccountSettings>>>,
    /// `updated_ms` of the stored row applied last (0: the environment's).
    stamp: Arc<AtomicI64>,
    db: AnyPool,
}

impl Account {
    /// The environment's settings, overridden by the stored ones when an admin saved some.
    pub async fn load(db: AnyPool, defaults: AccountSettings) -> Result<Account, sqlx::Error> {
        let account = Account {
            current: Arc::new(RwLock::new(Arc::new(defaults))),
            stamp: Arc::new(AtomicI64::new(0)),
            db,
        };
        account.reload().await?;
        Ok(account)
    }

    /// The settings now.
    pub fn get(&self) -> Arc<AccountSettings> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Applies the stored settings when they changed since the last look.
    pub async fn reload(&self) -> Result<bool, sqlx::Error> {
        type Stored = (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            i64,
        );
        let row: Option<Stored> = sqlx::query_as(
            "SELECT kind, app_id, app_secret, corp_id, corp_secret, agent_id, js_domains, token_mode, updated_ms
             FROM account_settings WHERE id = 'default'",
        )
        .fetch_optional(&self.db)
        .await?;
        let Some((
            kind,
            app_id,
            app_secret,
            corp_id,
            corp_secret,
            agent_id,
            js_domains,
            token_mode,
            updated_ms,
        )) = row
        else {
            return Ok(false);
        };
        if updated_ms == self.stamp.load(Ordering::SeqCst) {
            return Ok(false);
        }
        let settings = AccountSettings {
            // Stored by `save`, which accepted them through the same parsers.
            kind: fields::account_kind(&kind).unwrap_or(AccountKind::Official),
            app_id,
            app_secret: SecretString::from(app_secret),
            wecom: (!corp_id.is_empty()).then(|| WeComConfig {
                corp_id,
                secret: SecretString::from(corp_secret),
                agent_id,
            }),
            js_domains: js_domains
                .split(',')
                .map(str::to_string)
                .filter(|d| !d.is_empty())
                .collect(),
            token_mode: fields::token_mode(&token_mode).unwrap_or(TokenMode::ClientCredential),
        };
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(settings);
        self.stamp.store(updated_ms, Ordering::SeqCst);
        Ok(true)
    }

    /// Re-reads the stored settings every `every`, so an edit made through
    /// another process reaches this one.
    pub fn spawn_reload(&self, every: Duration) {
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                match me.reload().await {
                    Ok(true) => tracing::info!("account settings changed: applied"),
                    Ok(false) => {}
                    Err(e) => tracing::warn!("could not read the account settings: {e}"),
                }
            }
        });
    }

    /// Validates and stores an edit, and applies it here at once. Returns what
    /// changed, in words without secrets (for the audit log). The form's
    /// `password` is not read here: the caller confirms it before a secret is
    /// replaced.
    pub async fn save(&self, e: &AccountForm) -> Result<String, AccountError> {
        let now = self.get();
        let kind = fields::account_kind(&e.kind).map_err(|m| invalid("kind", m))?;
        let app_id = fields::app_id(&e.app_id).map_err(|m| invalid("app_id", m))?;
        let js_domains = fields::js_domains(&e.js_domains).map_err(|m| invalid("js_domains", m))?;
        let token_mode = fields::token_mode(&e.token_mode)
            .map_err(|m| invalid("token_mode", m))?
            .as_str();
        let keep = |new: &str, old: Option<&SecretString>| -> String {
            if new.trim().is_empty() {
                old.map(|s| s.expose_secret().to_string())
                    .unwrap_or_default()
            } else {
                new.trim().to_string()
            }
        };
        let app_secret = keep(&e.app_secret, Some(&now.app_secret));
        if app_secret.is_empty() {
            return Err(invalid("app_secret", "required"));
        }
        let corp_id = e.corp_id.trim();
        let agent_id = e.agent_id.trim();
        let corp_secret = keep(&e.corp_secret, now.wecom.as_ref().map(|w| &w.secret));
        if !corp_id.is_empty() || kind == AccountKind::WeCom {
            fields::corp_id(corp_id).map_err(|m| invalid("corp_id", m))?;
            fields::agent_id(agent_id).map_err(|m| invalid("agent_id", m))?;
            if corp_secret.is_empty() {
                return Err(invalid("corp_secret", "required for a WeCom corp"));
            }
        }
        let updated_ms = crate::db::now_ms().max(self.stamp.load(Ordering::SeqCst) + 1);
        sqlx::query(
            "INSERT INTO account_settings (id, kind, app_id, app_secret, corp_id, corp_secret, agent_id,
                                           js_domains, token_mode, updated_ms)
             VALUES ('default', $1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, app_id = excluded.app_id,
                app_secret = excluded.app_secret, corp_id = excluded.corp_id,
                corp_secret = excluded.corp_secret, agent_id = excluded.agent_id,
                js_domains = excluded.js_domains, token_mode = excluded.token_mode,
                updated_ms = excluded.updated_ms",
        )
        .bind(kind.as_str())
        .bind(&app_id)
        .bind(&app_secret)
        .bind(corp_id)
        .bind(&corp_secret)
        .bind(agent_id)
        .bind(js_domains.join(","))
        .bind(token_mode)
        .bind(updated_ms)
        .execute(&self.db)
        .await?;
        self.reload().await?;
        let mut changed = Vec::new();
        if !e.app_secret.trim().is_empty() {
            changed.push("app_secret replaced".to_string());
        }
        if !e.corp_secret.trim().is_empty() {
            changed.push("corp_secret replaced".to_string());
        }
        changed.push(format!(
            "kind={} app_id={app_id} corp_id={corp_id} agent_id={agent_id} js_domains={} token_mode={}",
            e.kind,
            js_domains.join(","),
            e.token_mode
        ));
        Ok(changed.join("; "))
    }

    /// The account for the dashboard: secrets reduced to whether they are set.
    pub fn info(&self, mp_token_set: bool) -> app::admin::AccountInfo {
        let a = self.get();
        app::admin::AccountInfo {
            kind: a.kind.as_str().into(),
            app_id: a.app_id.clone(),
            corp_id: a
                .wecom
                .as_ref()
                .map(|w| w.corp_id.clone())
                .unwrap_or_default(),
            agent_id: a
                .wecom
                .as_ref()
                .map(|w| w.agent_id.clone())
                .unwrap_or_default(),
            js_domains: a.js_domains.clone(),
            token_mode: a.token_mode.as_str().into(),
            app_secret_set: !a.app_secret.expose_secret().is_empty(),
            corp_secret_set: a
                .wecom
                .as_ref()
                .is_some_and(|w| !w.secret.expose_secret().is_empty()),
            mp_token_set,
        }
    }
}
