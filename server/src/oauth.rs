//! Web authorization (OAuth 2, PROTOCOL.md §4) for pages that require it: the
//! authorize URL, the `state` of each attempt (self-verifying, single use,
//! bound to the visitor's browser by a signed cookie, 10 minutes: see
//! `attempt`; nothing is stored until a state is used), the callback's code exchange (Official
//! Account: `sns/oauth2/access_token` and `sns/userinfo`; WeCom:
//! `auth/getuserinfo` and `user/get`), the users who authorized, their web
//! tokens (kept server side, refreshed, checked with `sns/auth`), and the
//! session that remembers who the visitor is.

use crate::config::AccountKind;
use crate::credentials::{CredentialError, Credentials, Kind};
use crate::wechat::{errcode_meaning, Client, WeChatError};
use app::Visitor;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::Session;

/// Where WeChat sends the visitor back to (on `WXKIT_PUBLIC_ORIGIN`).
pub const CALLBACK_PATH: &str = "/oauth/callback";
/// An explicit sign-in: `/oauth/start?scope=…&next=/path`.
pub const START_PATH: &str = "/oauth/start";
pub mod attempt;
use attempt::Attempt;
/// How long WeChat's refresh_token lives (about 30 days).
const REFRESH_TTL_SECS: i64 = 30 * 86_400;
/// The session key of the signed-in visitor.
const USER: &str = "wx.user";

/// What a page requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `snsapi_base`: silent, the openid only.
    Base,
    /// `snsapi_userinfo`: a consent page, then the profile.
    UserInfo,
}

impl Scope {
    /// The page column's value (`none` → `None`).
    pub fn from_page(value: &str) -> Option<Scope> {
        match value {
            "snsapi_base" => Some(Scope::Base),
            "snsapi_userinfo" => Some(Scope::UserInfo),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Base => "snsapi_base",
            Scope::UserInfo => "snsapi_userinfo",
        }
    }

    /// A session granted `granted` may see a page requiring `self`.
    pub fn covered_by(self, granted: &str) -> bool {
        match self {
            Scope::Base => matches!(granted, "snsapi_base" | "snsapi_userinfo"),
            Scope::UserInfo => granted == "snsapi_userinfo",
        }
    }
}

/// Who the session belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionUser {
    account: String,
    openid: String,
    scope: String,
}

/// Why the visitor could not be signed in. Each variant is a page the visitor
/// sees; `retry` is where "try again" leads (a same-origin path).
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("the sign-in link has no state: open the page again to sign in")]
    MissingState,
    #[error("this sign-in link is not one wxkit issued: open the page again to sign in")]
    UnknownState,
    #[error("this sign-in link expired (they last 10 minutes): open the page again to sign in")]
    ExpiredState,
    #[error("this sign-in was started in another browser or session: open the page again here")]
    OtherSession,
    #[error("you did not allow the page to know who you are")]
    Refused { retry: String },
    #[error("WeChat error {errcode} ({meaning}): {errmsg}")]
    WeChat {
        errcode: i64,
        errmsg: String,
        meaning: String,
        retry: String,
    },
    #[error("WeChat could not be asked: {message}")]
    Unavailable { message: String, retry: String },
    #[error("internal error: {0}")]
    Internal(String),
}

impl CallbackError {
    /// The HTTP status of the page.
    pub fn status(&self) -> u16 {
        match self {
            CallbackError::Refused { .. } => 200,
            CallbackError::OtherSession => 403,
            CallbackError::WeChat { .. } => 502,
            CallbackError::Unavailable { .. } => 503,
            CallbackError::Internal(_) => 500,
            _ => 400,
        }
    }

    /// Where "try again" leads, when the attempt's page is known.
    pub fn retry(&self) -> Option<&str> {
        match self {
            CallbackError::Refused { retry }
            | CallbackError::WeChat { retry, .. }
            | CallbackError::Unavailable { retry, .. } => Some(retry),
            _ => None,
        }
    }

    fn upstream(e: WeChatError, retry: &str) -> CallbackError {
        match e {
            WeChatError::Api { errcode, errmsg } => CallbackError::WeChat {
                errcode,
                meaning: errcode_meaning(errcode).to_string(),
                errmsg,
                retry: retry.to_string(),
            },
            other => CallbackError::Unavailable {
                message: other.to_string(),
                retry: retry.to_string(),
            },
        }
    }

