//! One parser per environment setting (`WXKIT_*`): each reads the raw
//! text of its variable (or nothing) and returns the typed value, or an error
//! that names the variable and says what was expected. The account fields an
//! admin may also edit in the dashboard go through [`super::fields`].

use super::fields;
use super::{AccountKind, ConfigError, TokenMode, WeComConfig};
use super::{SIM_AGENT_ID, SIM_APP_ID, SIM_APP_SECRET, SIM_CORP_ID, SIM_CORP_SECRET};
use secrecy::SecretString;
use std::net::SocketAddr;

pub(super) fn invalid(var: &'static str, expected: &'static str, got: &str) -> ConfigError {
    ConfigError::Invalid {
        var,
        expected,
        got: got.chars().take(120).collect(),
    }
}

/// `WXKIT_SIMULATE`: `1`/`true` or `0`/`false`.
pub fn simulate(v: Option<&str>) -> Result<bool, ConfigError> {
    match v {
        None | Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") => Ok(true),
        Some(other) => Err(invalid("WXKIT_SIMULATE", "expected 1 or 0", other)),
    }
}

/// `WXKIT_PLAYGROUND`: whether `/jssdk` is served (default: in simulate
/// mode only; with a real account it is a public page that signs for every
/// interface, so an operator turns it on when wanted).
pub fn playground(v: Option<&str>, simulate: bool) -> Result<bool, ConfigError> {
    match v {
        None => Ok(simulate),
        Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") => Ok(true),
        Some(other) => Err(invalid("WXKIT_PLAYGROUND", "expected 1 or 0", other)),
    }
}

/// `WXKIT_ADDR`.
pub fn addr(v: Option<&str>) -> Result<SocketAddr, ConfigError> {
    match v {
        None => Ok(SocketAddr::from(([127, 0, 0, 1], 3000))),
        Some(s) => s.parse().map_err(|_| {
            invalid(
                "WXKIT_ADDR",
                "expected a listen address like 127.0.0.1:3000",
                s,
            )
        }),
    }
}

/// `WXKIT_METRICS_ADDR`: where Prometheus scrapes `/metrics` (unset: no
/// metrics listener).
pub fn metrics_addr(v: Option<&str>) -> Result<Option<SocketAddr>, ConfigError> {
    v.map(|s| {
        s.parse().map_err(|_| {
            invalid(
                "WXKIT_METRICS_ADDR",
                "expected a listen address like 127.0.0.1:9100",
                s,
            )
        })
    })
    .transpose()
}

/// `WXKIT_SITE_ROOT`: the site files (WASM, JS, CSS). Unset: `site/` next
/// to the binary when there is one (the release bundle), else
/// `target/site` (a source checkout).
pub fn site_root(v: Option<&str>) -> String {
    if let Some(v) = v {
        return v.to_string();
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("site")))
        .filter(|site| site.join("pkg").is_dir())
        .map(|site| site.to_string_lossy().into_owned())
        .unwrap_or_else(|| "target/site".into())
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event (the default).
    Text,
    /// One JSON object per line (`WXKIT_LOG_FORMAT=json`).
    Json,
}

/// `WXKIT_LOG_FORMAT`: `text` (default) or `json`. Read before the rest of
/// the configuration, since logging starts first.
pub fn log_format(v: Option<&str>) -> Result<LogFormat, ConfigError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("text") => Ok(LogFormat::Text),
        Some("json") => Ok(LogFormat::Json),
        Some(s) => Err(invalid("WXKIT_LOG_FORMAT", "text or json", s)),
    }
}

/// `WXKIT_DATABASE_URL`: SQLite or PostgreSQL; a SQLite file in the data
/// directory when unset.
pub fn database_url(v: Option<&str>, data_dir: &str) -> Result<String, ConfigError> {
    match v {
        None => Ok(format!("sqlite://{data_dir}/wxkit.db")),
        Some(s)
            if s.starts_with("sqlite:")
                || s.starts_with("postgres://")
                || s.starts_with("postgresql://") =>
        {
            Ok(s.to_string())
        }
        Some(s) => Err(invalid(
            "WXKIT_DATABASE_URL",
            "expected sqlite://PATH or postgres://USER@HOST/DB",
            &redact_url(s),
        )),
    }
}

