//! The shared half of the credential cache: one row per (account, kind) in
//! `credentials`, holding the value, its expiry, the backoff after failed
//! fetches and the refresh lease.
//!
//! Invariants:
//! - Every time is judged by the database's clock ([`Dialect::now_ms`]), so
//!   processes on machines whose clocks disagree still agree on who holds the
//!   lease, what has expired and how long to back off. Rows are read as
//!   durations from that clock ("expires in", "backoff left").
//! - A lease is taken only when the previous one has run out; taking it adds
//!   one to `lease_generation`. A value or a failure is written only by a
//!   statement that checks holder and generation (fencing): a process whose
//!   lease was taken over writes nothing.

use super::{CredentialError, Kind};
use crate::db::Dialect;
use sqlx::AnyPool;
use std::time::Duration;

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// One credential row, with times as seen from the database's clock now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct Row {
    pub value: String,
    /// Milliseconds until the value expires (≤ 0: expired or invalidated).
    pub expires_in_ms: i64,
    /// The stored expiry (Unix seconds); 0 once WeChat refused the value.
    pub expires_at: i64,
    /// Seconds the value was issued for (`expires_in` of WeChat's reply).
    pub lifetime_secs: i64,
    pub failures: i64,
    /// Milliseconds of backoff left after failed fetches (≤ 0: none).
    pub backoff_left_ms: i64,
    pub last_error: String,
    pub last_errcode: i64,
}

impl Row {
    /// The value, while it has not expired.
    pub fn valid_value(&self) -> Option<&str> {
        (!self.value.is_empty() && self.expires_in_ms > 0).then_some(self.value.as_str())
    }

    /// WeChat refused the stored value (40001 and kin): its replacement must
    /// be a new one, not the same one handed out again (stable_token).
    pub fn invalidated(&self) -> bool {
        !self.value.is_empty() && self.expires_at == 0
    }
}

/// A refresh lease held by this process.
#[derive(Debug, Clone)]
pub(super) struct Lease {
    pub account: String,
    pub kind: Kind,
    pub generation: i64,
}

/// What health displays need of a row. Never the value.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(super) struct HealthRow {
    pub present: i64,
    pub expires_in_secs: i64,
    pub fetched_at: i64,
    pub refresh_count: i64,
    pub failures: i64,
    pub last_error: String,
    /// The last failure's WeChat errcode (0: none, or not a WeChat reply).
    pub last_errcode: i64,
}

/// The `credentials` table of one pool.
pub(super) struct Store {
    db: AnyPool,
    /// The database's clock in SQL, Unix milliseconds.
    now_ms: &'static str,
    /// Who this process is, as a lease holder.
    holder: String,
    /// How long a lease lasts unless renewed.
    lease: Duration,
}

impl Store {
    pub fn new(db: AnyPool, lease: Duration) -> Store {
        Store {
            now_ms: Dialect::of(&db).now_ms(),
            db,
            holder: crate::signature::nonce(),
            lease,
        }
    }

    pub async fn load(&self, account: &str, kind: Kind) -> Result<Option<Row>, CredentialError> {
        let now = self.now_ms;
        Ok(sqlx::query_as::<_, Row>(&format!(
            "SELECT value, expires_at * 1000 - {now} AS expires_in_ms,
                    expires_at, expires_at - fetched_at AS lifetime_secs,
                    failures, backoff_until_ms - {now} AS backoff_left_ms, last_error, last_errcode
             FROM credentials WHERE account = $1 AND kind = $2"
        ))
        .bind(account)
        .bind(kind.as_str())
        .fetch_optional(&self.db)
        .await?)
    }

    /// Takes the refresh lease of (`account`, `kind`) if nobody holds a live one.
    /// `row_exists`: the row was seen, so it need not be created first.
    pub async fn take_lease(
        &self,
        account: &str,
        kind: Kind,
        row_exists: bool,
    ) -> Result<Option<Lease>, CredentialError> {
        if !row_exists {
            sqlx::query(
                "INSERT INTO credentials (account, kind) VALUES ($1, $2)
                 ON CONFLICT (account, kind) DO NOTHING",
            )
            .bind(account)
            .bind(kind.as_str())
            .execute(&self.db)
            .await?;
        }
        let now = self.now_ms;
        let taken: Option<(i64,)> = sqlx::query_as(&format!(
            "UPDATE credentials SET lease_holder = $3, lease_until_ms = {now} + $4,
                    lease_generation = lease_generation + 1
             WHERE account = $1 AND kind = $2 AND lease_until_ms < {now}
             RETURNING lease_generation"
        ))
        .bind(account)
        .bind(kind.as_str())
        .bind(&self.holder)
        .bind(self.lease.as_millis() as i64)
        .fetch_optional(&self.db)
        .await?;
        Ok(taken.map(|(generation,)| Lease {
            account: account.to_string(),
            kind,
            generation,
        }))
    }