    fn credentials(e: CredentialError, retry: &str) -> CallbackError {
        match e {
            CredentialError::Upstream(w) => CallbackError::upstream(w, retry),
            other => CallbackError::Unavailable {
                message: other.to_string(),
                retry: retry.to_string(),
            },
        }
    }
}

impl From<sqlx::Error> for CallbackError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!("database error: {e}");
        CallbackError::Internal("database error".into())
    }
}

impl From<tower_sessions::session::Error> for CallbackError {
    fn from(e: tower_sessions::session::Error) -> Self {
        tracing::error!("session error: {e}");
        CallbackError::Internal("session error".into())
    }
}

/// What a page request may do next.
#[derive(Debug)]
pub enum Gate {
    /// Show the page (to this visitor, when one is signed in).
    Allow(Option<Visitor>),
    /// Send the visitor to WeChat's authorize page at `url`, setting the
    /// attempt `cookie` (a `Set-Cookie` value).
    Authorize { url: String, cookie: String },
}

/// The OAuth side of one account.
pub struct OAuth {
    pub db: AnyPool,
    pub client: Client,
    /// The WeChat API base (`sns/…`).
    pub api: String,
    /// The WeCom API base.
    pub wecom_api: String,
    /// The authorize page's base (`open.weixin.qq.com`).
    pub open: String,
    pub public_origin: String,
    /// Kind, AppID, secret and WeCom corp, live (an admin may edit them).
    pub account: crate::accounts::Account,
    pub credentials: Arc<Credentials>,
    /// A stored profile older than this is fetched again (userinfo pages).
    pub profile_ttl: Duration,
    /// Seals attempts into the browser's cookie and issues states.
    pub sealer: attempt::Sealer,
}

#[derive(Deserialize)]
struct WebTokenReply {
    access_token: String,
    expires_in: i64,
    refresh_token: String,
    openid: String,
    scope: String,
    #[serde(default)]
    unionid: String,
}

#[derive(Deserialize, Default, Clone)]
struct ProfileReply {
    #[serde(default)]
    nickname: String,
    #[serde(default)]
    headimgurl: String,
    #[serde(default)]
    sex: i64,
    #[serde(default)]
    province: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    unionid: String,
}

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

#[derive(sqlx::FromRow)]
struct TokenRow {
    access_token: String,
    expires_at: i64,
    refresh_token: String,
    refresh_expires_at: i64,
}

/// Why a stored web token cannot be used.
enum TokenTrouble {
    /// WeChat no longer accepts it and it cannot be refreshed: authorize again.
    Reauthorize,
    /// WeChat could not be asked now; keep what is stored.
    Transient(String),
}

/// The users of `account` whose nickname or openid contains `query`, most
/// recently seen first, page `page` (from 1) of `per_page`.
pub async fn list_users(
    db: &AnyPool,
    account: &str,
    query: &str,
    page: i64,
    per_page: i64,
) -> Result<app::admin::UsersPage, sqlx::Error> {
    // LIKE wildcards in the query are matched literally.
    let escaped: String = query
        .trim()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let pattern = format!("%{escaped}%");
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE account = $1
           AND (nickname LIKE $2 ESCAPE '\\' OR openid LIKE $2 ESCAPE '\\')",
    )
    .bind(account)
    .bind(&pattern)
    .fetch_one(db)
    .await?;
    let rows: Vec<(String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT openid, nickname, avatar_url, scope, first_seen, last_seen FROM users
         WHERE account = $1 AND (nickname LIKE $2 ESCAPE '\\' OR openid LIKE $2 ESCAPE '\\')
         ORDER BY last_seen DESC, openid LIMIT $3 OFFSET $4",
    )
    .bind(account)
    .bind(&pattern)
    .bind(per_page)
    .bind((page.max(1) - 1) * per_page)
    .fetch_all(db)
    .await?;
    Ok(app::admin::UsersPage {
        users: rows
            .into_iter()
            .map(
                |(openid, nickname, avatar_url, scope, first_seen, last_seen)| {
                    app::admin::UserRow {
                        openid,
                        nickname,
                        avatar_url,
                        scope,
                        first_seen,
                        last_seen,
                    }
                },
            )
            .collect(),
        total,
        page: page.max(1),
        per_page,
    })
}

