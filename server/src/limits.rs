//! Rate limits on what anonymous visitors can make wxkit do (share outcomes,
//! config-failure reports, card signatures, `media/get` calls), per client IP
//! and per visitor. In-process, keyed limiters whose memory is bounded
//! whatever is sent: keys are capped in length, idle keys are swept every
//! minute, and past [`MAX_KEYS`] distinct keys a new key is refused rather
//! than remembered. (Admin sign-in has its own limiter, shared through the
//! database: see `admin`.)

use crate::client_ip::ClientIp;
use crate::config::Protection;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Distinct keys one limiter remembers at most.
pub const MAX_KEYS: usize = 100_000;
/// Keys longer than this are cut (they are IPs and openids: never that long).
const MAX_KEY_LEN: usize = 96;

/// Too many requests: try again in this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many requests: try again in {0} s")]
pub struct Limited(pub u64);

/// One keyed limiter: `per_minute` with that burst, per key.
pub struct PerKey {
    limiter: DefaultKeyedRateLimiter<String>,
    name: &'static str,
}

impl PerKey {
    pub fn new(name: &'static str, per_minute: u32) -> PerKey {
        let n = NonZeroU32::new(per_minute.max(1)).expect("≥ 1");
        PerKey {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
            name,
        }
    }

    /// Counts one request under `key`.
    pub fn check(&self, key: &str) -> Result<(), Limited> {
        let key: String = key.chars().take(MAX_KEY_LEN).collect();
        if self.limiter.len() >= MAX_KEYS {
            self.limiter.retain_recent();
            if self.limiter.len() >= MAX_KEYS {
                tracing::warn!(limiter = self.name, "rate limiter full: refusing new keys");
                return Err(Limited(60));
            }
        }
        let clock = DefaultClock::default();
        self.limiter
            .check_key(&key)
            .map_err(|e| Limited(e.wait_time_from(clock.now()).as_secs().max(1)))
    }

    /// Forgets keys whose limit has fully recovered.
    pub fn sweep(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Keys remembered now.
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every limit on anonymous traffic.
pub struct Limits {
    /// Anonymous writes per client IP (share outcomes, config-failure
    /// reports, card signatures, upload requests).
    pub writes_per_ip: PerKey,
    /// Card signatures per signed-in visitor.
    pub card_signs_per_visitor: PerKey,
    /// `media/get` calls per client IP.
    pub media_gets_per_ip: PerKey,
}

impl Limits {
    pub fn new(p: &Protection) -> Limits {
        Limits {
            writes_per_ip: PerKey::new("writes_per_ip", p.writes_per_ip),
            card_signs_per_visitor: PerKey::new("card_signs_per_visitor", p.card_signs_per_visitor),
            media_gets_per_ip: PerKey::new("media_gets_per_ip", p.media_gets_per_ip),
        }
    }

    /// One anonymous write from `ip`.
    pub fn write(&self, ip: ClientIp) -> Result<(), Limited> {
        self.writes_per_ip.check(&ip.limit_key())
    }

    /// Sweeps idle keys every minute, for as long as the limits live.
    pub fn spawn_sweeper(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            every.tick().await;
            loop {
                every.tick().await;
                let Some(limits) = weak.upgrade() else { return };
                limits.writes_per_ip.sweep();
                limits.card_signs_per_visitor.sweep();
                limits.media_gets_per_ip.sweep();
            }
        });
    }
}

impl From<Limited> for app::error::ApiError {
    fn from(e: Limited) -> Self {
        app::error::ApiError::TooMany {
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_burst_then_waits() {
        let l = PerKey::new("t", 3);
        for _ in 0..3 {
            l.check("1.2.3.4").unwrap();
        }
        let Limited(wait) = l.check("1.2.3.4").unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        l.check("5.6.7.8").unwrap();
    }

    #[test]
    fn huge_keys_cost_no_more_than_short_ones() {
        let l = PerKey::new("t", 1);
        let a = "x".repeat(1 << 20);
        let b = format!("{}y", "x".repeat(1 << 20));
        l.check(&a).unwrap();
        // Both are cut to the same prefix: one key, already used.
        assert!(l.check(&b).is_err());
        assert_eq!(l.len(), 1);
    }
}
