//! Web authorization (OAuth 2, WeChat's "网页授权" documentation; WeCom's
//! "网页授权登录") for pages that require it:
//! the gate in front of each page, the `state` of each attempt, the
//! callback's code exchange, the users who authorized, their web tokens, and
//! the session that remembers who the visitor is.
//!
//! The parts, in the order a sign-in walks them:
//! - `gate`: which page needs which [`Scope`](app::scope::Scope), whether
//!   the session's visitor covers it, and the redirect to WeChat's authorize
//!   page ([`safe_return`] keeps every return target on this site).
//! - [`attempt`]: the attempt and its `state` (self-verifying, single use,
//!   bound to the visitor's browser by a signed cookie, 10 minutes; nothing
//!   is stored until a state is used).
//! - `exchange`: the callback and the code exchange (Official Account:
//!   `sns/oauth2/access_token` and `sns/userinfo`; WeCom: `auth/getuserinfo`
//!   and `user/get`), which stores the user who authorized.
//! - `web_tokens`: the users' web tokens (kept server side, refreshed,
//!   checked with `sns/auth`).
//!
//! This file holds what they share: the [`OAuth`] side of one account, the
//! session's `SessionUser` (under `wx.user`; it names the account, so a
//! session never counts for another), [`CallbackError`] (each variant a page
//! the visitor sees) and the WeChat replies more than one part reads. The
//! dashboard's listing of the stored users is in `crate::users`.

use crate::config::AccountKind;
use crate::credentials::{CredentialError, Credentials};
use crate::wechat::{errcode_meaning, WeChatError};
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use std::sync::Arc;
use std::time::Duration;

pub mod attempt;
mod exchange;
mod gate;
mod web_tokens;

pub use gate::{safe_return, Gate};

/// Where WeChat sends the visitor back to (on `WXKIT_PUBLIC_ORIGIN`).
pub const CALLBACK_PATH: &str = "/oauth/callback";
/// An explicit sign-in: `/oauth/start?scope=…&next=/path`.
pub const START_PATH: &str = "/oauth/start";
/// The session key of the signed-in visitor.
const USER: &str = "wx.user";

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
    /// A short name for what happened (the outcome page's `data-kind`, the
    /// metrics' outcome label).
    pub fn kind(&self) -> &'static str {
        match self {
            CallbackError::MissingState => "missing_state",
            CallbackError::UnknownState => "unknown_state",
            CallbackError::ExpiredState => "expired_state",
            CallbackError::OtherSession => "other_session",
            CallbackError::Refused { .. } => "refused",
            CallbackError::WeChat { .. } => "wechat_error",
            CallbackError::Unavailable { .. } => "unavailable",
            CallbackError::Internal(_) => "internal",
        }
    }

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
        crate::api_error::log_internal("database error", &e);
        CallbackError::Internal("database error".into())
    }
}

impl From<tower_sessions::session::Error> for CallbackError {
    fn from(e: tower_sessions::session::Error) -> Self {
        crate::api_error::log_internal("session error", &e);
        CallbackError::Internal("session error".into())
    }
}

/// The OAuth side of one account.
pub struct OAuth {
    pub db: AnyPool,
    /// WeChat's and WeCom's APIs and the authorize page's base.
    pub api: Arc<crate::wechat::Api>,
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
}
