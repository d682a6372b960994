//! One authorization attempt, carried by the visitor's browser instead of the
//! database, so that an anonymous GET of a protected page writes nothing.
//!
//! - The `state` sent to WeChat is self-verifying: 16 random characters and
//!   16 hex digits of an HMAC over them, so a state wxkit never issued is told
//!   apart from one issued to another browser without any stored row.
//! - The attempt (state, scope, return path, start time) travels in the
//!   short-lived cookie `wxkit_oauth` (HttpOnly, SameSite=Lax, path
//!   `/oauth/callback`, the attempt's 10 minutes and one more), signed with
//!   HMAC-SHA256. The callback believes only a cookie whose signature
//!   verifies and whose state is the one WeChat sent back: that is the
//!   binding to this browser.
//! - A state is used once: the callback records it in `oauth_states` when it
//!   first accepts it (the only write of an attempt; a state that fails a
//!   check is not used up). A sweeper deletes the records once they are too
//!   old to be used anyway (twice the attempt's lifetime), every ten minutes.
//!
//! The key is `WXKIT_SECRET_KEY`, or a random key created once in the
//! database (`server_keys`) so that every process shares it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use sqlx::AnyPool;
use std::sync::Arc;
use std::time::Duration;

use super::{CallbackError, OAuth};

/// The attempt cookie's name.
pub const COOKIE: &str = "wxkit_oauth";

/// What the callback needs to know of the attempt it completes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub state: String,
    pub scope: String,
    pub return_to: String,
    /// Unix seconds when it started.
    pub at: i64,
}

/// Seals and opens attempts with the server's key.
#[derive(Clone)]
pub struct Sealer {
    key: Vec<u8>,
    secure: bool,
    /// How long an attempt may take.
    pub ttl_secs: i64,
}

type HmacSha256 = Hmac<Sha256>;

impl Sealer {
    pub fn new(key: Vec<u8>, secure: bool, ttl_secs: i64) -> Sealer {
        Sealer {
            key,
            secure,
            ttl_secs,
        }
    }

    fn mac(&self, label: &str, data: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(label.as_bytes());
        mac.update(&[0]);
        mac.update(data);
        mac
    }

    /// A new state: 16 random characters of [A-Za-z0-9], then 16 hex digits
    /// of their HMAC.
    pub fn new_state(&self) -> String {
        let nonce: String = rand::rng()
            .sample_iter(rand::distr::Alphanumeric)
            .take(16)
            .map(char::from)
            .collect();
        let tag = hex::encode(&self.mac("state", nonce.as_bytes()).finalize().into_bytes()[..8]);
        nonce + &tag
    }

    /// Whether wxkit issued `state` (whoever holds it).
    pub fn issued(&self, state: &str) -> bool {
        if state.len() != 32 || !state.is_char_boundary(16) {
            return false;
        }
        let (nonce, tag) = state.split_at(16);
        let Ok(tag) = hex::decode(tag) else {
            return false;
        };
        self.mac("state", nonce.as_bytes())
            .verify_truncated_left(&tag)
            .is_ok()
    }

    /// The `Set-Cookie` value carrying `attempt`.
    pub fn seal(&self, attempt: &Attempt) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(attempt).unwrap_or_default());
        let tag = URL_SAFE_NO_PAD.encode(
            self.mac("attempt", payload.as_bytes())
                .finalize()
                .into_bytes(),
        );
        format!(
            "{COOKIE}={payload}.{tag}; Path={}; Max-Age={}; HttpOnly; SameSite=Lax{}",
            super::CALLBACK_PATH,
            // A minute longer than the attempt: a late callback is told the
            // attempt expired, not that it belongs to another browser.
            self.ttl_secs + 60,
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// The attempt in a request's `Cookie` headers, when its signature verifies.
    pub fn open<'a>(&self, cookie_headers: impl IntoIterator<Item = &'a str>) -> Option<Attempt> {
        let value = cookie_headers
            .into_iter()
            .flat_map(|h| h.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .filter(|(name, _)| *name == COOKIE)
            .map(|(_, v)| v)
            .last()?;
        let (payload, tag) = value.split_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac("attempt", payload.as_bytes())
            .verify_slice(&tag)
            .ok()?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }
}

/// The key attempts are signed with: the configured one, else the one every
/// process shares through the database (created by whichever starts first).
pub async fn key(db: &AnyPool, configured: Option<&[u8]>) -> Result<Vec<u8>, sqlx::Error> {
    if let Some(k) = configured {
        return Ok(k.to_vec());
    }
    let fresh: [u8; 32] = rand::rng().random();
    sqlx::query(
        "INSERT INTO server_keys (name, value) VALUES ('oauth', $1) ON CONFLICT (name) DO NOTHING",
    )
    .bind(hex::encode(fresh))
    .execute(db)
    .await?;
    let stored: String = sqlx::query_scalar("SELECT value FROM server_keys WHERE name = 'oauth'")
        .fetch_one(db)
        .await?;
    Ok(hex::decode(stored).unwrap_or_else(|_| fresh.to_vec()))
}

impl OAuth {
    /// Checks `state` was issued by wxkit, belongs to this browser's attempt
    /// and is fresh; only then records it used (once: `false` when it was
    /// used already). A state that fails a check is not used up.
    pub(super) async fn consume_state(
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::new(b"k".repeat(32), false, 600)
    }

    #[test]
    fn states_verify_only_when_issued_with_the_key() {
        let s = sealer();
        let state = s.new_state();
        assert_eq!(state.len(), 32);
        assert!(state.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(s.issued(&state));
        let mut forged = state.clone();
        forged.replace_range(0..1, if &state[0..1] == "a" { "b" } else { "a" });
        assert!(!s.issued(&forged));
        assert!(!Sealer::new(b"x".repeat(32), false, 600).issued(&state));
        assert!(!s.issued("forged0state0123"));
        assert!(!s.issued("é".repeat(16).as_str()));
    }

    #[test]
    fn a_sealed_attempt_opens_and_a_tampered_one_does_not() {
        let s = sealer();
        let a = Attempt {
            state: s.new_state(),
            scope: "snsapi_base".into(),
            return_to: "/p/demo?x=1".into(),
            at: 1_700_000_000,
        };
        let set = s.seal(&a);
        assert!(
            set.contains("HttpOnly")
                && set.contains("SameSite=Lax")
                && set.contains("Path=/oauth/callback")
        );
        let value = set.split(';').next().unwrap();
        assert_eq!(s.open([value, "other=1"]), Some(a.clone()));
        assert_eq!(s.open(["other=1; ".to_string().as_str(), value]), Some(a));
        let (payload, tag) = value.split_once('.').unwrap();
        let evil = format!("{payload}x.{tag}");
        assert_eq!(s.open([evil.as_str()]), None);
        assert_eq!(Sealer::new(b"x".repeat(32), false, 600).open([value]), None);
        assert_eq!(s.open(["wxkit_oauth=garbage"]), None);
    }
}
