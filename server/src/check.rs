//! `wxkit check`: with the configuration `serve` would use (the environment,
//! then the account saved on the dashboard), asks for the access_token and
//! every ticket the account's pages use, through the normal credential path
//! (a valid cached value counts; `--refresh` fetches each anew), and checks
//! the public origin and the JS interface safe domains. One line per item,
//! with what an errcode means and what to do about it.

use crate::config::{AccountKind, Config};
use crate::credentials::{CredentialError, Kind};
use crate::services::Core;
use std::fmt;
use std::time::Duration;

/// How an item fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Works, but worth a look (it does not fail the check).
    Warn,
    Fail,
}

/// One item checked.
#[derive(Debug, Clone)]
pub struct Line {
    pub status: Status,
    pub item: String,
    pub message: String,
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = match self.status {
            Status::Ok => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        };
        write!(f, "{status} {}: {}", self.item, self.message)
    }
}

fn line(status: Status, item: impl Into<String>, message: impl Into<String>) -> Line {
    Line {
        status,
        item: item.into(),
        message: message.into(),
    }
}

/// Runs every check. `refresh`: fetch each credential anew instead of
/// accepting a valid cached one (each fetch counts against WeChat's daily
/// quota, and in `client_credential` mode replaces the token other
/// processes use: they pick the new one up from the database).
pub async fn run(config: &Config, refresh: bool) -> Result<Vec<Line>, crate::StartError> {
    let core = Core::build(config, &crate::local_base(config.addr)).await?;
    let account = core.account.get();
    let mut lines = Vec::new();
    let origin = config.public_origin.clone();
    lines.push(match &origin {
        None => line(
            Status::Fail,
            "public origin",
            "WXKIT_PUBLIC_ORIGIN is not set: pages cannot be signed for their address",
        ),
        Some(o) if !o.starts_with("https://") && !config.simulate => line(
            Status::Warn,
            "public origin",
            format!("{o} is not HTTPS: WeChat loads it, but visitors' sessions travel in clear; put TLS in front (README, Deployment)"),
        ),
        Some(o) => line(Status::Ok, "public origin", o.clone()),
    });
    if let Some(o) = &origin {
        let page = format!("{o}/");
        lines.push(
            match crate::signature::page_url(&page, &account.js_domains) {
                Ok(_) => line(
                    Status::Ok,
                    "JS interface safe domains",
                    format!("{} covers {o}", account.js_domains.join(", ")),
                ),
                Err(e) => line(
                    Status::Fail,
                    "JS interface safe domains",
                    format!("{e}: set WXKIT_JS_DOMAINS (or the Account page) to the domain registered in WeChat's admin pages (公众号设置 → 功能设置 → JS接口安全域名)"),
                ),
            },
        );
        lines.push(reachable(o).await);
    }
    let kinds: &[Kind] = match account.kind {
        AccountKind::Official => &[Kind::AccessToken, Kind::JsapiTicket, Kind::CardTicket],
        AccountKind::WeCom => &[
            Kind::WeComToken,
            Kind::WeComJsapiTicket,
            Kind::WeComAgentTicket,
        ],
    };
    let mut token_failed = false;
    for &kind in kinds {
        if token_failed {
            lines.push(line(
                Status::Fail,
                kind.as_str(),
                "cannot be fetched without the token (above)",
            ));
            continue;
        }
        let result = if refresh {
            core.credentials.refresh_now(kind).await
        } else {
            core.credentials.get(kind).await.map(drop)
        };
        lines.push(match result {
            Ok(()) => {
                let expires = core
                    .credentials
                    .health(app::i18n::Lang::En)
                    .await
                    .ok()
                    .and_then(|h| h.into_iter().find(|h| h.kind == kind.as_str()))
                    .map(|h| format!("valid for {} s more", h.expires_in_secs))
                    .unwrap_or_else(|| "valid".into());
                line(Status::Ok, kind.as_str(), expires)
            }
            Err(e) => {
                token_failed = matches!(kind, Kind::AccessToken | Kind::WeComToken);
                line(Status::Fail, kind.as_str(), explain(&e, account.kind))
            }
        });
    }
    Ok(lines)
}

