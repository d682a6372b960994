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
pub mod parse;
pub mod protection;
pub use parse::{origin_host, redact_url, LogFormat};
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
    /// `WXKIT_METRICS_ADDR`: the Prometheus listener (`None`: no metrics).
    pub metrics_addr: Option<SocketAddr>,
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
    /// `WXKIT_PLAYGROUND`: whether the JS-SDK playground (`/jssdk`) is served.
    pub playground: bool,
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
            .filter_map(|(k, v)| parse::scalar(&v).map(|s| (k.to_ascii_lowercase(), s)))
            .collect();
        Config::from_map(&vars)
    }

    /// Builds the configuration from lower-case keys without the `WXKIT_`
    /// prefix: one line per setting, each read by its one parser
    /// ([`parse`], [`fields`], [`protection`]).
    pub fn from_map(vars: &BTreeMap<String, String>) -> Result<Config, ConfigError> {
        let get = |key: &str| vars.get(key).map(|s| s.trim()).filter(|s| !s.is_empty());
        let n = |key: &str, var: &'static str, default: u64, min: u64, max: u64| {
            parse::number(get(key), var, default, min, max)
        };
        let secs = |key: &str, var: &'static str, default: u64, min: u64, max: u64| {
            n(key, var, default, min, max).map(Duration::from_secs)
        };
        let millis = |key: &str, var: &'static str, default: u64, min: u64, max: u64| {
            n(key, var, default, min, max).map(Duration::from_millis)
        };
        let simulate = parse::simulate(get("simulate"))?;
        let data_dir = get("data_dir").unwrap_or("data").to_string();
        let public_origin = parse::public_origin(get("public_origin"), simulate)?;
        let (app_id, app_secret) = parse::app(get("app_id"), get("app_secret"), simulate)?;
        let wecom = parse::wecom(
            get("wecom_corp_id"),
            get("wecom_secret"),
            get("wecom_agent_id"),
            simulate,
        )?;
        Ok(Config {
            addr: parse::addr(get("addr"))?,
            metrics_addr: parse::metrics_addr(get("metrics_addr"))?,
            database_url: parse::database_url(get("database_url"), &data_dir)?,
            js_domains: parse::js_domains(get("js_domains"), public_origin.as_deref())?,
            public_origin,
            app_id,
            app_secret,
            wechat_api: parse::base(get("wechat_api"), "WXKIT_WECHAT_API")?,
            wecom_api: parse::base(get("wecom_api"), "WXKIT_WECOM_API")?,
            wechat_open: parse::base(get("wechat_open"), "WXKIT_WECHAT_OPEN")?,
            token_mode: parse::token_mode(get("token_mode"))?,
            account_kind: parse::account_kind(get("account_kind"), wecom.is_some())?,
            wecom,
            mp_token: parse::mp_token(get("mp_token"))?,
            sign_in_per_ip: n("sign_in_per_ip", "WXKIT_SIGN_IN_PER_IP", 20, 1, 10_000)? as u32,
            sign_in_per_user: n("sign_in_per_user", "WXKIT_SIGN_IN_PER_USER", 5, 1, 10_000)? as u32,
            profile_ttl: secs(
                "profile_ttl_secs",
                "WXKIT_PROFILE_TTL_SECS",
                86_400,
                0,
                30 * 86_400,
            )?,
            playground: parse::playground(get("playground"), simulate)?,
            simulate,
            refresh_margin: secs(
                "refresh_margin_secs",
                "WXKIT_REFRESH_MARGIN_SECS",
                300,
                0,
                7000,
            )?,
            upstream_timeout: millis(
                "upstream_timeout_ms",
                "WXKIT_UPSTREAM_TIMEOUT_MS",
                10_000,
                50,
                120_000,
            )?,
            backoff_base: millis(
                "backoff_base_ms",
                "WXKIT_BACKOFF_BASE_MS",
                1_000,
                10,
                600_000,
            )?,
            backoff_max: secs("backoff_max_secs", "WXKIT_BACKOFF_MAX_SECS", 300, 1, 86_400)?,
            credential_lease: secs(
                "credential_lease_secs",
                "WXKIT_CREDENTIAL_LEASE_SECS",
                10,
                1,
                600,
            )?,
            test_clock_offset_secs: parse::signed(
                get("test_clock_offset_secs"),
                "WXKIT_TEST_CLOCK_OFFSET_SECS",
                86_400,
            )?,
            media_max_bytes: n(
                "media_max_bytes",
                "WXKIT_MEDIA_MAX_BYTES",
                10 << 20,
                1024,
                64 << 20,
            )? as usize,
            site_root: parse::site_root(get("site_root")),
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

#[cfg(test)]
mod tests;
