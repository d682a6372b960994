//! The callback and the code exchange: the code WeChat sends back is
//! exchanged on the server (Official Account: `sns/oauth2/access_token`, then
//! `sns/userinfo` when the user granted `snsapi_userinfo`; WeCom:
//! `auth/getuserinfo`, then the member's name and avatar from `user/get`), the
//! user is stored and the session signed in.
//!
//! Invariants:
//! - The state is checked (see [`super::attempt`]) before the code is used; a
//!   second use of the same state only sends the visitor back to the page.
//! - The session gets a new id when it signs in (no session fixation).
//! - An Official Account's user is stored with the scope WeChat granted, not
//!   the one asked for (a WeCom member with the one asked for: the corp
//!   directory stands in for the consent). A stored `snsapi_userinfo` is
//!   never lowered, and a stored profile is replaced only by a fetched one
//!   (`profile_at`).
//! - A WeCom member is keyed by userid, else by openid.

use super::attempt::Attempt;
use super::web_tokens::REFRESH_TTL_SECS;
use super::{safe_return, CallbackError, OAuth, ProfileReply, SessionUser, WebTokenReply, USER};
use crate::config::AccountKind;
use crate::credentials::{CredentialError, Kind};
use crate::wechat::WeChatError;
use app::scope::Scope;
use secrecy::ExposeSecret;
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Deserialize)]
struct WeComIdentity {
    #[serde(default)]
    userid: String,
    #[serde(default, rename = "UserId")]
    user_id: String,
    #[serde(default)]
    openid: String,
    #[serde(default, rename = "OpenId")]
    open_id: String,
}

#[derive(Deserialize)]
struct WeComMember {
    #[serde(default)]
    name: String,
    #[serde(default)]
    avatar: String,
    #[serde(default)]
    gender: String,
}

impl OAuth {
    /// The callback: checks the state against this browser's attempt,
    /// exchanges the code, stores the user and signs the session in. `Ok` is
    /// the path to return to.
    pub async fn callback(
        &self,
        session: &Session,
        attempt: Option<Attempt>,
        code: Option<&str>,
        state: Option<&str>,
    ) -> Result<String, CallbackError> {
        let (attempt, first_use) = self.consume_state(attempt, state).await?;
        let retry = safe_return(&attempt.return_to);
        if !first_use {
            // The same browser again (WeChat's webview may load the redirect
            // twice): back to the page, which lets a signed-in visitor in.
            return Ok(retry);
        }
        let Some(code) = code.filter(|c| !c.is_empty()) else {
            return Err(CallbackError::Refused { retry });
        };
        let user = match self.kind() {
            AccountKind::Official => self.exchange_official(code, &attempt.scope, &retry).await?,
            AccountKind::WeCom => self.exchange_wecom(code, &attempt.scope, &retry).await?,
        };
        // A new session id for the signed-in visitor (no session fixation).
        session.cycle_id().await?;
        session.insert(USER, &user).await?;
        Ok(retry)
    }

    async fn exchange_official(
        &self,
        code: &str,
        asked: &str,
        retry: &str,
    ) -> Result<SessionUser, CallbackError> {
        let settings = self.account.get();
        let reply: WebTokenReply = self
            .api
            .client
            .get_json(
                &self.api.mp("/sns/oauth2/access_token"),
                &[
                    ("appid", settings.app_id.as_str()),
                    ("secret", settings.app_secret.expose_secret()),
                    ("code", code),
                    ("grant_type", "authorization_code"),
                ],
            )
            .await
            .map_err(|e| CallbackError::upstream(e, retry))?;
        let now = crate::db::now();
        let scope = if reply
            .scope
            .split(',')
            .any(|s| Scope::UserInfo.covered_by(s.trim()))
        {
            Scope::UserInfo
        } else {
            Scope::Base
        };
        let profile = if scope == Scope::UserInfo {
            Some(
                self.fetch_profile(&reply.access_token, &reply.openid)
                    .await
                    .map_err(|e| CallbackError::upstream(e, retry))?,
            )
        } else {
            None
        };
        if Scope::UserInfo.covered_by(asked) && profile.is_none() {
            tracing::warn!("asked for snsapi_userinfo, WeChat granted {}", reply.scope);
        }
        self.store_user(
            &reply.openid,
            &reply.unionid,
            "",
            scope.as_str(),
            profile.as_ref(),
            now,
        )
        .await?;
        self.store_token(&reply.openid, &reply, now, Some(now + REFRESH_TTL_SECS))
            .await?;
        Ok(SessionUser {
            account: self.account_id().to_string(),
            openid: reply.openid,
            scope: scope.as_str().to_string(),
        })
    }

