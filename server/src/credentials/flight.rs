//! The refresh of one credential, as a task of its own ("flight"): read the
//! shared row, settle from it when it holds a fresh value or a backoff, else
//! take the lease, ask WeChat (renewing the lease meanwhile), store the
//! outcome fenced by the lease, and give the lease up on every path.
//!
//! Invariants: at most one flight per credential runs in a process (the
//! slot's), at most one refresh per credential across processes (the lease);
//! a caller going away cancels nothing; a fetched value is always kept (in
//! memory at once, in the row as soon as the database answers).

use super::memory::{Backoff, FlightFuture, Known};
use super::store::{Lease, Row};
use super::{after, effective_margin, fetch, CredentialError, Credentials, Kind};
use crate::wechat::WeChatError;
use futures::FutureExt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How soon to look at the database again after it failed to answer.
const DB_RETRY: Duration = Duration::from_secs(1);
/// How soon to try a ticket again after its token failed, when the token's
/// own retry time is not known.
const DEPENDENCY_RETRY: Duration = Duration::from_millis(100);
/// How often a request with no valid value looks at the row while another
/// process refreshes it.
const LEASE_WAIT: Duration = Duration::from_millis(100);
/// How often a process re-reads the row while another process holds the lease.
const LEASE_POLL: Duration = Duration::from_millis(250);

impl Credentials {
    /// The flight of `kind` under way, or a new one: a task of its own, so
    /// that no caller going away can cancel it.
    pub(super) fn flight(self: &Arc<Self>, kind: Kind, account: &str) -> FlightFuture {
        self.slot(kind).flight(account, |id| {
            let this = self.clone();
            let task = tokio::spawn(async move {
                let result = AssertUnwindSafe(this.clone().sync(kind))
                    .catch_unwind()
                    .await
                    .unwrap_or(Err(CredentialError::Internal(kind.as_str())));
                this.slot(kind).landed(id);
                result
            });
            async move {
                task.await
                    .unwrap_or(Err(CredentialError::Internal(kind.as_str())))
            }
            .boxed()
            .shared()
        })
    }

