//! Sign-in attempt limits, counted in the database so that every process
//! serving the dashboard shares them (three replicas do not allow three times
//! the attempts). Each limit is "n a minute, with a burst of n", kept as GCRA
//! (the generic cell rate algorithm, as `governor` does in memory): one
//! "theoretical arrival time" per key, advanced by 60/n s per attempt, refused
//! when it runs more than a minute ahead of now. One atomic upsert per check;
//! rows whose limit has fully recovered are swept every minute by their index,
//! and only keys of length-checked usernames and client IPs are ever written.
//!
//! Three limits, checked in this order: per client IP (`WXKIT_SIGN_IN_PER_IP`),
//! per username and client IP, tight (`WXKIT_SIGN_IN_PER_USER`), and per
//! username from everywhere, loose (`WXKIT_SIGN_IN_PER_USER_TOTAL`): a stranger
//! who hammers a known username locks out only their own IP for it, unless
//! they can spread over enough IPs to exhaust the loose limit.

use crate::client_ip::ClientIp;
use sqlx::AnyPool;
use std::time::Duration;

const WINDOW_MS: i64 = 60_000;

/// Which limit was reached, and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub wait_secs: u64,
    /// Which limit was reached, in words.
    pub why: app::i18n::Text,
}

/// The three sign-in limits, per minute.
#[derive(Debug, Clone, Copy)]
pub struct AttemptLimits {
    pub per_ip: u32,
    pub per_user_ip: u32,
    pub per_user_total: u32,
}

/// Counts one attempt under `key` against `per_minute`: `Ok(())`, or the
/// milliseconds until the next attempt would be allowed. A refused attempt
/// counts too (hammering only lengthens the wait), up to one interval past
/// a full minute.
async fn check(
    db: &AnyPool,
    key: &str,
    per_minute: u32,
    now_ms: i64,
) -> Result<Result<(), i64>, sqlx::Error> {
    let interval = WINDOW_MS / i64::from(per_minute.max(1));
    let horizon = WINDOW_MS; // burst = per_minute attempts
    let tat: i64 = sqlx::query_scalar(
        "INSERT INTO sign_in_limits (key, tat_ms) VALUES ($1, $2 + $3)
         ON CONFLICT (key) DO UPDATE SET tat_ms =
            CASE WHEN sign_in_limits.tat_ms > $2 THEN
                 CASE WHEN sign_in_limits.tat_ms + $3 > $2 + $4 + $3 THEN $2 + $4 + $3
                      ELSE sign_in_limits.tat_ms + $3 END
            ELSE $2 + $3 END
         RETURNING tat_ms",
    )
    .bind(key)
    .bind(now_ms)
    .bind(interval)
    .bind(horizon)
    .fetch_one(db)
    .await?;
    Ok(if tat - now_ms <= horizon {
        Ok(())
    } else {
        Err(tat - now_ms - horizon)
    })
}

/// Counts an attempt by `username` (already length-checked, lower-cased)
/// from `ip` against every limit, stopping at the first that refuses.
pub async fn attempt(
    db: &AnyPool,
    limits: AttemptLimits,
    username: &str,
    ip: ClientIp,
) -> Result<Result<(), Refused>, sqlx::Error> {
    let now_ms = crate::db::now_ms();
    let ip = ip.limit_key();
    let checks = [
        (format!("ip:{ip}"), limits.per_ip, t::FROM_NETWORK),
        (
            format!("user-ip:{username}|{ip}"),
            limits.per_user_ip,
            t::USER_FROM_NETWORK,
        ),
        (
            format!("user:{username}"),
            limits.per_user_total,
            t::USER_EVERYWHERE,
        ),
    ];
    for (key, limit, why) in checks {
        if let Err(wait_ms) = check(db, &key, limit, now_ms).await? {
            let wait_secs = ((wait_ms + 999) / 1000).max(1) as u64;
            return Ok(Err(Refused { wait_secs, why }));
        }
    }
    Ok(Ok(()))
}

/// After a successful sign-in, the tight limit of that username and IP starts over.
pub async fn succeeded(db: &AnyPool, username: &str, ip: ClientIp) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_limits WHERE key = $1")
        .bind(format!("user-ip:{username}|{}", ip.limit_key()))
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes the rows of keys whose limit has fully recovered.
pub async fn sweep(db: &AnyPool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sign_in_limits WHERE tat_ms < $1")
        .bind(crate::db::now_ms())
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Sweeps every minute.
pub fn spawn_sweeper(db: AnyPool) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Err(e) = sweep(&db).await {
                tracing::warn!("could not sweep sign-in limits: {e}");
            }
        }
    });
}

/// Which limit a refused sign-in reached.
pub(super) mod t {
    app::texts! {
        FROM_NETWORK: "你的网络登录尝试次数过多", "too many sign-in attempts from your network";
        USER_FROM_NETWORK: "你的网络对该用户名的登录尝试次数过多", "too many sign-in attempts for this username from your network";
        USER_EVERYWHERE: "该用户名的登录尝试次数过多（可能有人在猜测密码）", "too many sign-in attempts for this username from everywhere (someone may be guessing its password)";
    }
}
