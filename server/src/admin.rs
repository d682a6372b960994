//! Admins of the dashboard: accounts with argon2id password hashes (created
//! with `wxkit admin create`), sign-in rate-limited per IP and per username
//! (`attempts`), the admin's session (ended by a password change, "sign out
//! everywhere" or its absolute lifetime), the language each admin reads the
//! dashboard in, and the audit log of every admin change.

use crate::api_error::DbFailure;
use crate::client_ip::ClientIp;
use app::i18n::Lang;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tower_sessions::Session;

pub mod attempts;
pub use attempts::AttemptLimits;

/// The session key of the signed-in admin.
const ADMIN: &str = "admin";
/// The longest password accepted (argon2 hashes whatever it is given).
pub const MAX_PASSWORD: usize = 1024;
/// Password checks running at once.
pub const MAX_CONCURRENT_CHECKS: usize = 2;

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
    #[error("the password must be at most {MAX_PASSWORD} bytes")]
    LongPassword,
    #[error("{}: try again in {wait} s", why.en)]
    TooMany { wait: u64, why: app::i18n::Text },
    #[error("too many password checks at once: try again in a few seconds")]
    Busy,
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("session error: {0}")]
    Session(#[from] tower_sessions::session::Error),
}

impl From<DbFailure> for AdminError {
    fn from(DbFailure(e): DbFailure) -> Self {
        AdminError::Db(e)
    }
}

/// How a sign-in or admin failure is told to the browser, in the request's
/// language (the dashboard's: the admin's or the browser's); a database,
/// session or hashing failure is logged (its detail stays on the server).
impl From<AdminError> for app::error::ApiError {
    fn from(e: AdminError) -> Self {
        use app::error::ApiError;
        let lang = app::lang();
        match e {
            AdminError::WrongCredentials => ApiError::Unauthorized {
                message: t::WRONG_CREDENTIALS.get(lang).into(),
            },
            AdminError::TooMany { wait, why } => ApiError::TooMany {
                message: t::TOO_MANY
                    .fill(lang, &[("why", why.get(lang)), ("wait", &wait.to_string())]),
            },
            AdminError::Busy => ApiError::Unavailable {
                message: t::BUSY.get(lang).into(),
            },
            AdminError::BadUsername => ApiError::bad_request(t::BAD_USERNAME.get(lang)),
            AdminError::WeakPassword => ApiError::bad_request(t::WEAK_PASSWORD.get(lang)),
            AdminError::LongPassword => ApiError::bad_request(
                t::LONG_PASSWORD.fill(lang, &[("max", &MAX_PASSWORD.to_string())]),
            ),
            other => crate::api_error::internal("admin", &other, "internal error"),
        }
    }
}

/// What a browser is told of a refused sign-in (the command line keeps
/// [`AdminError`]'s English).
mod t {
    app::texts! {
        WRONG_CREDENTIALS: "用户名或密码错误", "wrong username or password";
        TOO_MANY: "{why}：请 {wait} 秒后再试", "{why}: try again in {wait} s";
        BUSY: "同时校验的密码过多：请几秒后再试", "too many password checks at once: try again in a few seconds";
        BAD_USERNAME: "用户名须为 1 到 32 个字母、数字、`.`、`_` 或 `-`", "the username must be 1 to 32 letters, digits, `.`, `_` or `-`";
        WEAK_PASSWORD: "密码至少需要 10 个字符", "the password must be at least 10 characters";
        LONG_PASSWORD: "密码最多 {max} 字节", "the password must be at most {max} bytes";
    }
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
    if password.len() > MAX_PASSWORD {
        return Err(AdminError::LongPassword);
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
    // A new password ends every session signed in with the old one.
    end_sessions(db, username).await?;
    audit(db, "(command line)", "admin.passwd", username, "").await?;
    Ok(())
}

/// Sets the language admin `username` reads the dashboard in (`None`: the
/// browser's).
pub async fn set_lang(db: &AnyPool, username: &str, lang: Option<Lang>) -> Result<(), DbFailure> {
    sqlx::query("UPDATE admins SET lang = $1, updated_at = $2 WHERE username = $3")
        .bind(lang.map_or("", Lang::tag))
        .bind(crate::db::now())
        .bind(username)
        .execute(db)
        .await?;
    audit(
        db,
        username,
        "admin.lang",
        username,
        lang.map_or("", Lang::tag),
    )
    .await
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
) -> Result<(), DbFailure> {
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

/// The 200 newest entries of the audit log, newest first.
pub async fn audit_log(db: &AnyPool) -> Result<Vec<app::admin::AuditEntry>, DbFailure> {
    let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
        "SELECT at_ms, admin, action, target, detail FROM audit_log ORDER BY at_ms DESC LIMIT 200",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(at_ms, admin, action, target, detail)| app::admin::AuditEntry {
                at_ms,
                admin,
                action,
                target,
                detail,
            },
        )
        .collect())
}