/// Whether the public origin answers `/healthz` (a warning only: `check`
/// may run before `serve`).
async fn reachable(origin: &str) -> Line {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("the TLS backend initialises");
    match client.get(format!("{origin}/healthz")).send().await {
        Ok(r) if r.status().is_success() => line(Status::Ok, "site", format!("{origin}/healthz answers")),
        Ok(r) => line(
            Status::Warn,
            "site",
            format!("{origin}/healthz answered HTTP {}: is wxkit behind that address?", r.status().as_u16()),
        ),
        Err(_) => line(
            Status::Warn,
            "site",
            format!("{origin} does not answer (fine before the first `wxkit serve`; otherwise check DNS, TLS and the proxy)"),
        ),
    }
}

/// What went wrong and what to do, from the credential error.
pub fn explain(e: &CredentialError, kind: AccountKind) -> String {
    let (errcode, text) = match e {
        CredentialError::Upstream(w) => (w.errcode(), w.to_string()),
        CredentialError::Backoff {
            errcode,
            last_error,
            ..
        } => (*errcode, last_error.clone()),
        other => (None, other.to_string()),
    };
    let (id, secret) = match kind {
        AccountKind::Official => ("WXKIT_APP_ID", "WXKIT_APP_SECRET"),
        AccountKind::WeCom => ("WXKIT_WECOM_CORP_ID", "WXKIT_WECOM_SECRET"),
    };
    let todo = match errcode {
        Some(40164) => match outgoing_ip(&text) {
            Some(ip) => format!("add {ip} (this server's outgoing IP) to the IP whitelist: 设置与开发 → 基本配置 → IP白名单"),
            None => "add this server's outgoing IP to the IP whitelist: 设置与开发 → 基本配置 → IP白名单".into(),
        },
        Some(60020) => match outgoing_ip(&text) {
            Some(ip) => format!("add {ip} (this server's outgoing IP) to the app's trusted IPs (企业可信IP) in the WeCom admin"),
            None => "add this server's outgoing IP to the app's trusted IPs (企业可信IP) in the WeCom admin".into(),
        },
        Some(40001) | Some(42001) => "the token was replaced or expired during the check: run it again".into(),
        Some(40125) => format!("the secret is wrong: copy it again from WeChat's admin pages (基本配置 → AppSecret) into {secret} or the Account page"),
        Some(40013) => format!("the ID is wrong: set {id} (or the Account page) to the account's ID as WeChat's admin pages show it"),
        Some(48001) => "the account may not use this API (an unverified account cannot use the JS-SDK's tickets)".into(),
        Some(45009) => "the daily quota of this API is spent: wait until midnight (Beijing time) or reset it in WeChat's admin pages".into(),
        Some(-1) => "WeChat is busy: run the check again in a minute".into(),
        Some(_) => "see WeChat's global return codes".into(),
        None => "check that this server reaches WeChat (DNS, firewall, WXKIT_WECHAT_API) and that the database answers".into(),
    };
    format!("{text} → {todo}")
}

/// The IP WeChat names in a whitelist refusal (`invalid ip 1.2.3.4 ipv6 …,
/// not in whitelist`).
fn outgoing_ip(errmsg: &str) -> Option<String> {
    let rest = &errmsg[errmsg.find("invalid ip ")? + "invalid ip ".len()..];
    let ip: String = rest
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || matches!(c, '.' | ':'))
        .collect();
    ip.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wechat::WeChatError;

    #[test]
    fn a_whitelist_refusal_names_the_ip_to_add() {
        let e = CredentialError::Upstream(WeChatError::Api {
            errcode: 40164,
            errmsg: "invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist rid: 1"
                .into(),
        });
        let text = explain(&e, AccountKind::Official);
        assert!(
            text.contains("add 203.0.113.7 (this server's outgoing IP)"),
            "{text}"
        );
        let e = CredentialError::Backoff {
            kind: "access_token",
            errcode: Some(40125),
            last_error: "WeChat error 40125 (invalid AppSecret): invalid appsecret".into(),
            retry_in_secs: 3,
        };
        assert!(explain(&e, AccountKind::Official).contains("WXKIT_APP_SECRET"));
        assert!(explain(&e, AccountKind::WeCom).contains("WXKIT_WECOM_SECRET"));
        assert_eq!(outgoing_ip("invalid ip nothing"), None);
    }
}