    /// Brings this process's copy of `kind` up to date: from the row when it
    /// holds a fresh value (or a backoff), else by refreshing under the lease,
    /// else by waiting for the process that holds it.
    fn sync(
        self: Arc<Self>,
        kind: Kind,
    ) -> futures::future::BoxFuture<'static, Result<String, CredentialError>> {
        Box::pin(async move {
            let account = self.account(kind)?;
            let slot = self.slot(kind);
            let give_up = Instant::now() + self.settings.wait;
            loop {
                let generation = slot.generation();
                let asked = Instant::now();
                let row = match self.store.load(&account, kind).await {
                    Ok(row) => row,
                    Err(e) => {
                        slot.sync_again_at(asked + DB_RETRY);
                        return Err(e);
                    }
                };
                if let Some(answer) = row
                    .as_ref()
                    .and_then(|r| self.settle(kind, &account, r, generation, asked))
                {
                    return answer;
                }
                match self.store.take_lease(&account, kind, row.is_some()).await {
                    Ok(Some(lease)) => {
                        // Read again under the lease: the previous holder may
                        // have stored a value between our read and our lease.
                        let asked = Instant::now();
                        let row = match self.store.load(&account, kind).await {
                            Ok(row) => row,
                            Err(e) => {
                                slot.sync_again_at(asked + DB_RETRY);
                                self.release(&lease).await;
                                return Err(e);
                            }
                        };
                        if let Some(answer) = row
                            .as_ref()
                            .and_then(|r| self.settle(kind, &account, r, generation, asked))
                        {
                            self.release(&lease).await;
                            return answer;
                        }
                        return self.refresh(lease, row, generation, asked).await;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        slot.sync_again_at(asked + DB_RETRY);
                        return Err(e);
                    }
                }
                // Another process is refreshing: serve what is valid meanwhile.
                if let Some(r) = row.as_ref().filter(|r| r.valid_value().is_some()) {
                    slot.remember(
                        self.known(&account, r.value.clone(), asked, r.expires_in_ms, 0)
                            .syncing_at(asked + LEASE_POLL),
                        generation,
                    );
                    return Ok(r.value.clone());
                }
                if Instant::now() >= give_up {
                    return Err(CredentialError::LockTimeout(kind.as_str()));
                }
                tokio::time::sleep(LEASE_WAIT).await;
            }
        })
    }

    /// The answer a row gives without a refresh: its value while fresh, or,
    /// while WeChat is backed off, its value if still valid (else the
    /// backoff's error). `None`: a refresh is due.
    fn settle(
        &self,
        kind: Kind,
        account: &str,
        row: &Row,
        generation: u64,
        asked: Instant,
    ) -> Option<Result<String, CredentialError>> {
        let slot = self.slot(kind);
        let margin_ms = effective_margin(self.settings.margin, row.lifetime_secs) * 1000;
        let valid = row.valid_value();
        if valid.is_some() && row.expires_in_ms > margin_ms {
            let known = self.known(
                account,
                row.value.clone(),
                asked,
                row.expires_in_ms,
                row.lifetime_secs,
            );
            slot.remember(known, generation);
            return Some(Ok(row.value.clone()));
        }
        if row.backoff_left_ms <= 0 {
            return None;
        }
        let backoff = Backoff {
            errcode: (row.last_errcode != 0).then_some(row.last_errcode),
            last_error: row.last_error.clone(),
        };
        let until = after(asked, row.backoff_left_ms);
        let valid = self.remember_backoff(
            kind,
            account,
            Some(row),
            generation,
            asked,
            until,
            backoff.clone(),
        );
        Some(valid.ok_or(CredentialError::Backoff {
            kind: kind.as_str(),
            errcode: backoff.errcode,
            last_error: backoff.last_error,
            retry_in_secs: (row.backoff_left_ms + 999) / 1000,
        }))
    }

    /// What to keep in memory of a value that, at `asked`, expired in
    /// `expires_in_ms` and was issued for `lifetime_secs`: look again when it
    /// enters its margin, or after the resync period, whichever is first.
    fn known(
        &self,
        account: &str,
        value: String,
        asked: Instant,
        expires_in_ms: i64,
        lifetime_secs: i64,
    ) -> Known {
        let margin_ms = effective_margin(self.settings.margin, lifetime_secs) * 1000;
        Known {
            account: account.to_string(),
            value,
            valid_until: after(asked, expires_in_ms),
            next_sync: after(asked, expires_in_ms - margin_ms).min(asked + self.settings.resync),
            backoff: None,
        }
    }

    /// Asks WeChat for a new value while holding `lease`, stores the outcome
    /// (fenced by the lease) and gives the lease up, on every path.
    async fn refresh(
        self: &Arc<Self>,
        lease: Lease,
        row: Option<Row>,
        generation: u64,
        asked: Instant,
    ) -> Result<String, CredentialError> {
        let kind = lease.kind;
        let force = row.as_ref().is_some_and(Row::invalidated);
        let outcome = AssertUnwindSafe(self.fetch_renewing(&lease, force))
            .catch_unwind()
            .await;
        let result = match outcome {
            Err(_) => {
                tracing::error!(kind = kind.as_str(), "a credential refresh panicked");
                self.slot(kind).sync_again_at(Instant::now() + DB_RETRY);
                Err(CredentialError::Internal(kind.as_str()))
            }
            Ok(Ok((value, expires_in))) => {
                let fetched = Instant::now();
                let mut known = self.known(
                    &lease.account,
                    value.clone(),
                    fetched,
                    expires_in * 1000,
                    expires_in,
                );
                if row.as_ref().is_some_and(|r| r.value == value) {
                    // WeChat hands out the same value while it is valid
                    // (stable_token's normal mode, WeCom's gettoken): no
                    // earlier refresh is possible; the store records the same.
                    known.next_sync = known.valid_until;
                    known.backoff = Some(Backoff {
                        errcode: None,
                        last_error: "WeChat hands out the same value until it expires".into(),
                    });
                }
                self.slot(kind).remember(known, generation);
                match self.store_fetched(&lease, &value, expires_in).await {
                    Some(true) => {}
                    // Another process took over: read what it stored.
                    Some(false) => self.slot(kind).sync_again_at(Instant::now()),
                    None => {
                        // The database did not answer: keep trying in the
                        // background while the value is valid (it is served
                        // from memory meanwhile), then give the lease up.
                        let this = self.clone();
                        let kept = value.clone();
                        tokio::spawn(async move {
                            let give_up = fetched + Duration::from_secs(expires_in.max(0) as u64);
                            let mut pause = DB_RETRY;
                            while Instant::now() + pause < give_up {
                                tokio::time::sleep(pause).await;
                                if this
                                    .store_fetched(&lease, &kept, expires_in)
                                    .await
                                    .is_some()
                                {
                                    break;
                                }
                                pause = (pause * 2).min(Duration::from_secs(30));
                            }
                            this.release(&lease).await;
                        });
                        return Ok(value);
                    }
                }
                Ok(value)
            }
            Ok(Err(fetch::FetchError::Dependency(e))) => {
                self.dependency_failed(&lease, row.as_ref(), generation, asked, e)
            }
            Ok(Err(fetch::FetchError::Upstream(e))) => {
                self.back_off(&lease, row.as_ref(), generation, asked, e)
                    .await
            }
        };
        self.release(&lease).await;
        result
    }

    async fn release(&self, lease: &Lease) {
        if let Err(e) = self.store.release(lease).await {
            tracing::warn!(
                kind = lease.kind.as_str(),
                "could not give the credential lease up (it runs out by itself): {e}"
            );
        }
    }

    /// Stores a fetched value: `Some(true)` stored, `Some(false)` refused
    /// by the fence (another process took the lease over; its value stands),
    /// `None` when the database did not answer.
    async fn store_fetched(&self, lease: &Lease, value: &str, expires_in: i64) -> Option<bool> {
        let kind = lease.kind.as_str();
        match self.store.store_value(lease, value, expires_in).await {
            Ok(true) => {
                crate::telemetry::metrics::credential_refreshed(kind);
                tracing::info!(kind, expires_in, "fetched a new credential");
                Some(true)
            }
            Ok(false) => {
                tracing::warn!(
                    kind,
                    "fetched a credential after another process took the lease over; its value stands"
                );
                Some(false)
            }
            Err(e) => {
                tracing::warn!(kind, "could not store a fetched credential yet: {e}");
                None
            }
        }
    }

    /// Records a failed fetch: backoff for every process, and the value that
    /// is still valid (if any) keeps being served.
    async fn back_off(
        &self,
        lease: &Lease,
        row: Option<&Row>,
        generation: u64,
        asked: Instant,
        e: WeChatError,
    ) -> Result<String, CredentialError> {
        let kind = lease.kind;
        let failures = row.map_or(0, |r| r.failures) + 1;
        crate::telemetry::metrics::credential_failed(kind.as_str(), &e);
        let backoff_for = self.backoff(failures);
        tracing::warn!(
            kind = kind.as_str(),
            failures,
            backoff_ms = backoff_for.as_millis() as u64,
            "fetching a credential failed: {e}"
        );
        let message = e.to_string();
        if let Err(db) = self
            .store
            .store_failure(
                lease,
                failures,
                backoff_for,
                &message,
                e.errcode().unwrap_or_default(),
            )
            .await
        {
            tracing::warn!(kind = kind.as_str(), "could not record the failure: {db}");
        }
        let backoff = Backoff {
            errcode: e.errcode(),
            last_error: message,
        };
        let until = Instant::now() + backoff_for;
        self.remember_backoff(kind, &lease.account, row, generation, asked, until, backoff)
            .ok_or(CredentialError::Upstream(e))
    }

    /// A credential this one needs (a ticket's token) could not be had: keep
    /// serving what is still valid and look again when the other one's
    /// backoff ends, answering from memory meanwhile (no database round trip
    /// per request while the token is backed off).
    fn dependency_failed(
        &self,
        lease: &Lease,
        row: Option<&Row>,
        generation: u64,
        asked: Instant,
        e: CredentialError,
    ) -> Result<String, CredentialError> {
        // Try again when the token's backoff ends (its slot knows), and soon
        // when it is not backed off.
        let now = Instant::now();
        let retry_at = lease
            .kind
            .token()
            .and_then(|t| self.slot(t).backoff_until())
            .filter(|at| *at > now)
            .unwrap_or(now + DEPENDENCY_RETRY)
            .min(now + self.settings.backoff_max);
        let backoff = Backoff {
            errcode: match &e {
                CredentialError::Upstream(w) => w.errcode(),
                CredentialError::Backoff { errcode, .. } => *errcode,
                _ => None,
            },
            last_error: e.to_string(),
        };
        self.remember_backoff(
            lease.kind,
            &lease.account,
            row,
            generation,
            asked,
            retry_at,
            backoff,
        )
        .ok_or(e)
    }

    /// Remembers that WeChat is not asked for `kind` again before `until`,
    /// keeping the value of `row` while it is valid (and answering it, or the
    /// backoff's error, from memory until then). The value, if valid.
    #[allow(clippy::too_many_arguments)]
    fn remember_backoff(
        &self,
        kind: Kind,
        account: &str,
        row: Option<&Row>,
        generation: u64,
        asked: Instant,
        until: Instant,
        backoff: Backoff,
    ) -> Option<String> {
        let valid = row.and_then(Row::valid_value).map(str::to_string);
        let mut known = self.known(
            account,
            valid.clone().unwrap_or_default(),
            asked,
            row.map_or(0, |r| r.expires_in_ms),
            0,
        );
        known.next_sync = until;
        known.backoff = Some(backoff);
        self.slot(kind).remember(known, generation);
        valid
    }

    /// Exponential backoff: base × 2^(failures−1), capped.
    fn backoff(&self, failures: i64) -> Duration {
        let exp = (failures - 1).clamp(0, 20) as u32;
        self.settings
            .backoff_base
            .saturating_mul(1u32 << exp)
            .min(self.settings.backoff_max)
    }
}