/// `WXKIT_PUBLIC_ORIGIN`: required unless simulating.
pub fn public_origin(v: Option<&str>, simulate: bool) -> Result<Option<String>, ConfigError> {
    match v {
        Some(s) => Ok(Some(parse_origin(s)?)),
        None if simulate => Ok(None),
        None => Err(ConfigError::Missing {
            var: "WXKIT_PUBLIC_ORIGIN",
            expected: "the origin pages are served under, e.g. https://h5.example.com",
        }),
    }
}

/// `WXKIT_APP_ID` and `WXKIT_APP_SECRET`: both, or (simulating) neither.
pub fn app(
    id: Option<&str>,
    secret: Option<&str>,
    simulate: bool,
) -> Result<(String, SecretString), ConfigError> {
    let (id, secret) = match (id, secret) {
        (Some(id), Some(secret)) => (id, secret),
        (None, None) if simulate => (SIM_APP_ID, SIM_APP_SECRET),
        (None, _) => {
            return Err(ConfigError::Missing {
                var: "WXKIT_APP_ID",
                expected: "the Official Account AppID, e.g. wx1234567890abcdef",
            })
        }
        (Some(_), None) => {
            return Err(ConfigError::Missing {
                var: "WXKIT_APP_SECRET",
                expected: "the Official Account AppSecret",
            })
        }
    };
    let id = fields::app_id(id).map_err(|e| invalid("WXKIT_APP_ID", e, id))?;
    Ok((id, SecretString::from(secret.to_string())))
}

/// `WXKIT_JS_DOMAINS`: the public origin's host when unset (simulating
/// without one: loopback).
pub fn js_domains(
    v: Option<&str>,
    public_origin: Option<&str>,
) -> Result<Vec<String>, ConfigError> {
    match (v, public_origin) {
        (Some(s), _) => fields::js_domains(s).map_err(|e| invalid("WXKIT_JS_DOMAINS", e, s)),
        (None, Some(origin)) => Ok(vec![origin_host(origin)]),
        (None, None) => Ok(vec!["127.0.0.1".into(), "localhost".into()]),
    }
}

/// A WeChat base URL (`WXKIT_WECHAT_API`, `WXKIT_WECOM_API`, `WXKIT_WECHAT_OPEN`).
pub fn base(v: Option<&str>, var: &'static str) -> Result<Option<String>, ConfigError> {
    v.map(|s| parse_origin_with_path(s, var)).transpose()
}

/// `WXKIT_TOKEN_MODE`.
pub fn token_mode(v: Option<&str>) -> Result<TokenMode, ConfigError> {
    match v {
        None => Ok(TokenMode::ClientCredential),
        Some(s) => fields::token_mode(s).map_err(|e| invalid("WXKIT_TOKEN_MODE", e, s)),
    }
}

/// `WXKIT_WECOM_CORP_ID`, `WXKIT_WECOM_SECRET`, `WXKIT_WECOM_AGENT_ID`: all
/// three or none (simulating: the simulated corp).
pub fn wecom(
    corp_id: Option<&str>,
    secret: Option<&str>,
    agent_id: Option<&str>,
    simulate: bool,
) -> Result<Option<WeComConfig>, ConfigError> {
    match (corp_id, secret, agent_id) {
        (Some(c), Some(s), Some(a)) => Ok(Some(WeComConfig {
            corp_id: fields::corp_id(c).map_err(|e| invalid("WXKIT_WECOM_CORP_ID", e, c))?,
            secret: SecretString::from(s.to_string()),
            agent_id: fields::agent_id(a).map_err(|e| invalid("WXKIT_WECOM_AGENT_ID", e, a))?,
        })),
        (None, None, None) if simulate => Ok(Some(WeComConfig {
            corp_id: SIM_CORP_ID.into(),
            secret: SecretString::from(SIM_CORP_SECRET.to_string()),
            agent_id: SIM_AGENT_ID.into(),
        })),
        (None, None, None) => Ok(None),
        _ => Err(ConfigError::Missing {
            var: "WXKIT_WECOM_CORP_ID",
            expected:
                "WXKIT_WECOM_CORP_ID, WXKIT_WECOM_SECRET and WXKIT_WECOM_AGENT_ID go together",
        }),
    }
}