/// Signing in: checks passwords (off the async workers, a few at a time),
/// limits attempts (shared through the database), keeps the admin in the
/// session together with the admin's session epoch and the sign-in time.
pub struct SignIn {
    db: AnyPool,
    limits: AttemptLimits,
    /// A valid hash to verify against when the username is unknown, so both
    /// cases take the same time.
    decoy: Arc<String>,
    /// Password checks running at once (argon2 takes ~20 MB and a core each).
    verifying: Arc<Semaphore>,
    /// How long an admin session lasts after sign-in, however busy.
    lifetime: Duration,
}

/// The admin signed in on a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentAdmin {
    pub username: String,
    /// The language the admin chose for the dashboard (`None`: the browser's).
    pub lang: Option<Lang>,
}

/// What the session keeps of its admin.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionAdmin {
    username: String,
    epoch: i64,
    since: i64,
}

impl SignIn {
    pub fn new(db: AnyPool, limits: AttemptLimits, lifetime: Duration) -> SignIn {
        attempts::spawn_sweeper(db.clone());
        SignIn {
            db,
            limits,
            decoy: Arc::new(hash("decoy password, never matches").unwrap_or_default()),
            verifying: Arc::new(Semaphore::new(MAX_CONCURRENT_CHECKS)),
            lifetime,
        }
    }