/// A return target that can only be a path on this site: anything else
/// (another origin, `//host`, `/\host`, a scheme) becomes `/`.
pub fn safe_return(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if !ok {
        return "/".into();
    }
    // Resolve against a fixed origin: the result must stay on it.
    let base = url::Url::parse("http://wxkit.invalid/").expect("a valid base");
    match base.join(next) {
        Ok(u) if u.origin() == base.origin() => {
            let mut out = u.path().to_string();
            if let Some(q) = u.query() {
                out.push('?');
                out.push_str(q);
            }
            // Dot segments can leave `//host` behind (`/a/..//host`): a
            // browser would read that as another origin.
            if out.starts_with("//") || out.starts_with("/\\") {
                return "/".into();
            }
            out
        }
        _ => "/".into(),
    }
}

impl OAuth {
    /// The ID of the account users authorize: the AppID, or the corp ID.
    pub fn account_id(&self) -> String {
        self.account.get().account_id().to_string()
    }

    /// The Official Account's AppID (the message server's account).
    pub fn app_id(&self) -> String {
        self.account.get().app_id.clone()
    }

    fn kind(&self) -> AccountKind {
        self.account.get().kind
    }

    /// The authorize URL, exactly as PROTOCOL.md §4 orders it.
    pub fn authorize_url(&self, scope: Scope, state: &str) -> String {
        let redirect: String = form_urlencoded::byte_serialize(
            format!("{}{CALLBACK_PATH}", self.public_origin).as_bytes(),
        )
        .collect();
        let settings = self.account.get();
        let (appid, scope, agent) = match (settings.kind, &settings.wecom) {
            // WeCom identifies members silently; their profile comes from the corp directory.
            (AccountKind::WeCom, Some(w)) => (
                w.corp_id.as_str(),
                "snsapi_base",
                format!("&agentid={}", w.agent_id),
            ),
            _ => (settings.app_id.as_str(), scope.as_str(), String::new()),
        };
        format!(
            "{}/connect/oauth2/authorize?appid={appid}&redirect_uri={redirect}&response_type=code&scope={scope}&state={state}{agent}#wechat_redirect",
            self.open
        )
    }

    /// The (openid, scope) this session signed in with for this account.
    pub async fn signed_in(&self, session: &Session) -> Option<(String, String)> {
        let user: SessionUser = session.get(USER).await.ok()??;
        (user.account == self.account_id()).then_some((user.openid, user.scope))
    }

    /// Decides whether the visitor may see a page requiring `required`.
    /// `return_to` is the page's own path and query.
    pub async fn gate(
        &self,
        session: &Session,
        required: Scope,
        return_to: &str,
    ) -> Result<Gate, CallbackError> {
        let user: Option<SessionUser> = session.get(USER).await?;
        if let Some(u) = user.filter(|u| u.account == self.account_id()) {
            if required.covered_by(&u.scope) {
                match self.visitor(&u, required).await? {
                    Some(v) => return Ok(Gate::Allow(Some(v))),
                    // WeChat no longer accepts the user's tokens: sign in again.
                    None => {
                        session.remove::<SessionUser>(USER).await?;
                    }
                }
            }
        }
        let (url, cookie) = self.begin(required, return_to);
        Ok(Gate::Authorize { url, cookie })
    }

    /// Starts an attempt: a fresh state, the URL of WeChat's authorize page,
    /// and the cookie that binds the attempt to this browser. Writes nothing.
    pub fn begin(&self, scope: Scope, return_to: &str) -> (String, String) {
        let attempt = Attempt {
            state: self.sealer.new_state(),
            scope: scope.as_str().to_string(),
            return_to: safe_return(return_to),
            at: crate::db::now(),
        };
        (
            self.authorize_url(scope, &attempt.state),
            self.sealer.seal(&attempt),
        )
    }

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

