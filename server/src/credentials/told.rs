//! How a credential failure is told to people: to a browser as an
//! [`ApiError`] (with the errcode and its meaning, never a secret), and to
//! the dashboard's overview as the last failure of each credential, in the
//! reader's language. The signing route and the CLI read English (the
//! [`From`] conversion); the dashboard reads the admin's language
//! ([`CredentialError::told`]). A database failure was logged when it became
//! a [`CredentialError`]; nothing is logged again here.

use super::CredentialError;
use crate::wechat::{errcode_text, WeChatError};
use app::error::ApiError;
use app::i18n::Lang;

impl CredentialError {
    /// This failure as a browser is told it, in `lang`.
    pub fn told(self, lang: Lang) -> ApiError {
        match self {
            CredentialError::Upstream(WeChatError::Api { errcode, errmsg }) => ApiError::WeChat {
                errcode,
                errmsg,
                meaning: errcode_text(errcode).get(lang).to_string(),
            },
            CredentialError::Upstream(other) => ApiError::Unavailable {
                message: other.text(lang),
            },
            CredentialError::Backoff {
                kind,
                errcode,
                last_error,
                retry_in_secs,
            } => ApiError::Unavailable {
                message: match errcode {
                    Some(code) => t::BACKOFF_ERRCODE.fill(
                        lang,
                        &[
                            ("code", &code.to_string()),
                            ("meaning", errcode_text(code).get(lang)),
                            ("kind", kind),
                            ("secs", &retry_in_secs.to_string()),
                        ],
                    ),
                    None => t::BACKOFF.fill(
                        lang,
                        &[
                            ("kind", kind),
                            ("error", &last_error),
                            ("secs", &retry_in_secs.to_string()),
                        ],
                    ),
                },
            },
            CredentialError::LockTimeout(kind) => ApiError::Unavailable {
                message: t::LOCK_TIMEOUT.fill(lang, &[("kind", kind)]),
            },
            CredentialError::DbUnavailable => ApiError::Unavailable {
                message: t::DB_UNAVAILABLE.get(lang).into(),
            },
            CredentialError::NoWeCom => ApiError::Internal {
                message: t::NO_WECOM.get(lang).into(),
            },
            CredentialError::Db => ApiError::Internal {
                message: t::DB.get(lang).into(),
            },
            CredentialError::Internal(kind) => ApiError::Internal {
                message: t::INTERNAL.fill(lang, &[("kind", kind)]),
            },
        }
    }
}

/// In English: the signing route's answers, logs and the CLI.
impl From<CredentialError> for ApiError {
    fn from(e: CredentialError) -> Self {
        e.told(Lang::En)
    }
}

/// In English, the words a browser is told (one English text per failure):
/// logs and the CLI. WeChat's failures as [`WeChatError`] words them.
impl std::fmt::Display for CredentialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialError::Upstream(e) => e.fmt(f),
            other => other.clone().told(Lang::En).fmt(f),
        }
    }
}

/// A credential's last failure as the overview shows it, in `lang`: a WeChat
/// errcode in words, with WeChat's own `errmsg` (for 40164 it names the IP
/// to whitelist); any other failure (a timeout, an unreachable or
/// misbehaving WeChat) framed in `lang` around the detail as it was recorded
/// (the network library's words are not translated).
pub(super) fn last_failure(errcode: i64, recorded: &str, lang: Lang) -> String {
    if recorded.is_empty() {
        String::new()
    } else if errcode != 0 {
        // Recorded as `WeChatError::Api` displays it: its English frame, then
        // WeChat's errmsg.
        let frame = WeChatError::Api {
            errcode,
            errmsg: String::new(),
        }
        .text(Lang::En);
        let errmsg = recorded
            .strip_prefix(&frame)
            .unwrap_or_default()
            .to_string();
        WeChatError::Api { errcode, errmsg }.text(lang)
    } else if lang == Lang::En {
        recorded.to_string()
    } else {
        t::LAST_FAILURE.fill(lang, &[("error", recorded)])
    }
}