    /// Checks `password` against `stored` (or the decoy) on a blocking thread,
    /// at most [`MAX_CONCURRENT_CHECKS`] at once.
    async fn check_password(
        &self,
        password: &str,
        stored: Option<String>,
    ) -> Result<bool, AdminError> {
        let permit = tokio::time::timeout(
            Duration::from_secs(10),
            self.verifying.clone().acquire_owned(),
        )
        .await
        .map_err(|_| AdminError::Busy)?
        .map_err(|_| AdminError::Busy)?;
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.decoy.as_str().to_string());
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            verify(&password, &hash)
        })
        .await
        .map_err(|e| AdminError::Hash(e.to_string()))?;
        Ok(known && ok)
    }

    /// Length checks, then the attempt limits, then the password.
    async fn authenticate(
        &self,
        ip: ClientIp,
        username: &str,
        password: &str,
    ) -> Result<i64, AdminError> {
        check_username(username)?;
        if password.len() > MAX_PASSWORD {
            return Err(AdminError::LongPassword);
        }
        let key = username.to_ascii_lowercase();
        if let Err(r) = attempts::attempt(&self.db, self.limits, &key, ip).await? {
            return Err(AdminError::TooMany {
                wait: r.wait_secs,
                why: r.why,
            });
        }
        let stored: Option<(String, i64)> =
            sqlx::query_as("SELECT password_hash, session_epoch FROM admins WHERE username = $1")
                .bind(username)
                .fetch_optional(&self.db)
                .await?;
        let epoch = stored.as_ref().map(|s| s.1).unwrap_or_default();
        if !self.check_password(password, stored.map(|s| s.0)).await? {
            tracing::warn!(%ip, "failed admin sign-in");
            return Err(AdminError::WrongCredentials);
        }
        attempts::succeeded(&self.db, &key, ip).await?;
        Ok(epoch)
    }

    /// Checks the password and starts the admin's session (a new session id).
    pub async fn sign_in(
        &self,
        session: &Session,
        ip: ClientIp,
        username: &str,
        password: &str,
    ) -> Result<(), AdminError> {
        let epoch = self.authenticate(ip, username, password).await?;
        session.cycle_id().await?;
        let admin = SessionAdmin {
            username: username.to_string(),
            epoch,
            since: crate::db::now(),
        };
        session.insert(ADMIN, admin).await?;
        sqlx::query("UPDATE admins SET last_sign_in = $1 WHERE username = $2")
            .bind(crate::db::now())
            .bind(username)
            .execute(&self.db)
            .await?;
        audit(&self.db, username, "sign_in", username, &ip.to_string()).await?;
        Ok(())
    }

    /// Asks the signed-in admin `who` for their password again (before a
    /// secret is replaced); counts against the same limits as a sign-in.
    pub async fn confirm(&self, ip: ClientIp, who: &str, password: &str) -> Result<(), AdminError> {
        self.authenticate(ip, who, password).await.map(|_| ())
    }

    /// The admin of this session: the admin still exists, has not ended their
    /// sessions since (password change, "sign out everywhere"), and signed in
    /// less than the session lifetime ago.
    pub async fn current(&self, session: &Session) -> Option<String> {
        self.current_admin(session).await.map(|a| a.username)
    }

    /// [`SignIn::current`], with the language the admin chose.
    pub async fn current_admin(&self, session: &Session) -> Option<CurrentAdmin> {
        let admin: SessionAdmin = session.get(ADMIN).await.ok()??;
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT session_epoch, lang FROM admins WHERE username = $1")
                .bind(&admin.username)
                .fetch_optional(&self.db)
                .await
                .ok()?;
        let fresh = crate::db::now() < admin.since + self.lifetime.as_secs() as i64;
        match row {
            Some((epoch, lang)) if epoch == admin.epoch && fresh => Some(CurrentAdmin {
                username: admin.username,
                lang: Lang::from_tag(&lang),
            }),
            _ => {
                let _ = session.remove::<SessionAdmin>(ADMIN).await;
                None
            }
        }
    }

    pub async fn sign_out(&self, session: &Session, who: &str) -> Result<(), AdminError> {
        session.remove::<SessionAdmin>(ADMIN).await?;
        session.cycle_id().await?;
        audit(&self.db, who, "sign_out", who, "").await?;
        Ok(())
    }

    /// Ends every session of `who`, this one included.
    pub async fn sign_out_everywhere(
        &self,
        session: &Session,
        who: &str,
    ) -> Result<(), AdminError> {
        end_sessions(&self.db, who).await?;
        session.remove::<SessionAdmin>(ADMIN).await?;
        session.cycle_id().await?;
        audit(&self.db, who, "sign_out_everywhere", who, "").await?;
        Ok(())
    }
}

/// Ends every session of admin `username` (in every process: sessions check
/// the epoch on each request).
async fn end_sessions(db: &AnyPool, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE admins SET session_epoch = session_epoch + 1 WHERE username = $1")
        .bind(username)
        .execute(db)
        .await?;
    Ok(())
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
    fn refusals_are_written_in_both_languages() {
        let mut problems = app::i18n::check_catalogue("admin", t::ALL);
        problems.extend(app::i18n::check_catalogue("attempts", attempts::t::ALL));
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn usernames_are_plain() {
        assert!(check_username("ops.lead-1").is_ok());
        assert!(check_username("").is_err());
        assert!(check_username("a b").is_err());
        assert!(check_username(&"a".repeat(33)).is_err());
    }
}
