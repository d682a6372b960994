//! The settings that bound what an anonymous visitor can make wxkit do: which
//! peers are trusted proxies (and so where the client IP comes from), request
//! time limits, per-client rate limits, upload quotas, the size of the
//! config-failure table and the admin session's absolute lifetime. One parser
//! per setting; `from_map` reads them all.

use super::parse::{invalid, number};
use super::ConfigError;
use ipnet::IpNet;
use std::time::Duration;

/// What anonymous traffic may cost, as configured.
#[derive(Debug, Clone)]
pub struct Protection {
    /// `WXKIT_TRUSTED_PROXIES`: only a peer inside one of these networks may
    /// tell wxkit the client's IP (`X-Forwarded-For`).
    pub trusted_proxies: Vec<IpNet>,
    /// `WXKIT_REQUEST_TIMEOUT_SECS`: every request is answered within this.
    pub request_timeout: Duration,
    /// `WXKIT_WRITES_PER_IP`: anonymous writes (share outcomes, config-failure
    /// reports, card signatures, upload requests) per minute from one client IP.
    pub writes_per_ip: u32,
    /// `WXKIT_CARD_SIGNS_PER_VISITOR`: card signatures per minute for one visitor.
    pub card_signs_per_visitor: u32,
    /// `WXKIT_MEDIA_GETS_PER_IP`: `media/get` calls per minute caused by one client IP.
    pub media_gets_per_ip: u32,
    /// `WXKIT_MEDIA_MAX_TOTAL_BYTES`: all stored uploads together.
    pub media_max_total_bytes: u64,
    /// `WXKIT_MEDIA_MAX_VISITOR_BYTES`: the uploads of one visitor (or one
    /// client IP on pages without sign-in).
    pub media_max_visitor_bytes: u64,
    /// `WXKIT_CONFIG_FAILURES_MAX`: rows kept in `config_failures` (oldest dropped).
    pub config_failures_max: u64,
    /// `WXKIT_ADMIN_SESSION_HOURS`: an admin session ends this long after sign-in.
    pub admin_session: Duration,
    /// `WXKIT_SIGN_IN_PER_USER_TOTAL`: attempts per minute for one username
    /// from all IPs together (the per-username-and-IP limit is
    /// `WXKIT_SIGN_IN_PER_USER`).
    pub sign_in_per_user_total: u32,
    /// `WXKIT_OAUTH_ATTEMPT_SECS`: how long a web-authorization attempt may
    /// take, from leaving for WeChat's authorize page to coming back.
    pub oauth_attempt_secs: i64,
    /// `WXKIT_SECRET_KEY`: signs the short-lived OAuth attempt cookie. Unset:
    /// a random key kept in the database, shared by every process.
    pub secret_key: Option<Vec<u8>>,
}

impl Default for Protection {
    fn default() -> Self {
        Protection::from_map(&|_| None).expect("defaults are valid")
    }
}

impl Protection {
    /// Reads the settings through `get` (lower-case key without the prefix).
    pub fn from_map<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Result<Protection, ConfigError> {
        let n = |key: &str, var: &'static str, default: u64, min: u64, max: u64| {
            number(get(key), var, default, min, max)
        };
        Ok(Protection {
            trusted_proxies: trusted_proxies(get("trusted_proxies"))?,
            request_timeout: Duration::from_secs(n(
                "request_timeout_secs",
                "WXKIT_REQUEST_TIMEOUT_SECS",
                30,
                1,
                3600,
            )?),
            writes_per_ip: n("writes_per_ip", "WXKIT_WRITES_PER_IP", 60, 1, 1_000_000)? as u32,
            card_signs_per_visitor: n(
                "card_signs_per_visitor",
                "WXKIT_CARD_SIGNS_PER_VISITOR",
                10,
                1,
                1_000_000,
            )? as u32,
            media_gets_per_ip: n(
                "media_gets_per_ip",
                "WXKIT_MEDIA_GETS_PER_IP",
                30,
                1,
                1_000_000,
            )? as u32,
            media_max_total_bytes: n(
                "media_max_total_bytes",
                "WXKIT_MEDIA_MAX_TOTAL_BYTES",
                1 << 30,
                1024,
                1 << 50,
            )?,
            media_max_visitor_bytes: n(
                "media_max_visitor_bytes",
                "WXKIT_MEDIA_MAX_VISITOR_BYTES",
                50 << 20,
                1024,
                1 << 50,
            )?,
            config_failures_max: n(
                "config_failures_max",
                "WXKIT_CONFIG_FAILURES_MAX",
                1000,
                1,
                10_000_000,
            )?,
            admin_session: Duration::from_secs(
                3600 * n(
                    "admin_session_hours",
                    "WXKIT_ADMIN_SESSION_HOURS",
                    12,
                    1,
                    24 * 30,
                )?,
            ),
            sign_in_per_user_total: n(
                "sign_in_per_user_total",
                "WXKIT_SIGN_IN_PER_USER_TOTAL",
                60,
                1,
                100_000,
            )? as u32,
            oauth_attempt_secs: n(
                "oauth_attempt_secs",
                "WXKIT_OAUTH_ATTEMPT_SECS",
                600,
                1,
                3600,
            )? as i64,
            secret_key: secret_key(get("secret_key"))?,
        })
    }
}

/// `WXKIT_TRUSTED_PROXIES`: comma-separated CIDRs or addresses (an address
/// alone is its own /32 or /128).
pub fn trusted_proxies(v: Option<&str>) -> Result<Vec<IpNet>, ConfigError> {
    const EXPECTED: &str =
        "expected comma-separated networks like 127.0.0.1/32,10.0.0.0/8 or addresses";
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                .map(|n| n.trunc())
                .map_err(|_| invalid("WXKIT_TRUSTED_PROXIES", EXPECTED, s))
        })
        .collect()
}

/// `WXKIT_SECRET_KEY`: at least 32 characters.
fn secret_key(v: Option<&str>) -> Result<Option<Vec<u8>>, ConfigError> {
    match v {
        None => Ok(None),
        Some(s) if s.len() >= 32 => Ok(Some(s.as_bytes().to_vec())),
        Some(_) => Err(invalid(
            "WXKIT_SECRET_KEY",
            "expected at least 32 characters",
            "(hidden)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_parse_as_networks() {
        let p = trusted_proxies(Some("127.0.0.1, 10.1.2.3/8,::1")).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[1].to_string(), "10.0.0.0/8");
        assert!(p[0].contains(&"127.0.0.1".parse::<std::net::IpAddr>().unwrap()));
        assert!(trusted_proxies(Some("10.0.0.0/33")).is_err());
        assert!(trusted_proxies(Some("proxy.local")).is_err());
        assert!(trusted_proxies(None).unwrap().is_empty());
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let p = Protection::default();
        assert_eq!(p.config_failures_max, 1000);
        assert_eq!(p.admin_session, Duration::from_secs(12 * 3600));
        assert!(p.trusted_proxies.is_empty());
        assert!(secret_key(Some("short")).is_err());
    }
}