/// `WXKIT_ACCOUNT_KIND`: `wecom` needs a corp.
pub fn account_kind(v: Option<&str>, has_wecom: bool) -> Result<AccountKind, ConfigError> {
    let kind = match v {
        None => AccountKind::Official,
        Some(s) => fields::account_kind(s).map_err(|e| invalid("WXKIT_ACCOUNT_KIND", e, s))?,
    };
    if kind == AccountKind::WeCom && !has_wecom {
        return Err(ConfigError::Missing {
            var: "WXKIT_WECOM_CORP_ID",
            expected: "WXKIT_ACCOUNT_KIND=wecom needs WXKIT_WECOM_CORP_ID, WXKIT_WECOM_SECRET and WXKIT_WECOM_AGENT_ID",
        });
    }
    Ok(kind)
}

/// `WXKIT_MP_TOKEN`: 3 to 32 letters or digits (never echoed back).
pub fn mp_token(v: Option<&str>) -> Result<Option<SecretString>, ConfigError> {
    match v {
        None => Ok(None),
        Some(t) if (3..=32).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric()) => {
            Ok(Some(SecretString::from(t.to_string())))
        }
        Some(_) => Err(invalid(
            "WXKIT_MP_TOKEN",
            "expected 3 to 32 letters or digits, as WeChat requires",
            "(hidden)",
        )),
    }
}

/// A scalar of the TOML file or the environment, as text.
pub(super) fn scalar(v: &figment::value::Value) -> Option<String> {
    use figment::value::Value;
    match v {
        Value::String(_, s) => Some(s.clone()),
        Value::Char(_, c) => Some(c.to_string()),
        Value::Bool(_, b) => Some(if *b { "1".into() } else { "0".into() }),
        Value::Num(_, n) => n
            .to_u128()
            .map(|n| n.to_string())
            .or_else(|| n.to_i128().map(|n| n.to_string())),
        _ => None,
    }
}

/// A whole number within `min..=max`, `default` when unset.
pub fn number(
    v: Option<&str>,
    var: &'static str,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, ConfigError> {
    match v {
        None => Ok(default),
        Some(s) => match s.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(invalid(
                var,
                "expected a whole number in the allowed range (see README)",
                s,
            )),
        },
    }
}

/// A signed whole number within ±`bound`, 0 when unset.
pub fn signed(v: Option<&str>, var: &'static str, bound: i64) -> Result<i64, ConfigError> {
    match v {
        None => Ok(0),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n.abs() <= bound => Ok(n),
            _ => Err(invalid(
                var,
                "expected a whole number in the allowed range (see README)",
                s,
            )),
        },
    }
}

/// `scheme://host[:port]` with nothing after it.
fn parse_origin(s: &str) -> Result<String, ConfigError> {
    const EXPECTED: &str = "expected an http(s) origin like https://h5.example.com (no path)";
    let url = url::Url::parse(s).map_err(|_| invalid("WXKIT_PUBLIC_ORIGIN", EXPECTED, s))?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(invalid("WXKIT_PUBLIC_ORIGIN", EXPECTED, s));
    }
    Ok(url.origin().ascii_serialization())
}

/// An http(s) base URL (a path is allowed), without a trailing slash.
fn parse_origin_with_path(s: &str, var: &'static str) -> Result<String, ConfigError> {
    const EXPECTED: &str = "expected an http(s) base URL like https://api.weixin.qq.com";
    let url = url::Url::parse(s).map_err(|_| invalid(var, EXPECTED, s))?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || url.query().is_some()
    {
        return Err(invalid(var, EXPECTED, s));
    }
    Ok(s.trim_end_matches('/').to_string())
}

/// The host of an origin produced by [`parse_origin`].
pub fn origin_host(origin: &str) -> String {
    url::Url::parse(origin)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string())
        })
        .unwrap_or_default()
}

/// A database URL with any password removed, for messages.
pub fn redact_url(s: &str) -> String {
    match url::Url::parse(s) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => s.chars().take(120).collect(),
    }
}
