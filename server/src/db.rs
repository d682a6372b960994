//! The database: one `sqlx::AnyPool` over SQLite (default, a file under
//! `data/`) or PostgreSQL (`postgres://…`), and the migrations in
//! `migrations/`, which are written once and run unchanged on both.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot open the database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot create the directory {dir} for the SQLite file: {source}")]
    Directory { dir: String, source: std::io::Error },
    #[error("migrating the database failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Whether a database URL names SQLite.
pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Opens a pool. A SQLite file (and its directory) is created when missing and
/// runs in WAL mode with a busy timeout, so several processes can share it.
/// The file of an SQLite URL (`sqlite://PATH?…`); `None` for PostgreSQL.
pub fn sqlite_path(url: &str) -> Option<&str> {
    is_sqlite(url).then(|| {
        url.trim_start_matches("sqlite:")
            .trim_start_matches("//")
            .split('?')
            .next()
            .unwrap_or_default()
    })
}

pub async fn connect(url: &str) -> Result<AnyPool, DbError> {
    sqlx::any::install_default_drivers();
    let shown = crate::config::redact_url(url);
    let mut url = url.to_string();
    let sqlite = is_sqlite(&url);
    if let Some(path) = sqlite_path(&url).map(str::to_string) {
        if let Some(dir) = std::path::Path::new(&path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|source| DbError::Directory {
                dir: dir.display().to_string(),
                source,
            })?;
        }
        if !url.contains("mode=") {
            url.push_str(if url.contains('?') {
                "&mode=rwc"
            } else {
                "?mode=rwc"
            });
        }
    }
    let options = AnyConnectOptions::from_str(&url).map_err(|source| DbError::Connect {
        url: shown.clone(),
        source,
    })?;
    AnyPoolOptions::new()
        .max_connections(if sqlite { 8 } else { 10 })
        .acquire_timeout(Duration::from_secs(15))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if sqlite {
                    conn.execute("PRAGMA journal_mode=WAL").await?;
                    conn.execute("PRAGMA busy_timeout=15000").await?;
                    conn.execute("PRAGMA synchronous=NORMAL").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|source| DbError::Connect { url: shown, source })
}

/// Why `wxkit backup` could not copy the database.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("`wxkit backup` copies an SQLite database; back PostgreSQL up with pg_dump (README, Deployment)")]
    NotSqlite,
    #[error("{0} exists already: name a new file")]
    Exists(String),
    #[error("there is no database at {0}: check WXKIT_DATABASE_URL and WXKIT_DATA_DIR (and the working directory)")]
    NoDatabase(String),
    #[error(transparent)]
    Open(#[from] DbError),
    #[error("the copy failed: {0}")]
    Copy(sqlx::Error),
}

/// Writes a consistent copy of the SQLite database at `url` to `path`
/// while it is in use (`VACUUM INTO` reads one snapshot; writers carry on).
pub async fn backup(url: &str, path: &str) -> Result<(), BackupError> {
    let Some(database) = sqlite_path(url) else {
        return Err(BackupError::NotSqlite);
    };
    // Never a copy of an empty database made by a wrong setting.
    if !std::path::Path::new(database).is_file() {
        return Err(BackupError::NoDatabase(database.to_string()));
    }
    if std::path::Path::new(path).exists() {
        return Err(BackupError::Exists(path.to_string()));
    }
    let pool = connect(url).await?;
    // A string literal: SQLite takes no parameter here.
    let literal = format!("'{}'", path.replace('\'', "''"));
    sqlx::query(&format!("VACUUM INTO {literal}"))
        .execute(&pool)
        .await
        .map_err(BackupError::Copy)?;
    pool.close().await;
    Ok(())
}

/// Applies pending migrations. Retried a few times: processes starting at the
/// same moment on one SQLite file may race to apply the same migration; the
/// loser sees it applied on the next try.
pub async fn migrate(pool: &AnyPool) -> Result<(), DbError> {
    let mut attempt = 0;
    loop {
        match MIGRATOR.run(pool).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 4 => {
                attempt += 1;
                tracing::debug!("migration attempt {attempt} failed, retrying: {e}");
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Whether `e` says the database could not be reached (down, restarting,
/// every connection busy past the acquire timeout), rather than that a
/// statement failed: the first is answered 503 (try again), the second 500.
pub fn unreachable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed
    )
}

/// Which SQL the database speaks, where the two differ (the clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The dialect of an open pool.
    pub fn of(pool: &AnyPool) -> Dialect {
        if pool
            .connect_options()
            .database_url
            .scheme()
            .starts_with("sqlite")
        {
            Dialect::Sqlite
        } else {
            Dialect::Postgres
        }
    }

    /// An SQL expression for the database's clock, in Unix milliseconds.
    /// Whatever several processes must agree on (leases, expiries, backoff)
    /// is judged by this one clock, not by each machine's own.
    pub fn now_ms(self) -> &'static str {
        match self {
            Dialect::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
            Dialect::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
        }
    }
}

/// Test-only shift of this process's wall clock, in milliseconds
/// (`WXKIT_TEST_CLOCK_OFFSET_SECS`): lets a test run processes whose clocks
/// disagree, as machines' clocks do.
static CLOCK_OFFSET_MS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Shifts what [`now_ms`] answers by `secs` (tests only).
pub fn set_clock_offset(secs: i64) {
    CLOCK_OFFSET_MS.store(
        secs.saturating_mul(1000),
        std::sync::atomic::Ordering::Relaxed,
    );
}

/// Unix seconds now, by this process's clock.
pub fn now() -> i64 {
    now_ms() / 1000
}

/// Unix milliseconds now, by this process's clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
        + CLOCK_OFFSET_MS.load(std::sync::atomic::Ordering::Relaxed)
}
