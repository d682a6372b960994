//! What WeChat's errcodes mean, in plain words, in both languages (WeChat's
//! "全局返回码说明"), and how each way an upstream call fails is worded: for
//! people on the OAuth pages and the dashboard, and in English for logs,
//! metrics, the CLI and API errors.

use super::WeChatError;
use app::i18n::Lang;

/// The errcodes wxkit explains: (errcode, Chinese, English).
const ERRCODES: [(i64, &str, &str); 24] = [
    (
        -1,
        "微信系统繁忙，请稍后再试",
        "the WeChat system is busy, retry later",
    ),
    (0, "成功", "ok"),
    (
        40001,
        "凭证无效：access_token 错误、已过期或已被新的取代",
        "invalid credential: the access_token is wrong, expired or superseded",
    ),
    (40002, "grant_type 无效", "invalid grant_type"),
    (
        40007,
        "media_id 无效：不存在或已过期（微信只保留上传 3 天）",
        "invalid media_id: unknown or expired (WeChat keeps uploads for 3 days)",
    ),
    (40013, "AppID 无效", "invalid AppID"),
    (40014, "access_token 无效", "invalid access_token"),
    (
        40029,
        "OAuth code 无效：错误、已过期（5 分钟）或属于另一个公众号",
        "invalid OAuth code: wrong, expired (5 minutes) or for another account",
    ),
    (40030, "refresh_token 无效", "invalid refresh_token"),
    (40125, "AppSecret 无效", "invalid AppSecret"),
    (
        40163,
        "OAuth code 已被使用过",
        "the OAuth code has been used already",
    ),
    (
        40164,
        "调用方 IP 不在公众号的 IP 白名单中",
        "the calling IP is not in the account's IP whitelist",
    ),
    (41001, "缺少 access_token", "access_token missing"),
    (41002, "缺少 appid", "appid missing"),
    (41004, "缺少 appsecret", "appsecret missing"),
    (41008, "缺少 OAuth code", "OAuth code missing"),
    (42001, "access_token 已过期", "access_token expired"),
    (
        42002,
        "refresh_token 已过期：用户需要重新授权",
        "refresh_token expired: the user must authorize again",
    ),
    (42003, "OAuth code 已过期", "OAuth code expired"),
    (
        45009,
        "今日的接口调用次数已用完",
        "the daily API quota is spent",
    ),
    (45011, "接口调用过于频繁", "API calls too frequent"),
    (
        48001,
        "公众号没有该接口的权限",
        "the account has no permission for this API",
    ),
    (
        50001,
        "用户未授权该接口",
        "the user has not authorized this API",
    ),
    (
        60020,
        "调用方 IP 不是企业微信应用的可信 IP",
        "the calling IP is not trusted by the WeCom app",
    ),
];

/// What a WeChat errcode means, in plain words, in both languages (for
/// people: the OAuth pages, the dashboard).
pub fn errcode_text(code: i64) -> app::i18n::Text {
    let (zh, en) = ERRCODES.iter().find(|(c, _, _)| *c == code).map_or(
        (
            "请查阅微信的全局返回码说明",
            "see the WeChat errcode reference",
        ),
        |(_, zh, en)| (*zh, *en),
    );
    app::i18n::Text { zh, en }
}

/// What a WeChat errcode means, in English (logs, metrics, the CLI, API
/// errors).
pub fn errcode_meaning(code: i64) -> &'static str {
    errcode_text(code).en
}

impl WeChatError {
    /// This failure in words, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            WeChatError::Api { errcode, errmsg } => t::API.fill(
                lang,
                &[
                    ("code", &errcode.to_string()),
                    ("meaning", errcode_text(*errcode).get(lang)),
                    ("errmsg", errmsg),
                ],
            ),
            WeChatError::Timeout(limit) => {
                t::TIMEOUT.fill(lang, &[("limit", &format!("{limit:?}"))])
            }
            WeChatError::Transport(why) => t::TRANSPORT.fill(lang, &[("why", why)]),
            WeChatError::Http(status) => t::HTTP.fill(lang, &[("status", &status.to_string())]),
            WeChatError::Malformed(why) => t::MALFORMED.fill(lang, &[("why", why)]),
        }
    }
}

mod t {
    app::texts! {
        /// `{errmsg}` is WeChat's own words, as it sent them.
        API: "微信错误 {code}（{meaning}）：{errmsg}", "WeChat error {code} ({meaning}): {errmsg}";
        TIMEOUT: "微信在 {limit} 内没有应答", "WeChat did not answer within {limit}";
        /// `{why}` is the network library's words.
        TRANSPORT: "无法连接微信：{why}", "cannot reach WeChat: {why}";
        HTTP: "微信返回了 HTTP {status}", "WeChat answered HTTP {status}";
        MALFORMED: "微信的应答不是预期的 JSON（{why}）", "WeChat's reply was not the expected JSON ({why})";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errcode_explanations_are_written_in_both_languages() {
        let names: Vec<String> = ERRCODES.iter().map(|(c, _, _)| c.to_string()).collect();
        let mut texts: Vec<(&str, app::i18n::Text)> = ERRCODES
            .iter()
            .zip(&names)
            .map(|((code, _, _), name)| (name.as_str(), errcode_text(*code)))
            .collect();
        texts.push(("other", errcode_text(i64::MIN)));
        let problems = app::i18n::check_catalogue("errcodes", &texts);
        assert!(problems.is_empty(), "{problems:#?}");
        for (code, zh, _) in ERRCODES {
            assert_eq!(errcode_text(code).zh, zh, "{code}");
        }
        assert_eq!(errcode_meaning(40164), errcode_text(40164).en);
        assert_eq!(errcode_meaning(12345), "see the WeChat errcode reference");
        let problems = app::i18n::check_catalogue("wechat failures", t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn a_failure_is_worded_in_both_languages() {
        let e = WeChatError::Api {
            errcode: 40164,
            errmsg: "invalid ip 1.2.3.4".into(),
        };
        assert_eq!(
            e.to_string(),
            "WeChat error 40164 (the calling IP is not in the account's IP whitelist): invalid ip 1.2.3.4"
        );
        assert_eq!(
            e.text(Lang::ZhCn),
            "微信错误 40164（调用方 IP 不在公众号的 IP 白名单中）：invalid ip 1.2.3.4"
        );
        assert_eq!(
            WeChatError::Http(502).text(Lang::ZhCn),
            "微信返回了 HTTP 502"
        );
        assert_eq!(
            WeChatError::Http(502).to_string(),
            "WeChat answered HTTP 502"
        );
    }
}
