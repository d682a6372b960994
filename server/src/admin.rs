//! Admins of the dashboard: accounts with argon2id password hashes (created
//! with `wxkit admin create`), sign-in rate-limited per IP and per username,
//! the admin's session, and the audit log of every admin change.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sqlx::AnyPool;
use std::net::IpAddr;
use std::num::NonZeroU32;
use tower_sessions::Session;

/// The session key of the signed-in admin.
const ADMIN: &str = "admin.username";

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("the username must be 1 to 32 letters, digits, `.`, `_` or `-`")]
    BadUsername,
    #[error("the password must be at least 10 characters")]
    WeakPassword,
    #[error("an admin named `{0}` exists already")]
    Exists(String),
    #[error("there is no admin named `{0}`")]
    NoSuchAdmin(String),
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("too many sign-in attempts: try again in {0} s")]
    TooMany(u64),
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("session error: {0}")]
    Session(#[from] tower_sessions::session::Error),
}

fn check_username(name: &str) -> Result<(), AdminError> {
    let ok = (1..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    ok.then_some(()).ok_or(AdminError::BadUsername)
}

fn hash(password: &str) -> Result<String, AdminError> {
    if password.chars().count() < 10 {
        return Err(AdminError::WeakPassword);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AdminError::Hash(e.to_string()))
}

fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Creates an admin.
pub async fn create(db: &AnyPool, username: &str, password: &str) -> Result<(), AdminError> {
    check_username(username)?;
    let hashed = hash(password)?;
    let now = crate::db::now();
    let done = sqlx::query(
        "INSERT INTO admins (username, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (username) DO NOTHING",
    )
    .bind(username)
    .bind(hashed)
    .bind(now)
    .execute(db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AdminError::Exists(username.into()));
    }
    audit(db, "(command line)", "admin.create", username, "").await?;
    Ok(())
}

/// Sets an admin's password.
pub async fn set_password(db: &AnyPool, username: &str, password: &str) -> Result<(), AdminError> {
    let hashed = hash(password)?;
    let done =
        sqlx::query("UPDATE admins SET password_hash = $1, updated_at = $2 WHERE username = $3")
            .bind(hashed)
            .bind(crate::db::now())
            .bind(username)
            .execute(db)
            .await?;
    if done.rows_affected() == 0 {
        return Err(AdminError::NoSuchAdmin(username.into()));
    }
    audit(db, "(command line)", "admin.passwd", username, "").await?;
    Ok(())
}

/// Every admin: (username, created_at, last_sign_in).
pub async fn list(db: &AnyPool) -> Result<Vec<(String, i64, i64)>, AdminError> {
    Ok(
        sqlx::query_as("SELECT username, created_at, last_sign_in FROM admins ORDER BY username")
            .fetch_all(db)
            .await?,
    )
}

/// Appends to the audit log.
pub async fn audit(
    db: &AnyPool,
    admin: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, at_ms, admin, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(crate::signature::nonce() + &crate::signature::nonce())
    .bind(crate::db::now_ms())
    .bind(admin)
    .bind(action)
    .bind(target)
    .bind(detail)
    .execute(db)
    .await?;
    Ok(())
}

/// Signing in: checks passwords, limits attempts, keeps the admin in the session.
pub struct SignIn {
    db: AnyPool,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_user: DefaultKeyedRateLimiter<String>,
    /// A valid hash to verify against when the username is unknown, so both
    /// cases take the same time.
    decoy: String,
}

impl SignIn {
    /// At most `per_ip` attempts per minute from one IP and `per_user` per
    /// minute for one username (each with that burst).
    pub fn new(db: AnyPool, per_ip: u32, per_user: u32) -> SignIn {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("n ≥ 1"));
        SignIn {
            db,
            per_ip: RateLimiter::keyed(quota(per_ip)),
            per_user: RateLimiter::keyed(quota(per_user)),
            decoy: hash("decoy password, never matches").unwrap_or_default(),
        }
    }

    /// Checks the password and starts the admin's session (a new session id).
    pub async fn sign_in(
        &self,
        session: &Session,
        ip: IpAddr,
        username: &str,
        password: &str,
    ) -> Result<(), AdminError> {
        let clock = DefaultClock::default();
        let wait = |e: governor::NotUntil<_>| {
            AdminError::TooMany(e.wait_time_from(clock.now()).as_secs().max(1))
        };
        self.per_ip.check_key(&ip).map_err(wait)?;
        let user_key = username.to_ascii_lowercase();
        self.per_user.check_key(&user_key).map_err(wait)?;
        let stored: Option<String> =
            sqlx::query_scalar("SELECT password_hash FROM admins WHERE username = $1")
                .bind(username)
                .fetch_optional(&self.db)
                .await?;
        let ok = match &stored {
            Some(h) => verify(password, h),
            None => {
                let _ = verify(password, &self.decoy);
                false
            }
        };
        if !ok {
            tracing::warn!(%ip, "failed admin sign-in");
            return Err(AdminError::WrongCredentials);
        }
        session.cycle_id().await?;
        session.insert(ADMIN, username).await?;
        sqlx::query("UPDATE admins SET last_sign_in = $1 WHERE username = $2")
            .bind(crate::db::now())
            .bind(username)
            .execute(&self.db)
            .await?;
        audit(&self.db, username, "sign_in", username, &ip.to_string()).await?;
        Ok(())
    }

    /// The admin of this session, when that admin still exists.
    pub async fn current(&self, session: &Session) -> Option<String> {
        let name: String = session.get(ADMIN).await.ok()??;
        let exists: Option<String> =
            sqlx::query_scalar("SELECT username FROM admins WHERE username = $1")
                .bind(&name)
                .fetch_optional(&self.db)
                .await
                .ok()?;
        exists
    }

    pub async fn sign_out(&self, session: &Session, who: &str) -> Result<(), AdminError> {
        session.remove::<String>(ADMIN).await?;
        session.cycle_id().await?;
        audit(&self.db, who, "sign_out", who, "").await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_argon2id_and_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterz", &h));
        assert!(!verify("x", "not a hash"));
        assert!(matches!(hash("short"), Err(AdminError::WeakPassword)));
    }

    #[test]
    fn usernames_are_plain() {
        assert!(check_username("ops.lead-1").is_ok());
        assert!(check_username("").is_err());
        assert!(check_username("a b").is_err());
        assert!(check_username(&"a".repeat(33)).is_err());
    }
}
