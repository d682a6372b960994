//! The users' web tokens (table `web_tokens`): kept server side, never sent
//! to the browser, and used to fetch a profile again when it is stale.
//!
//! Invariants:
//! - A stored access token is used while `sns/auth` accepts it (and it has
//!   more than a minute left); otherwise it is refreshed with the refresh
//!   token.
//! - The refresh token lives about 30 days from when WeChat issued it: a
//!   refresh that returns the same refresh token keeps its expiry.
//! - A refresh WeChat refuses deletes the stored tokens: the user authorizes
//!   again ([`TokenTrouble::Reauthorize`]). When WeChat cannot be asked
//!   ([`TokenTrouble::Transient`]) what is stored is kept.

use super::{OAuth, ProfileReply, WebTokenReply};
use crate::wechat::WeChatError;
use serde::Deserialize;

/// How long WeChat's refresh_token lives (about 30 days).
pub(super) const REFRESH_TTL_SECS: i64 = 30 * 86_400;

#[derive(sqlx::FromRow)]
struct TokenRow {
    access_token: String,
    expires_at: i64,
    refresh_token: String,
    refresh_expires_at: i64,
}

/// Why a stored web token cannot be used.
pub(super) enum TokenTrouble {
    /// WeChat no longer accepts it and it cannot be refreshed: authorize again.
    Reauthorize,
    /// WeChat could not be asked now; keep what is stored.
    Transient(String),
}

impl OAuth {
    /// Stores a web token; `refresh_expires_at` None keeps the stored one.
    pub(super) async fn store_token(
        &self,
        openid: &str,
        t: &WebTokenReply,
        now: i64,
        refresh_expires_at: Option<i64>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO web_tokens (account, openid, access_token, expires_at, refresh_token,
                                     refresh_expires_at, scope, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (account, openid) DO UPDATE SET
                access_token = excluded.access_token, expires_at = excluded.expires_at,
                refresh_token = excluded.refresh_token,
                refresh_expires_at = CASE WHEN $9 = 1 THEN excluded.refresh_expires_at
                                          ELSE web_tokens.refresh_expires_at END,
                scope = excluded.scope, updated_at = excluded.updated_at",
        )
        .bind(self.account_id())
        .bind(openid)
        .bind(&t.access_token)
        .bind(now + t.expires_in)
        .bind(&t.refresh_token)
        .bind(refresh_expires_at.unwrap_or(now + REFRESH_TTL_SECS))
        .bind(&t.scope)
        .bind(now)
        .bind(i64::from(refresh_expires_at.is_some()))
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub(super) async fn refresh_profile(&self, openid: &str) -> Result<ProfileReply, TokenTrouble> {
        let token = self.web_token(openid).await?;
        match self.fetch_profile(&token, openid).await {
            Ok(p) => Ok(p),
            Err(WeChatError::Api { errcode, errmsg }) => {
                tracing::info!("userinfo refused ({errcode} {errmsg}): authorizing again");
                Err(TokenTrouble::Reauthorize)
            }
            Err(e) => Err(TokenTrouble::Transient(e.to_string())),
        }
    }

    /// A web access token WeChat accepts now: the stored one when `sns/auth`
    /// says it is valid, else a refreshed one.
    async fn web_token(&self, openid: &str) -> Result<String, TokenTrouble> {
        let row: Option<TokenRow> = sqlx::query_as(
            "SELECT access_token, expires_at, refresh_token, refresh_expires_at
             FROM web_tokens WHERE account = $1 AND openid = $2",
        )
        .bind(self.account_id())
        .bind(openid)
        .fetch_optional(&self.db)
        .await
        .map_err(|e| TokenTrouble::Transient(e.to_string()))?;
        let Some(row) = row else {
            return Err(TokenTrouble::Reauthorize);
        };
        let now = crate::db::now();
        if now < row.expires_at - 60 {
            #[derive(Deserialize)]
            struct Check {}
            let checked: Result<Check, WeChatError> = self
                .api
                .client
                .get_json(
                    &self.api.mp("/sns/auth"),
                    &[
                        ("access_token", row.access_token.as_str()),
                        ("openid", openid),
                    ],
                )
                .await;
            match checked {
                Ok(_) => return Ok(row.access_token),
                Err(WeChatError::Api { .. }) => {}
                Err(e) => return Err(TokenTrouble::Transient(e.to_string())),
            }
        }
        self.refresh(openid, &row, now).await
    }

    async fn refresh(
        &self,
        openid: &str,
        row: &TokenRow,
        now: i64,
    ) -> Result<String, TokenTrouble> {
        let settings = self.account.get();
        if now >= row.refresh_expires_at {
            return Err(TokenTrouble::Reauthorize);
        }
        let reply: Result<WebTokenReply, WeChatError> = self
            .api
            .client
            .get_json(
                &self.api.mp("/sns/oauth2/refresh_token"),
                &[
                    ("appid", settings.app_id.as_str()),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", row.refresh_token.as_str()),
                ],
            )
            .await;
        match reply {
            Ok(t) => {
                let renewed =
                    (t.refresh_token != row.refresh_token).then_some(now + REFRESH_TTL_SECS);
                self.store_token(openid, &t, now, renewed)
                    .await
                    .map_err(|e| TokenTrouble::Transient(e.to_string()))?;
                Ok(t.access_token)
            }
            Err(WeChatError::Api { errcode, errmsg }) => {
                tracing::info!("web token refresh refused ({errcode} {errmsg}): authorizing again");
                let _ = sqlx::query("DELETE FROM web_tokens WHERE account = $1 AND openid = $2")
                    .bind(self.account_id())
                    .bind(openid)
                    .execute(&self.db)
                    .await;
                Err(TokenTrouble::Reauthorize)
            }
            Err(e) => Err(TokenTrouble::Transient(e.to_string())),
        }
    }
}