    /// Checks `state` was issued by wxkit, belongs to this browser's attempt
    /// and is fresh; only then records it used (once: `false` when it was
    /// used already). A state that fails a check is not used up.
    async fn consume_state(
        &self,
        attempt: Option<Attempt>,
        state: Option<&str>,
    ) -> Result<(Attempt, bool), CallbackError> {
        let state = state
            .filter(|s| !s.is_empty())
            .ok_or(CallbackError::MissingState)?;
        if !self.sealer.issued(state) {
            return Err(CallbackError::UnknownState);
        }
        let attempt = attempt
            .filter(|a| a.state == state)
            .ok_or(CallbackError::OtherSession)?;
        let now = crate::db::now();
        if now >= attempt.at + self.sealer.ttl_secs {
            return Err(CallbackError::ExpiredState);
        }
        let done = sqlx::query(
            "INSERT INTO oauth_states (state, binding, scope, return_to, created_at, used_at)
             VALUES ($1, '', $2, $3, $4, $5) ON CONFLICT (state) DO NOTHING",
        )
        .bind(state)
        .bind(&attempt.scope)
        .bind(&attempt.return_to)
        .bind(attempt.at)
        .bind(now)
        .execute(&self.db)
        .await?;
        Ok((attempt, done.rows_affected() == 1))
    }

