//! wxkit's configuration: `WXKIT_*` environment variables (optionally a TOML
//! file named by `WXKIT_CONFIG`, with the same keys in lower case and without
//! the prefix; the environment wins), validated once at start. A bad value
//! stops the server with one line naming the variable and what is expected.

use figment::providers::{Env, Format, Toml};
use figment::Figment;
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

pub mod fields;
pub mod protection;
pub use protection::Protection;

/// The simulated Official Account the built-in simulator knows.
pub const SIM_APP_ID: &str = "wxd0c0ffee5117e5f1";
pub const SIM_APP_SECRET: &str = "simulated0app0secret0not0real000";
/// The simulated WeCom corp the built-in simulator knows.
pub const SIM_CORP_ID: &str = "wwd0c0ffee5117e5f1";
pub const SIM_CORP_SECRET: &str = "simulated0corp0secret0not0real00";
pub const SIM_AGENT_ID: &str = "1000002";

/// A configuration value that is missing or malformed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var}: {expected} (got `{got}`)")]
    Invalid {
        var: &'static str,
        expected: &'static str,
        got: String,
    },
    #[error("{var} is required unless WXKIT_SIMULATE=1: {expected}")]
    Missing {
        var: &'static str,
        expected: &'static str,
    },
    #[error("WXKIT_CONFIG: cannot read the configuration file: {0}")]
    File(String),
}

/// How the Official Account access_token is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenMode {
    /// `GET /cgi-bin/token?grant_type=client_credential` (a fetch invalidates the previous token).
    ClientCredential,
    /// `POST /cgi-bin/stable_token` (safe with several consumers).
    Stable,
}

impl TokenMode {
    /// The setting's spelling (`WXKIT_TOKEN_MODE`, the Account page).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenMode::ClientCredential => "client_credential",
            TokenMode::Stable => "stable",
        }
    }
}

/// Which kind of account the pages belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// A WeChat Official Account (AppID/AppSecret).
    Official,
    /// A WeCom (enterprise WeChat) corp app (corp ID, secret, agent ID).
    WeCom,
}

impl AccountKind {
    /// The setting's spelling (`WXKIT_ACCOUNT_KIND`, the Account page).
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Official => "official",
            AccountKind::WeCom => "wecom",
        }
    }
}

/// A WeCom (enterprise WeChat) corp.
#[derive(Debug, Clone)]
pub struct WeComConfig {
    pub corp_id: String,
    pub secret: SecretString,
    pub agent_id: String,
}

/// The validated configuration. Secrets are [`SecretString`]s: their `Debug`
/// prints nothing of them.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    /// `scheme://host[:port]`, no trailing slash. `None` until known in simulate
    /// mode (then it is `http://` + the bound address).
    pub public_origin: Option<String>,
    pub app_id: String,
    pub app_secret: SecretString,
    pub js_domains: Vec<String>,
    pub wechat_api: Option<String>,
    pub wecom_api: Option<String>,
    pub wechat_open: Option<String>,
    pub token_mode: TokenMode,
    pub wecom: Option<WeComConfig>,
    /// Whose pages these are: the Official Account's or the WeCom corp's.
    pub account_kind: AccountKind,
    /// The message-server token (`WXKIT_MP_TOKEN`), for WeChat's URL check.
    pub mp_token: Option<SecretString>,
    /// How long a user's stored profile is trusted before it is fetched again.
    pub profile_ttl: Duration,
    /// Admin sign-in attempts allowed per minute from one IP / for one username.
    pub sign_in_per_ip: u32,
    pub sign_in_per_user: u32,
    pub simulate: bool,
    pub refresh_margin: Duration,
    pub upstream_timeout: Duration,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// `WXKIT_CREDENTIAL_LEASE_SECS`: how long a credential refresh's lease
    /// lasts unless its holder renews it (a killed holder's runs out after this).
    pub credential_lease: Duration,
    /// `WXKIT_TEST_CLOCK_OFFSET_SECS`, for tests only: shifts this process's
    /// wall clock, as if its machine's clock were off by that much.
    pub test_clock_offset_secs: i64,
    pub site_root: String,
    pub data_dir: String,
    /// The largest image kept from an upload.
    pub media_max_bytes: usize,
    /// What anonymous traffic may cost (proxies, time and rate limits, quotas).
    pub protection: Protection,
}

