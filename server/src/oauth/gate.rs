//! The gate in front of a page that requires authorization: which page needs
//! which [`Scope`] (`app::scope`: the one spelling of the scopes), whether
//! the signed-in visitor covers it, and otherwise the redirect to WeChat's
//! authorize page (the URL exactly as WeChat's "网页授权" documentation, step
//! 1 "用户同意授权，获取code", orders its parameters, and the attempt cookie
//! that goes with it).
//!
//! Invariants:
//! - `snsapi_userinfo` covers `snsapi_base`, never the other way round.
//! - A session counts only for the account it signed in with.
//! - Every return target goes through [`safe_return`]: a path on this site,
//!   stable when applied twice.
//! - A visitor whose tokens WeChat no longer accepts is signed out and sent to
//!   authorize again. On a userinfo page of an Official Account, a profile
//!   older than `profile_ttl` is fetched again (when WeChat cannot be asked,
//!   the stored one is kept).
//! - Starting an attempt writes nothing (see [`super::attempt`]).

use super::attempt::Attempt;
use super::web_tokens::TokenTrouble;
use super::{CallbackError, OAuth, SessionUser, CALLBACK_PATH, USER};
use crate::config::AccountKind;
use app::scope::Scope;
use app::Visitor;
use tower_sessions::Session;

/// What a page request may do next.
#[derive(Debug)]
pub enum Gate {
    /// Show the page (to this visitor, when one is signed in).
    Allow(Option<Visitor>),
    /// Send the visitor to WeChat's authorize page at `url`, setting the
    /// attempt `cookie` (a `Set-Cookie` value).
    Authorize { url: String, cookie: String },
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
    /// The authorize URL, its parameters in the order of WeChat's "网页授权"
    /// documentation (step 1): WeChat checks the order.
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
                Scope::Base.as_str(),
                format!("&agentid={}", w.agent_id),
            ),
            _ => (settings.app_id.as_str(), scope.as_str(), String::new()),
        };
        format!(
            "{}/connect/oauth2/authorize?appid={appid}&redirect_uri={redirect}&response_type=code&scope={scope}&state={state}{agent}#wechat_redirect",
            self.api.open
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
}