    /// Deletes the records of states too old to be used anyway.
    pub async fn sweep_states(&self) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM oauth_states WHERE created_at < $1")
            .bind(crate::db::now() - 2 * self.sealer.ttl_secs)
            .execute(&self.db)
            .await?;
        Ok(done.rows_affected())
    }

    /// Sweeps used states every ten minutes, for as long as `oauth` lives.
    pub fn spawn_sweeper(oauth: &Arc<OAuth>) {
        let weak = Arc::downgrade(oauth);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(600));
            loop {
                every.tick().await;
                let Some(oauth) = weak.upgrade() else { return };
                if let Err(e) = oauth.sweep_states().await {
                    tracing::warn!("could not sweep OAuth states: {e}");
                }
            }
        });
    }

    async fn exchange_official(
        &self,
        code: &str,
        asked: &str,
        retry: &str,
    ) -> Result<SessionUser, CallbackError> {
        let settings = self.account.get();
        let reply: WebTokenReply = self
            .client
            .get_json(
                &format!("{}/sns/oauth2/access_token", self.api),
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
            .any(|s| s.trim() == "snsapi_userinfo")
        {
            "snsapi_userinfo"
        } else {
            "snsapi_base"
        };
        let profile = if scope == "snsapi_userinfo" {
            Some(
                self.fetch_profile(&reply.access_token, &reply.openid)
                    .await
                    .map_err(|e| CallbackError::upstream(e, retry))?,
            )
        } else {
            None
        };
        if asked == "snsapi_userinfo" && profile.is_none() {
            tracing::warn!("asked for snsapi_userinfo, WeChat granted {}", reply.scope);
        }
        self.store_user(
            &reply.openid,
            &reply.unionid,
            "",
            scope,
            profile.as_ref(),
            now,
        )
        .await?;
        self.store_token(&reply.openid, &reply, now, Some(now + REFRESH_TTL_SECS))
            .await?;
        Ok(SessionUser {
            account: self.account_id().to_string(),
            openid: reply.openid,
            scope: scope.to_string(),
        })
    }

    async fn exchange_wecom(
        &self,
        code: &str,
        asked: &str,
        retry: &str,
    ) -> Result<SessionUser, CallbackError> {
        let url = format!("{}/cgi-bin/auth/getuserinfo", self.wecom_api);
        let id: WeComIdentity = self
            .credentials
            .call_with_token(Kind::WeComToken, |token| {
                let url = url.clone();
                async move {
                    self.client
                        .get_json(&url, &[("access_token", token.as_str()), ("code", code)])
                        .await
                }
            })
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
        let url = format!("{}/cgi-bin/user/get", self.wecom_api);
        let m: WeComMember = self
            .credentials
            .call_with_token(Kind::WeComToken, |token| {
                let url = url.clone();
                async move {
                    self.client
                        .get_json(
                            &url,
                            &[("access_token", token.as_str()), ("userid", userid)],
                        )
                        .await
                }
            })
            .await?;
        Ok(ProfileReply {
            nickname: m.name,
            headimgurl: m.avatar,
            sex: m.gender.parse().unwrap_or_default(),
            ..ProfileReply::default()
        })
    }

    async fn fetch_profile(&self, token: &str, openid: &str) -> Result<ProfileReply, WeChatError> {
        self.client
            .get_json(
                &format!("{}/sns/userinfo", self.api),
                &[
                    ("access_token", token),
                    ("openid", openid),
                    ("lang", "zh_CN"),
                ],
            )
            .await
    }

    async fn store_user(
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
                scope = CASE WHEN users.scope = 'snsapi_userinfo' THEN users.scope ELSE excluded.scope END,
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
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// Stores a web token; `refresh_expires_at` None keeps the stored one.
    async fn store_token(
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

    /// The signed-in visitor, with a profile no older than `profile_ttl` on a
    /// userinfo page. `None`: WeChat no longer accepts the user's tokens (or
    /// the user is gone): authorize again.
    async fn visitor(
        &self,
        u: &SessionUser,
        required: Scope,
    ) -> Result<Option<Visitor>, CallbackError> {
        let now = crate::db::now();
        let row: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT nickname, avatar_url, scope, profile_at FROM users WHERE account = $1 AND openid = $2",
        )
        .bind(&u.account)
        .bind(&u.openid)
        .fetch_optional(&self.db)
        .await?;
        let Some((mut nickname, mut avatar_url, scope, profile_at)) = row else {
            return Ok(None);
        };
        let stale = now >= profile_at + self.profile_ttl.as_secs() as i64;
        if required == Scope::UserInfo && self.kind() == AccountKind::Official && stale {
            match self.refresh_profile(&u.openid).await {
                Ok(p) => {
                    self.store_user(&u.openid, "", "", &scope, Some(&p), now)
                        .await?;
                    nickname = p.nickname;
                    avatar_url = p.headimgurl;
                }
                Err(TokenTrouble::Reauthorize) => return Ok(None),
                Err(TokenTrouble::Transient(e)) => {
                    tracing::warn!("kept the stored profile of a user: {e}");
                }
            }
        }
        sqlx::query("UPDATE users SET last_seen = $1 WHERE account = $2 AND openid = $3")
            .bind(now)
            .bind(&u.account)
            .bind(&u.openid)
            .execute(&self.db)
            .await?;
        Ok(Some(Visitor {
            openid: u.openid.clone(),
            scope: u.scope.clone(),
            nickname,
            avatar_url,
        }))
    }

    async fn refresh_profile(&self, openid: &str) -> Result<ProfileReply, TokenTrouble> {
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
                .client
                .get_json(
                    &format!("{}/sns/auth", self.api),
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
            .client
            .get_json(
                &format!("{}/sns/oauth2/refresh_token", self.api),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_targets_stay_on_this_site() {
        assert_eq!(safe_return("/p/demo?x=1"), "/p/demo?x=1");
        assert_eq!(safe_return("/p/../p/demo"), "/p/demo");
        assert_eq!(safe_return("/a/..//evil.example"), "/");
        for evil in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/\t/evil.example",
            "http:/evil.example",
        ] {
            assert_eq!(safe_return(evil), "/", "{evil}");
        }
    }

    #[test]
    fn safe_return_gives_the_same_answer_twice() {
        // Every string of up to 6 of these pieces: what survives once must
        // survive again unchanged (the callback applies it to a stored target).
        const PIECES: &[&str] = &[
            "/", "\\", ".", "..", "%2e", "%2f", "%5c", "?", "#", "@", ":", "a", " ", "%", "%%",
            "&", "=", "é", "//", "http:",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = 1 + (seed % 6) as usize;
            let mut x = String::from("/");
            let mut r = seed;
            for _ in 0..n {
                x.push_str(PIECES[(r % PIECES.len() as u64) as usize]);
                r /= PIECES.len() as u64;
            }
            let once = safe_return(&x);
            assert_eq!(safe_return(&once), once, "input {x:?}");
            assert!(
                once.starts_with('/') && !once.starts_with("//"),
                "{x:?} → {once:?}"
            );
        }
    }

    #[test]
    fn scopes_cover_each_other_one_way() {
        assert!(Scope::Base.covered_by("snsapi_userinfo"));
        assert!(Scope::Base.covered_by("snsapi_base"));
        assert!(!Scope::UserInfo.covered_by("snsapi_base"));
        assert!(Scope::UserInfo.covered_by("snsapi_userinfo"));
    }
}