    async fn exchange_wecom(
        &self,
        code: &str,
        asked: &str,
        retry: &str,
    ) -> Result<SessionUser, CallbackError> {
        let url = self.api.wecom("/cgi-bin/auth/getuserinfo");
        let id: WeComIdentity = self
            .credentials
            .get_with_token(Kind::WeComToken, &url, &[("code", code)])
            .await
            .map_err(|e| CallbackError::credentials(e, retry))?;
        let userid = [id.userid, id.user_id]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_default();
        let openid = [id.openid, id.open_id]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_default();
        let key = if userid.is_empty() {
            openid
        } else {
            userid.clone()
        };
        if key.is_empty() {
            return Err(CallbackError::Unavailable {
                message: "WeCom answered without a userid or openid".into(),
                retry: retry.to_string(),
            });
        }
        // Members' names and avatars come from the corp directory.
        let profile = if userid.is_empty() {
            None
        } else {
            match self.wecom_member(&userid).await {
                Ok(p) => Some(p),
                Err(e) => {
                    tracing::warn!("could not read WeCom member {userid}: {e}");
                    None
                }
            }
        };
        let now = crate::db::now();
        // The corp directory stands in for the consent a userinfo page asks for.
        self.store_user(&key, "", &userid, asked, profile.as_ref(), now)
            .await?;
        Ok(SessionUser {
            account: self.account_id().to_string(),
            openid: key,
            scope: asked.to_string(),
        })
    }

    async fn wecom_member(&self, userid: &str) -> Result<ProfileReply, CredentialError> {
        let url = self.api.wecom("/cgi-bin/user/get");
        let m: WeComMember = self
            .credentials
            .get_with_token(Kind::WeComToken, &url, &[("userid", userid)])
            .await?;
        Ok(ProfileReply {
            nickname: m.name,
            headimgurl: m.avatar,
            sex: m.gender.parse().unwrap_or_default(),
            ..ProfileReply::default()
        })
    }

    pub(super) async fn fetch_profile(
        &self,
        token: &str,
        openid: &str,
    ) -> Result<ProfileReply, WeChatError> {
        self.api
            .client
            .get_json(
                &self.api.mp("/sns/userinfo"),
                &[
                    ("access_token", token),
                    ("openid", openid),
                    ("lang", "zh_CN"),
                ],
            )
            .await
    }

    pub(super) async fn store_user(
        &self,
        openid: &str,
        unionid: &str,
        userid: &str,
        scope: &str,
        profile: Option<&ProfileReply>,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let p = profile.cloned().unwrap_or_default();
        let unionid = if p.unionid.is_empty() {
            unionid
        } else {
            &p.unionid
        };
        sqlx::query(
            "INSERT INTO users (account, openid, unionid, userid, scope, nickname, avatar_url, sex,
                                province, city, country, first_seen, last_seen, profile_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)
             ON CONFLICT (account, openid) DO UPDATE SET
                last_seen = excluded.last_seen,
                unionid = CASE WHEN excluded.unionid <> '' THEN excluded.unionid ELSE users.unionid END,
                userid = CASE WHEN excluded.userid <> '' THEN excluded.userid ELSE users.userid END,
                scope = CASE WHEN users.scope = $14 THEN users.scope ELSE excluded.scope END,
                nickname = CASE WHEN excluded.profile_at > 0 THEN excluded.nickname ELSE users.nickname END,
                avatar_url = CASE WHEN excluded.profile_at > 0 THEN excluded.avatar_url ELSE users.avatar_url END,
                sex = CASE WHEN excluded.profile_at > 0 THEN excluded.sex ELSE users.sex END,
                province = CASE WHEN excluded.profile_at > 0 THEN excluded.province ELSE users.province END,
                city = CASE WHEN excluded.profile_at > 0 THEN excluded.city ELSE users.city END,
                country = CASE WHEN excluded.profile_at > 0 THEN excluded.country ELSE users.country END,
                profile_at = CASE WHEN excluded.profile_at > 0 THEN excluded.profile_at ELSE users.profile_at END",
        )
        .bind(self.account_id())
        .bind(openid)
        .bind(unionid)
        .bind(userid)
        .bind(scope)
        .bind(&p.nickname)
        .bind(&p.headimgurl)
        .bind(p.sex)
        .bind(&p.province)
        .bind(&p.city)
        .bind(&p.country)
        .bind(now)
        .bind(if profile.is_some() { now } else { 0 })
        .bind(Scope::UserInfo.as_str())
        .execute(&self.db)
        .await?;
        Ok(())
    }
}