impl Config {
    /// Reads the process environment (and `WXKIT_CONFIG`, when set).
    pub fn from_env() -> Result<Config, ConfigError> {
        let mut figment = Figment::new();
        if let Ok(path) = std::env::var("WXKIT_CONFIG") {
            if !std::path::Path::new(&path).is_file() {
                return Err(ConfigError::File(format!("no file at `{path}`")));
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment.merge(Env::prefixed("WXKIT_"));
        let values: BTreeMap<String, figment::value::Value> = figment
            .extract()
            .map_err(|e| ConfigError::File(e.to_string()))?;
        let vars = values
            .into_iter()
            .filter_map(|(k, v)| scalar(&v).map(|s| (k.to_ascii_lowercase(), s)))
            .collect();
        Config::from_map(&vars)
    }

    /// Builds the configuration from lower-case keys without the `WXKIT_` prefix.
    pub fn from_map(vars: &BTreeMap<String, String>) -> Result<Config, ConfigError> {
        let get = |key: &str| vars.get(key).map(|s| s.trim()).filter(|s| !s.is_empty());
        let simulate = match get("simulate") {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => return Err(invalid("WXKIT_SIMULATE", "expected 1 or 0", other)),
        };
        let addr = match get("addr") {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(s) => s.parse().map_err(|_| {
                invalid(
                    "WXKIT_ADDR",
                    "expected a listen address like 127.0.0.1:3000",
                    s,
                )
            })?,
        };
        let data_dir = get("data_dir").unwrap_or("data").to_string();
        let database_url = match get("database_url") {
            None => format!("sqlite://{data_dir}/wxkit.db"),
            Some(s)
                if s.starts_with("sqlite:")
                    || s.starts_with("postgres://")
                    || s.starts_with("postgresql://") =>
            {
                s.to_string()
            }
            Some(s) => {
                return Err(invalid(
                    "WXKIT_DATABASE_URL",
                    "expected sqlite://PATH or postgres://USER@HOST/DB",
                    &redact_url(s),
                ))
            }
        };
        let public_origin = match get("public_origin") {
            Some(s) => Some(parse_origin(s)?),
            None if simulate => None,
            None => {
                return Err(ConfigError::Missing {
                    var: "WXKIT_PUBLIC_ORIGIN",
                    expected: "the origin pages are served under, e.g. https://h5.example.com",
                })
            }
        };
        let (app_id, app_secret) = match (get("app_id"), get("app_secret")) {
            (Some(id), Some(secret)) => (id.to_string(), secret.to_string()),
            (None, None) if simulate => (SIM_APP_ID.to_string(), SIM_APP_SECRET.to_string()),
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
        let app_id = fields::app_id(&app_id).map_err(|e| invalid("WXKIT_APP_ID", e, &app_id))?;
        let js_domains = match get("js_domains") {
            Some(s) => fields::js_domains(s).map_err(|e| invalid("WXKIT_JS_DOMAINS", e, s))?,
            None => match &public_origin {
                Some(origin) => vec![origin_host(origin)],
                None => vec!["127.0.0.1".into(), "localhost".into()],
            },
        };
        let base = |key: &'static str, var: &'static str| -> Result<Option<String>, ConfigError> {
            get(key).map(|s| parse_origin_with_path(s, var)).transpose()
        };
        let wechat_api = base("wechat_api", "WXKIT_WECHAT_API")?;
        let wecom_api = base("wecom_api", "WXKIT_WECOM_API")?;
        let wechat_open = base("wechat_open", "WXKIT_WECHAT_OPEN")?;
        let token_mode = match get("token_mode") {
            None => TokenMode::ClientCredential,
            Some(s) => fields::token_mode(s).map_err(|e| invalid("WXKIT_TOKEN_MODE", e, s))?,
        };
        let wecom = match (
            get("wecom_corp_id"),
            get("wecom_secret"),
            get("wecom_agent_id"),
        ) {
            (Some(c), Some(s), Some(a)) => Some(WeComConfig {
                corp_id: fields::corp_id(c).map_err(|e| invalid("WXKIT_WECOM_CORP_ID", e, c))?,
                secret: SecretString::from(s.to_string()),
                agent_id: fields::agent_id(a)
                    .map_err(|e| invalid("WXKIT_WECOM_AGENT_ID", e, a))?,
            }),
            (None, None, None) if simulate => Some(WeComConfig {
                corp_id: SIM_CORP_ID.into(),
                secret: SecretString::from(SIM_CORP_SECRET.to_string()),
                agent_id: SIM_AGENT_ID.into(),
            }),
            (None, None, None) => None,
            _ => return Err(ConfigError::Missing {
                var: "WXKIT_WECOM_CORP_ID",
                expected:
                    "WXKIT_WECOM_CORP_ID, WXKIT_WECOM_SECRET and WXKIT_WECOM_AGENT_ID go together",
            }),
        };
        let account_kind = match get("account_kind") {
            None => AccountKind::Official,
            Some(s) => fields::account_kind(s).map_err(|e| invalid("WXKIT_ACCOUNT_KIND", e, s))?,
        };
        if account_kind == AccountKind::WeCom && wecom.is_none() {
            return Err(ConfigError::Missing {
                var: "WXKIT_WECOM_CORP_ID",
                expected: "WXKIT_ACCOUNT_KIND=wecom needs WXKIT_WECOM_CORP_ID, WXKIT_WECOM_SECRET and WXKIT_WECOM_AGENT_ID",
            });
        }
        let mp_token = match get("mp_token") {
            None => None,
            Some(t)
                if (3..=32).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                Some(SecretString::from(t.to_string()))
            }
            Some(_) => {
                return Err(invalid(
                    "WXKIT_MP_TOKEN",
                    "expected 3 to 32 letters or digits, as WeChat requires",
                    "(hidden)",
                ))
            }
        };
        Ok(Config {
            addr,
            database_url,
            public_origin,
            app_id,
            app_secret: SecretString::from(app_secret),
            js_domains,
            wechat_api,
            wecom_api,
            wechat_open,
            token_mode,
            wecom,
            account_kind,
            mp_token,
            sign_in_per_ip: number(get("sign_in_per_ip"), "WXKIT_SIGN_IN_PER_IP", 20, 1, 10_000)?
                as u32,
            sign_in_per_user: number(
                get("sign_in_per_user"),
                "WXKIT_SIGN_IN_PER_USER",
                5,
                1,
                10_000,
            )? as u32,
            profile_ttl: Duration::from_secs(number(
                get("profile_ttl_secs"),
                "WXKIT_PROFILE_TTL_SECS",
                86_400,
                0,
                30 * 86_400,
            )?),
            simulate,
            refresh_margin: Duration::from_secs(number(
                get("refresh_margin_secs"),
                "WXKIT_REFRESH_MARGIN_SECS",
                300,
                0,
                7000,
            )?),
            upstream_timeout: Duration::from_millis(number(
                get("upstream_timeout_ms"),
                "WXKIT_UPSTREAM_TIMEOUT_MS",
                10_000,
                50,
                120_000,
            )?),
            backoff_base: Duration::from_millis(number(
                get("backoff_base_ms"),
                "WXKIT_BACKOFF_BASE_MS",
                1_000,
                10,
                600_000,
            )?),
            backoff_max: Duration::from_secs(number(
                get("backoff_max_secs"),
                "WXKIT_BACKOFF_MAX_SECS",
                300,
                1,
                86_400,
            )?),
            credential_lease: Duration::from_secs(number(
                get("credential_lease_secs"),
                "WXKIT_CREDENTIAL_LEASE_SECS",
                10,
                1,
                600,
            )?),
            test_clock_offset_secs: signed(
                get("test_clock_offset_secs"),
                "WXKIT_TEST_CLOCK_OFFSET_SECS",
                86_400,
            )?,
            media_max_bytes: number(
                get("media_max_bytes"),
                "WXKIT_MEDIA_MAX_BYTES",
                10 << 20,
                1024,
                64 << 20,
            )? as usize,
            site_root: get("site_root").unwrap_or("target/site").to_string(),
            data_dir,
            protection: Protection::from_map(&get)?,
        })
    }

    /// The WeChat API base (the simulator's when simulating and none was set).
    pub fn wechat_api_base(&self, sim_base: &str) -> String {
        self.wechat_api.clone().unwrap_or_else(|| {
            if self.simulate {
                format!("{sim_base}/_sim/api")
            } else {
                "https://api.weixin.qq.com".into()
            }
        })
    }

    /// The WeCom API base.
    pub fn wecom_api_base(&self, sim_base: &str) -> String {
        self.wecom_api.clone().unwrap_or_else(|| {
            if self.simulate {
                format!("{sim_base}/_sim/qyapi")
            } else {
                "https://qyapi.weixin.qq.com".into()
            }
        })
    }

    /// The base of the OAuth authorize page.
    pub fn wechat_open_base(&self, sim_base: &str) -> String {
        self.wechat_open.clone().unwrap_or_else(|| {
            if self.simulate {
                format!("{sim_base}/_sim/open")
            } else {
                "https://open.weixin.qq.com".into()
            }
        })
    }

    /// The ID of the account the pages belong to: the AppID, or the corp ID.
    pub fn account_id(&self) -> &str {
        match (self.account_kind, &self.wecom) {
            (AccountKind::WeCom, Some(w)) => &w.corp_id,
            _ => &self.app_id,
        }
    }

    /// Whether the built-in simulator must be mounted in this process: simulate
    /// mode with at least one WeChat base left to default.
    pub fn mounts_simulator(&self) -> bool {
        self.simulate
            && (self.wechat_api.is_none() || self.wecom_api.is_none() || self.wechat_open.is_none())
    }
}

fn invalid(var: &'static str, expected: &'static str, got: &str) -> ConfigError {
    ConfigError::Invalid {
        var,
        expected,
        got: got.chars().take(120).collect(),
    }
}

fn scalar(v: &figment::value::Value) -> Option<String> {
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

fn number(
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
fn signed(v: Option<&str>, var: &'static str, bound: i64) -> Result<i64, ConfigError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn simulate_alone_has_working_defaults() {
        let c = Config::from_map(&map(&[("simulate", "1")])).unwrap();
        assert_eq!(c.app_id, SIM_APP_ID);
        assert_eq!(c.js_domains, vec!["127.0.0.1", "localhost"]);
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert!(c.database_url.starts_with("sqlite://data/"));
        assert_eq!(
            c.wechat_api_base("http://127.0.0.1:3000"),
            "http://127.0.0.1:3000/_sim/api"
        );
        assert!(c.wecom.is_some());
    }

    #[test]
    fn production_needs_account_and_origin() {
        let e = Config::from_map(&map(&[])).unwrap_err().to_string();
        assert!(e.starts_with("WXKIT_PUBLIC_ORIGIN"), "{e}");
        let e = Config::from_map(&map(&[("public_origin", "https://h5.example.com")]))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("WXKIT_APP_ID"), "{e}");
        let c = Config::from_map(&map(&[
            ("public_origin", "https://h5.example.com/"),
            ("app_id", "wx1234567890abcdef"),
            ("app_secret", "s3cr3t"),
        ]))
        .unwrap();
        assert_eq!(c.public_origin.as_deref(), Some("https://h5.example.com"));
        assert_eq!(c.js_domains, vec!["h5.example.com"]);
        assert_eq!(c.wechat_api_base("x"), "https://api.weixin.qq.com");
        assert!(
            !format!("{c:?}").contains("s3cr3t"),
            "Debug must not print the secret"
        );
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            ("addr", "nope", "WXKIT_ADDR"),
            ("public_origin", "h5.example.com", "WXKIT_PUBLIC_ORIGIN"),
            (
                "public_origin",
                "https://h5.example.com/path",
                "WXKIT_PUBLIC_ORIGIN",
            ),
            ("database_url", "mysql://x", "WXKIT_DATABASE_URL"),
            ("token_mode", "fast", "WXKIT_TOKEN_MODE"),
            ("js_domains", "https://a.com", "WXKIT_JS_DOMAINS"),
            ("wechat_api", "ftp://x", "WXKIT_WECHAT_API"),
            ("simulate", "yes", "WXKIT_SIMULATE"),
            ("refresh_margin_secs", "-5", "WXKIT_REFRESH_MARGIN_SECS"),
        ];
        for (key, value, var) in cases {
            let e = Config::from_map(&map(&[("simulate", "1"), (key, value)]))
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(var), "{key}={value}: {e}");
            assert!(!e.contains('\n'));
        }
    }

    #[test]
    fn database_password_is_redacted_in_errors() {
        assert_eq!(
            redact_url("postgres://u:hunter2@h/db"),
            "postgres://u:***@h/db"
        );
    }
}