    /// The statement of a fenced update: `set` applies only while `lease` is
    /// the current one. `$1`–`$4` are bound by [`Store::fence`]; `set` uses `$5`….
    fn fenced_sql(set: &str) -> String {
        format!(
            "UPDATE credentials SET {set}
             WHERE account = $1 AND kind = $2 AND lease_holder = $3 AND lease_generation = $4"
        )
    }

    /// Binds the fence of [`Store::fenced_sql`].
    fn fence<'q>(&'q self, sql: &'q str, lease: &'q Lease) -> AnyQuery<'q> {
        sqlx::query(sql)
            .bind(&lease.account)
            .bind(lease.kind.as_str())
            .bind(&self.holder)
            .bind(lease.generation)
    }

    async fn run(&self, query: AnyQuery<'_>) -> Result<bool, CredentialError> {
        Ok(query.execute(&self.db).await?.rows_affected() == 1)
    }

    /// Extends a live lease by its full length. `false`: it was taken over.
    pub async fn renew(&self, lease: &Lease) -> Result<bool, CredentialError> {
        let sql = Self::fenced_sql(&format!("lease_until_ms = {} + $5", self.now_ms));
        self.run(self.fence(&sql, lease).bind(self.lease.as_millis() as i64))
            .await
    }

    /// Gives the lease up, so that the next refresh need not wait for it to run out.
    pub async fn release(&self, lease: &Lease) -> Result<(), CredentialError> {
        let sql = Self::fenced_sql("lease_until_ms = 0");
        self.run(self.fence(&sql, lease)).await.map(drop)
    }

    /// Stores a value fetched under `lease`. `false`: the lease was taken
    /// over, and the new holder's value stands. When WeChat handed out the
    /// value already stored (it does so while the value is valid, in
    /// stable_token's normal mode and for WeCom's token), its issue time is
    /// kept and every process waits for its expiry before asking again,
    /// recorded as a backoff without a failure.
    pub async fn store_value(
        &self,
        lease: &Lease,
        value: &str,
        expires_in_secs: i64,
    ) -> Result<bool, CredentialError> {
        let now_s = format!("({} / 1000)", self.now_ms);
        let sql = Self::fenced_sql(&format!(
            "value = $5, expires_at = {now_s} + $6,
             fetched_at = CASE WHEN value = $5 THEN fetched_at ELSE {now_s} END,
             refresh_count = refresh_count + 1, failures = 0,
             backoff_until_ms = CASE WHEN value = $5 THEN ({now_s} + $6) * 1000 ELSE 0 END"
        ));
        self.run(self.fence(&sql, lease).bind(value).bind(expires_in_secs))
            .await
    }

    /// Stores a failed fetch under `lease`: the failure count, the backoff
    /// every process honours, and the error (never a secret: WeChat errors
    /// carry no URL).
    pub async fn store_failure(
        &self,
        lease: &Lease,
        failures: i64,
        backoff: Duration,
        error: &str,
        errcode: i64,
    ) -> Result<bool, CredentialError> {
        let now = self.now_ms;
        let sql = Self::fenced_sql(&format!(
            "failures = $5, backoff_until_ms = {now} + $6, last_error = $7,
             last_errcode = $8, last_error_at = ({now} / 1000)"
        ));
        self.run(
            self.fence(&sql, lease)
                .bind(failures)
                .bind(backoff.as_millis() as i64)
                .bind(error)
                .bind(errcode),
        )
        .await
    }

    /// Marks `value` as refused, if it is still the stored one. Needs no
    /// lease: it only ever makes a refresh happen sooner.
    pub async fn invalidate(
        &self,
        account: &str,
        kind: Kind,
        value: &str,
    ) -> Result<u64, CredentialError> {
        Ok(sqlx::query(
            "UPDATE credentials SET expires_at = 0 WHERE account = $1 AND kind = $2 AND value = $3",
        )
        .bind(account)
        .bind(kind.as_str())
        .bind(value)
        .execute(&self.db)
        .await?
        .rows_affected())
    }

    pub async fn health(&self, account: &str, kind: Kind) -> Result<HealthRow, CredentialError> {
        let now_s = format!("({} / 1000)", self.now_ms);
        let row: Option<HealthRow> = sqlx::query_as(&format!(
            "SELECT CASE WHEN value <> '' AND expires_at > {now_s} THEN 1 ELSE 0 END AS present,
                    CASE WHEN expires_at > {now_s} THEN expires_at - {now_s} ELSE 0 END AS expires_in_secs,
                    fetched_at, refresh_count, failures, last_error, last_errcode
             FROM credentials WHERE account = $1 AND kind = $2"
        ))
        .bind(account)
        .bind(kind.as_str())
        .fetch_optional(&self.db)
        .await?;
        Ok(row.unwrap_or_default())
    }
}
