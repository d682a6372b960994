//! The in-process half of the credential cache: per credential, the last
//! value seen with its deadlines on this process's monotonic clock, what is
//! known of a backoff, and the one refresh task ("flight") under way.
//!
//! Invariants:
//! - Deadlines are `Instant`s computed from durations the database reported
//!   ("expires in", "backoff left"), so a process's wall clock never decides
//!   whether a value is valid.
//! - A refused value read before its invalidation is never cached after it
//!   (the slot's generation is bumped by every invalidation, and a store from
//!   an older generation is dropped when it carries the refused value).
//! - At most one flight per credential and generation runs in a process.

use super::CredentialError;
use futures::future::{BoxFuture, Shared};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Instant;

/// What this process knows of one credential.
#[derive(Debug, Clone)]
pub(super) struct Known {
    /// The account the value belongs to (an admin may change the settings).
    pub account: String,
    /// The value, or empty when none is known to be valid.
    pub value: String,
    /// When the value stops being valid.
    pub valid_until: Instant,
    /// When to look at the shared state again (at the latest when the value
    /// enters its refresh margin, or when a backoff ends); until then,
    /// requests are answered from here without a database round trip.
    pub next_sync: Instant,
    /// The last fetch failed and WeChat is not asked again before `next_sync`.
    pub backoff: Option<Backoff>,
}

impl Known {
    /// The same, looked at again at `at`.
    pub fn syncing_at(mut self, at: Instant) -> Known {
        self.next_sync = at;
        self
    }
}

/// A failed fetch that every process is backing off from.
#[derive(Debug, Clone)]
pub(super) struct Backoff {
    pub errcode: Option<i64>,
    pub last_error: String,
}

/// What a request may do with what is known.
pub(super) enum Answer {
    /// Serve this value; when `refresh` is set, start a refresh in the
    /// background (the value is inside its margin or due for a re-read).
    Serve { value: String, refresh: bool },
    /// Backed off with no valid value: answer this error now.
    Refuse(CredentialError),
    /// Nothing usable: wait for a flight.
    Wait,
}

pub(super) type FlightFuture = Shared<BoxFuture<'static, Result<String, CredentialError>>>;

struct Flight {
    id: u64,
    /// The account it fetches for (an admin may change the settings).
    account: String,
    generation: u64,
    future: FlightFuture,
}

#[derive(Default)]
pub(super) struct Slot {
    known: RwLock<Option<Known>>,
    flight: Mutex<Option<Flight>>,
    /// Bumped by every invalidation.
    generation: AtomicU64,
    /// The value invalidated last.
    refused: RwLock<String>,
    flights: AtomicU64,
}

impl Slot {
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// What a request for `account`'s value may do now.
    pub fn answer(&self, kind: &'static str, account: &str, now: Instant) -> Answer {
        let guard = self.known.read().unwrap_or_else(|e| e.into_inner());
        let Some(k) = guard.as_ref().filter(|k| k.account == account) else {
            return Answer::Wait;
        };
        if !k.value.is_empty() && now < k.valid_until {
            return Answer::Serve {
                value: k.value.clone(),
                refresh: now >= k.next_sync,
            };
        }
        match &k.backoff {
            Some(b) if now < k.next_sync => Answer::Refuse(CredentialError::Backoff {
                kind,
                errcode: b.errcode,
                last_error: b.last_error.clone(),
                retry_in_secs: k.next_sync.saturating_duration_since(now).as_secs() as i64 + 1,
            }),
            _ => Answer::Wait,
        }
    }

    /// Records `known`, unless it was read before an invalidation (since
    /// `generation`) and holds the value that was refused.
    pub fn remember(&self, known: Known, generation: u64) {
        let mut guard = self.known.write().unwrap_or_else(|e| e.into_inner());
        let refused = self.refused.read().unwrap_or_else(|e| e.into_inner());
        if self.generation() == generation || known.value.is_empty() || *refused != known.value {
            *guard = Some(known);
        }
    }

    /// Looks at the shared state again no sooner than `at` (after a database
    /// error, or while another process holds the lease), keeping the value.
    pub fn sync_again_at(&self, at: Instant) {
        let mut guard = self.known.write().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = guard.as_mut() {
            k.next_sync = at;
        }
    }

    /// When a backoff this process knows of ends.
    pub fn backoff_until(&self) -> Option<Instant> {
        let guard = self.known.read().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .filter(|k| k.backoff.is_some())
            .map(|k| k.next_sync)
    }

    /// Drops `value` and stops reads already under way from caching it again.
    pub fn forget(&self, value: &str) {
        *self.refused.write().unwrap_or_else(|e| e.into_inner()) = value.to_string();
        self.generation.fetch_add(1, Ordering::SeqCst);
        let mut guard = self.known.write().unwrap_or_else(|e| e.into_inner());
        if guard.as_ref().is_some_and(|k| k.value == value) {
            *guard = None;
        }
    }

    /// The flight under way for `account` and the current generation, or a
    /// new one made by `start` (given the flight's id, to pass to
    /// [`Slot::landed`]).
    pub fn flight(&self, account: &str, start: impl FnOnce(u64) -> FlightFuture) -> FlightFuture {
        let mut guard = self.flight.lock().unwrap_or_else(|e| e.into_inner());
        let generation = self.generation();
        if let Some(f) = guard
            .as_ref()
            .filter(|f| f.generation == generation && f.account == account)
        {
            return f.future.clone();
        }
        let id = self.flights.fetch_add(1, Ordering::Relaxed);
        let future = start(id);
        *guard = Some(Flight {
            id,
            account: account.to_string(),
            generation,
            future: future.clone(),
        });
        future
    }

    /// Flight `id` is over: the next request that needs one starts a new one.
    pub fn landed(&self, id: u64) {
        let mut guard = self.flight.lock().unwrap_or_else(|e| e.into_inner());
        if guard.as_ref().is_some_and(|f| f.id == id) {
            *guard = None;
        }
    }
}