mod t {
    app::texts! {
        BACKOFF_ERRCODE: "获取 {kind} 时微信返回错误 {code}（{meaning}）；{secs} 秒后再次向微信请求", "WeChat error {code} ({meaning}) while fetching the {kind}; WeChat is asked again in {secs} s";
        BACKOFF: "{kind} 暂不可用（{error}）；{secs} 秒后再次向微信请求", "{kind} unavailable ({error}); WeChat is asked again in {secs} s";
        LOCK_TIMEOUT: "等待另一个进程刷新 {kind} 超时", "timed out waiting for another process to refresh {kind}";
        DB_UNAVAILABLE: "数据库暂时无法访问，请稍后再试", "the database is unavailable; try again shortly";
        NO_WECOM: "未配置企业微信（WXKIT_WECOM_CORP_ID、WXKIT_WECOM_SECRET、WXKIT_WECOM_AGENT_ID）", "WeCom is not configured (WXKIT_WECOM_CORP_ID, WXKIT_WECOM_SECRET, WXKIT_WECOM_AGENT_ID)";
        DB: "数据库错误", "database error";
        INTERNAL: "刷新 {kind} 时发生意外错误", "refreshing the {kind} failed unexpectedly";
        LAST_FAILURE: "无法从微信获取（{error}）", "could not fetch from WeChat ({error})";
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn every_text_is_written_in_both_languages() {
        let problems = app::i18n::check_catalogue("credentials::told", t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn a_failure_is_told_in_the_readers_language() {
        let backoff = || CredentialError::Backoff {
            kind: "access_token",
            errcode: Some(40164),
            last_error: "WeChat error 40164 (…): invalid ip".into(),
            retry_in_secs: 30,
        };
        let zh = backoff().told(Lang::ZhCn).to_string();
        assert!(
            zh.contains("40164") && zh.contains("IP 白名单") && zh.contains("30 秒"),
            "{zh}"
        );
        let en = ApiError::from(backoff()).to_string();
        assert!(en.contains("IP whitelist") && en.contains("30 s"), "{en}");

        let api = CredentialError::Upstream(WeChatError::Api {
            errcode: 40125,
            errmsg: "invalid appsecret".into(),
        });
        match api.told(Lang::ZhCn) {
            ApiError::WeChat {
                errcode, meaning, ..
            } => assert_eq!((errcode, meaning.as_str()), (40125, "AppSecret 无效")),
            other => panic!("{other:?}"),
        }
        let timeout = CredentialError::Upstream(WeChatError::Timeout(Duration::from_secs(5)));
        assert_eq!(
            timeout.clone().told(Lang::ZhCn).to_string(),
            "微信在 5s 内没有应答"
        );
        assert_eq!(
            ApiError::from(timeout).to_string(),
            "WeChat did not answer within 5s"
        );
    }

    #[test]
    fn logs_read_the_english_a_browser_is_told() {
        let backoff = CredentialError::Backoff {
            kind: "jsapi_ticket",
            errcode: None,
            last_error: "cannot reach WeChat: connection refused".into(),
            retry_in_secs: 12,
        };
        assert_eq!(
            backoff.to_string(),
            "jsapi_ticket unavailable (cannot reach WeChat: connection refused); WeChat is asked again in 12 s"
        );
        for failure in [
            backoff,
            CredentialError::LockTimeout("access_token"),
            CredentialError::NoWeCom,
            CredentialError::Internal("access_token"),
            CredentialError::Db,
            CredentialError::DbUnavailable,
        ] {
            assert_eq!(
                failure.to_string(),
                ApiError::from(failure.clone()).to_string()
            );
        }
        let upstream = WeChatError::Timeout(Duration::from_secs(5));
        assert_eq!(
            CredentialError::from(upstream.clone()).to_string(),
            upstream.to_string()
        );
        assert_eq!(
            CredentialError::Db.to_string(),
            "database error",
            "no database text in a credential error"
        );
    }

    #[test]
    fn the_overview_words_the_last_failure() {
        assert_eq!(last_failure(0, "", Lang::ZhCn), "");
        let recorded = WeChatError::Api {
            errcode: 40164,
            errmsg: "invalid ip 192.0.2.1".into(),
        }
        .to_string();
        assert_eq!(
            last_failure(40164, &recorded, Lang::ZhCn),
            "微信错误 40164（调用方 IP 不在公众号的 IP 白名单中）：invalid ip 192.0.2.1"
        );
        assert_eq!(last_failure(40164, &recorded, Lang::En), recorded);
        let detail = "cannot reach WeChat: connection refused";
        assert_eq!(last_failure(0, detail, Lang::En), detail);
        assert_eq!(
            last_failure(0, detail, Lang::ZhCn),
            format!("无法从微信获取（{detail}）")
        );
    }
}
