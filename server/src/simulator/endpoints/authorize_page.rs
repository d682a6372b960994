//! The authorize page (`/_sim/open`): WeChat's `connect/oauth2/authorize`,
//! the consent form it posts to (`authorize/confirm`), which mints a code and
//! sends the browser back, and the simulated users' avatars.
//!
//! Invariants: the query is checked exactly as WeChat does (the parameters in
//! WeChat's order, `agentid` last for WeCom) and a bad one gets WeChat's error
//! page; the page shows an error unless the URL ends with `#wechat_redirect`;
//! `snsapi_base` consents silently; one simulated person per AppID and
//! nickname. Every page a person sees is in the WeChat user's language, as
//! WeChat shows its own ([`Lang::of_request`]: the `Language/` field of WeChat's
//! user agent, then `Accept-Language`, then Simplified Chinese), and escapes
//! every value from the request.

use crate::simulator::{random_id, Code, SimUser, Simulator, State};
use crate::web::escape_html;
use app::i18n::{Lang, Text};
use axum::extract::{RawQuery, State as AxState};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::collections::HashMap;

/// The texts of the authorize page and its error pages, worded as WeChat's
/// own authorization page.
mod t {
    app::texts! {
        TITLE: "微信授权（模拟）", "WeChat authorization (simulated)";
        /// `{app}` is the AppID asking (markup, already escaped).
        REQUESTS: "{app} 申请获取以下权限：", "{app} requests the following permissions:";
        PERMISSION_USERINFO: "获得你的公开信息（昵称、头像等）",
            "Get your public info (nickname, profile photo, etc.)";
        PERMISSION_PRIVATEINFO: "获得你的成员信息（头像、手机、邮箱等）",
            "Get your member info (profile photo, mobile, email, etc.)";
        PERMISSION_BASE: "获得你的身份标识（静默授权，微信不显示此页）",
            "Get your identity (silent: WeChat shows no consent page)";
        ALLOW: "允许", "Allow";
        DENY: "拒绝", "Deny";
        /// `{host}` is the host of `redirect_uri`.
        PROVIDED_BY: "网页由 {host} 提供", "Webpage provided by {host}";
        NICKNAME: "模拟昵称", "Simulated nickname";
        SIMULATED: "模拟的微信授权页，scope：{scope}",
            "Simulated WeChat authorization page, scope: {scope}";
        NEEDS_WECHAT_REDIRECT: "授权链接必须以 #wechat_redirect 结尾（缺少它时，微信会显示错误页）。",
            "The authorize URL must end with #wechat_redirect (WeChat shows an error page without it).";
        ERROR_TITLE: "授权出错", "Authorization error";
        ERR_ORDER: "10003 参数错误：参数必须依次为 {expected}（收到的是 {got}）",
            "10003 parameter error: the parameters must be exactly {expected} in this order (got {got})";
        ERR_APPID: "10016 appid 无效", "10016 appid invalid";
        ERR_RESPONSE_TYPE: "10004 response_type 必须为 code", "10004 response_type must be code";
        ERR_SCOPE: "10005 scope 无效：`{scope}`", "10005 scope invalid: `{scope}`";
        ERR_STATE: "10009 state 最多 128 个字符，且只能是 a-zA-Z0-9",
            "10009 state must be at most 128 characters of a-zA-Z0-9";
        ERR_REDIRECT_URI: "10003 redirect_uri 无效", "10003 redirect_uri invalid";
        ERR_AGENTID: "10001 agentid 无效", "10001 agentid invalid";
        /// The consent form came back with a `redirect_uri` that is no URL.
        CONFIRM_REDIRECT_URI: "redirect_uri 无效", "redirect_uri invalid";
    }
}

/// A simulated user's avatar: a coloured square with the nickname's first letter.
pub(super) async fn avatar(
    AxState(sim): AxState<Simulator>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let s = sim.lock();
    let user = s
        .users
        .values()
        .find(|u| u.openid.get(1..9) == Some(id.as_str()));
    let Some(u) = user else {
        return (http::StatusCode::NOT_FOUND, "no such avatar").into_response();
    };
    let initial: String = u
        .nickname
        .chars()
        .next()
        .map(String::from)
        .unwrap_or_default();
    let hue = u
        .openid
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
        % 360;
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="132" height="132" viewBox="0 0 132 132"><rect width="132" height="132" fill="hsl({hue},55%,55%)"/><text x="66" y="88" font-size="64" text-anchor="middle" fill="#fff" font-family="sans-serif">{}</text></svg>"##,
        escape_html(&initial)
    );
    ([(http::header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()
}

/// The order WeChat insists on; WeCom adds `agentid` last.
const AUTHORIZE_ORDER: [&str; 5] = ["appid", "redirect_uri", "response_type", "scope", "state"];

/// Checks an authorize query exactly as WeChat does; `Err` is the message of
/// WeChat's error page, in `lang`.
pub(crate) fn check_authorize_query(
    raw: &str,
    s: &State,
    lang: Lang,
) -> Result<HashMap<String, String>, String> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    let q: HashMap<String, String> = pairs.iter().cloned().collect();
    let appid = q.get("appid").cloned().unwrap_or_default();
    let is_corp = s.corps.contains_key(&appid);
    let mut expected: Vec<&str> = AUTHORIZE_ORDER.to_vec();
    if is_corp {
        expected.push("agentid");
    }
    if keys != expected {
        let expected = expected.join(", ");
        let got = keys.join(", ");
        return Err(t::ERR_ORDER.fill(
            lang,
            &[("expected", expected.as_str()), ("got", got.as_str())],
        ));
    }
    if !is_corp && !s.accounts.contains_key(&appid) {
        return Err(t::ERR_APPID.get(lang).to_string());
    }
    if q["response_type"] != "code" {
        return Err(t::ERR_RESPONSE_TYPE.get(lang).to_string());
    }
    let scope = q["scope"].as_str();
    let scope_ok = if is_corp {
        matches!(scope, "snsapi_base" | "snsapi_privateinfo")
    } else {
        matches!(scope, "snsapi_base" | "snsapi_userinfo")
    };
    if !scope_ok {
        return Err(t::ERR_SCOPE.fill(lang, &[("scope", scope)]));
    }
    let state = q["state"].as_str();
    if state.len() > 128 || !state.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(t::ERR_STATE.get(lang).to_string());
    }
    match url::Url::parse(&q["redirect_uri"]) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => return Err(t::ERR_REDIRECT_URI.get(lang).to_string()),
    }
    if is_corp && s.corps.get(&appid).map(|c| c.1.as_str()) != q.get("agentid").map(String::as_str)
    {
        return Err(t::ERR_AGENTID.get(lang).to_string());
    }
    Ok(q)
}

pub(super) async fn authorize(
    AxState(sim): AxState<Simulator>,
    headers: http::HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Some(r) = sim.enter("authorize").await {
        return r;
    }
    let lang = Lang::of_request(&headers);
    let checked = check_authorize_query(raw.as_deref().unwrap_or(""), &sim.lock(), lang);
    match checked {
        Ok(q) => Html(consent_page(&q, lang)).into_response(),
        Err(message) => (
            http::StatusCode::BAD_REQUEST,
            Html(error_page(&message, lang)),
        )
            .into_response(),
    }
}

/// WeChat's error page for a bad authorize query: `message` (escaped here).
fn error_page(message: &str, lang: Lang) -> String {
    let title = escape_html(t::ERROR_TITLE.get(lang));
    format!(
        r#"<!DOCTYPE html><html lang="{tag}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem"><h1>{title}</h1><p id="sim-error">{message}</p></body></html>"#,
        tag = lang.tag(),
        message = escape_html(message),
    )
}

/// The consent page for a checked query `q`, in `lang`: who asks for what,
/// Allow and Deny, and who provides the page (escapes every value of `q`).
fn consent_page(q: &HashMap<String, String>, lang: Lang) -> String {
    let get = |k: &str| q.get(k).map_or("", String::as_str);
    let hidden: String = ["appid", "redirect_uri", "scope", "state", "agentid"]
        .iter()
        .filter_map(|k| {
            q.get(*k).map(|v| {
                format!(
                    "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                    escape_html(v)
                )
            })
        })
        .collect();
    let scope = get("scope");
    let silent = scope == "snsapi_base";
    let permission = match scope {
        "snsapi_userinfo" => t::PERMISSION_USERINFO,
        "snsapi_privateinfo" => t::PERMISSION_PRIVATEINFO,
        _ => t::PERMISSION_BASE,
    };
    let host = url::Url::parse(get("redirect_uri"))
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    // Values are escaped before they go into a text; the texts are ours.
    let app = format!("<b>{}</b>", escape_html(get("appid")));
    let text = |x: Text| escape_html(x.get(lang));
    format!(
        r#"<!DOCTYPE html><html lang="{tag}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#191919">
<p id="sim-error" hidden>{needs_redirect}</p>
<form id="sim-consent" method="post" action="authorize/confirm" hidden>{hidden}
<p style="font-size:1.1rem">{requests}</p>
<ul style="color:#555;padding-left:1.2rem"><li>{permission}</li></ul>
<p><label>{nickname} <input name="nickname" id="sim-nickname" value="微信用户"></label></p>
<p><button name="decision" value="allow" id="sim-allow" style="background:#07c160;color:#fff;border:0;border-radius:4px;padding:.6rem 2rem;font-size:1rem">{allow}</button>
<button name="decision" value="deny" id="sim-deny" style="background:#f2f2f2;color:#07c160;border:0;border-radius:4px;padding:.6rem 2rem;font-size:1rem">{deny}</button></p>
<p style="color:#999;font-size:.8rem;text-align:center">{provided_by}</p>
<p style="color:#bbb;font-size:.75rem;text-align:center">{simulated}</p>
</form>
<script>
if (location.hash !== '#wechat_redirect') {{ document.getElementById('sim-error').hidden = false; }}
else {{ var f = document.getElementById('sim-consent'); f.hidden = false; {auto} }}
</script></body></html>"#,
        tag = lang.tag(),
        title = text(t::TITLE),
        needs_redirect = text(t::NEEDS_WECHAT_REDIRECT),
        requests = t::REQUESTS.fill(lang, &[("app", app.as_str())]),
        permission = text(permission),
        nickname = text(t::NICKNAME),
        allow = text(t::ALLOW),
        deny = text(t::DENY),
        provided_by = t::PROVIDED_BY.fill(lang, &[("host", escape_html(&host).as_str())]),
        simulated = t::SIMULATED.fill(lang, &[("scope", escape_html(scope).as_str())]),
        auto = if silent {
            "f.querySelector('#sim-allow').click();"
        } else {
            ""
        },
    )
}

#[derive(Deserialize)]
pub(super) struct Confirm {
    appid: String,
    redirect_uri: String,
    scope: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    nickname: String,
    #[serde(default)]
    decision: String,
}

pub(super) async fn authorize_confirm(
    AxState(sim): AxState<Simulator>,
    headers: http::HeaderMap,
    Form(c): Form<Confirm>,
) -> Response {
    // Avatars are served by this simulator, at the address the browser used.
    let host = headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
        })
        .unwrap_or("127.0.0.1")
        .to_string();
    let lang = Lang::of_request(&headers);
    let now = sim.now();
    let mut s = sim.lock();
    let Ok(mut target) = url::Url::parse(&c.redirect_uri) else {
        return (
            http::StatusCode::BAD_REQUEST,
            t::CONFIRM_REDIRECT_URI.get(lang),
        )
            .into_response();
    };
    if c.decision == "allow" {
        let nickname = if c.nickname.trim().is_empty() {
            "微信用户".to_string()
        } else {
            c.nickname.trim().chars().take(32).collect()
        };
        // One simulated person per nickname, so the same name is the same user.
        let openid = format!(
            "o{}",
            &hex::encode(sha1_of(&format!("{}:{nickname}", c.appid)))[..27]
        );
        let user = s.users.entry(openid.clone()).or_insert_with(|| SimUser {
            openid: openid.clone(),
            nickname: nickname.clone(),
            sex: 0,
            province: "广东".into(),
            city: "深圳".into(),
            country: "中国".into(),
            headimgurl: format!("http://{host}/_sim/open/avatar/{}", &openid[1..9]),
            unionid: format!("u{}", &openid[1..]),
            userid: format!("sim.{}", &openid[1..9]),
        });
        user.nickname = nickname;
        let code = random_id(32);
        s.codes.insert(
            code.clone(),
            Code {
                appid: c.appid.clone(),
                scope: c.scope.clone(),
                openid,
                issued_at: now,
                used: false,
            },
        );
        target
            .query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", &c.state);
    } else {
        target.query_pairs_mut().append_pair("state", &c.state);
    }
    Redirect::to(target.as_str()).into_response()
}

fn sha1_of(s: &str) -> Vec<u8> {
    use sha1::{Digest, Sha1};
    Sha1::digest(s.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WECHAT_ZH: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.48(0x18003029) NetType/WIFI Language/zh_CN";
    const WECHAT_EN: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.48.2580(0x28003036) WeChat/arm64 Weixin NetType/WIFI Language/en ABI/arm64";

    fn headers(user_agent: &'static str, accept_language: &'static str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static(user_agent),
        );
        h.insert(
            http::header::ACCEPT_LANGUAGE,
            http::HeaderValue::from_static(accept_language),
        );
        h
    }

    fn query(scope: &str) -> HashMap<String, String> {
        [
            ("appid", "wx<appid>"),
            ("redirect_uri", "https://example.com/cb?a=\"<b>\""),
            ("response_type", "code"),
            ("scope", scope),
            ("state", "abc123"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn the_consent_page_is_in_the_wechat_users_language() {
        // WeChat's Language/ field comes before Accept-Language.
        let zh = Lang::of_request(&headers(WECHAT_ZH, "en-US,en;q=0.9"));
        assert_eq!(zh, Lang::ZhCn);
        let page = consent_page(&query("snsapi_userinfo"), zh);
        assert!(page.contains(r#"<html lang="zh-CN">"#), "{page}");
        assert!(page.contains("申请获取以下权限"), "{page}");
        assert!(page.contains("获得你的公开信息（昵称、头像等）"), "{page}");
        assert!(page.contains(">允许</button>"), "{page}");
        assert!(page.contains(">拒绝</button>"), "{page}");
        assert!(page.contains("网页由 example.com 提供"), "{page}");
        assert!(!page.contains(">Allow</button>"), "{page}");

        let en = Lang::of_request(&headers(WECHAT_EN, "zh-CN,zh;q=0.9"));
        assert_eq!(en, Lang::En);
        let page = consent_page(&query("snsapi_userinfo"), en);
        assert!(page.contains(r#"<html lang="en">"#), "{page}");
        assert!(
            page.contains("requests the following permissions"),
            "{page}"
        );
        assert!(page.contains(">Allow</button>"), "{page}");
        assert!(page.contains(">Deny</button>"), "{page}");
        assert!(page.contains("Webpage provided by example.com"), "{page}");
        assert!(!page.contains("允许"), "{page}");

        // A browser outside WeChat: Accept-Language, else Chinese.
        assert_eq!(
            Lang::of_request(&headers("Mozilla/5.0 Chrome", "en-US,en;q=0.9")),
            Lang::En
        );
        assert_eq!(
            Lang::of_request(&headers("Mozilla/5.0 Chrome", "fr")),
            Lang::ZhCn
        );
        assert_eq!(Lang::of_request(&http::HeaderMap::new()), Lang::ZhCn);
    }

    #[test]
    fn the_consent_page_keeps_its_ids_and_escapes_the_query() {
        for lang in Lang::ALL {
            let page = consent_page(&query("snsapi_userinfo"), lang);
            for needle in [
                r#"id="sim-error" hidden"#,
                r#"<form id="sim-consent" method="post" action="authorize/confirm" hidden>"#,
                r#"name="nickname" id="sim-nickname" value="微信用户""#,
                r#"name="decision" value="allow" id="sim-allow""#,
                r#"name="decision" value="deny" id="sim-deny""#,
                "'#wechat_redirect'",
            ] {
                assert!(page.contains(needle), "{lang:?}: {needle}: {page}");
            }
            assert!(page.contains("<b>wx&lt;appid&gt;</b>"), "{page}");
            assert!(page.contains("cb?a=&quot;&lt;b&gt;&quot;"), "{page}");
            assert!(
                !page.contains("<appid>") && !page.contains("\"<b>\""),
                "{page}"
            );
            // snsapi_userinfo asks; snsapi_base consents by itself.
            assert!(!page.contains(".click();"), "{page}");
            let base = consent_page(&query("snsapi_base"), lang);
            assert!(
                base.contains("f.querySelector('#sim-allow').click();"),
                "{base}"
            );
        }
    }

    #[test]
    fn the_error_page_is_in_the_users_language() {
        let s = State::default();
        let raw = "appid=wxunknown&redirect_uri=https%3A%2F%2Fexample.com%2F&response_type=code&scope=snsapi_userinfo&state=abc";
        let zh = check_authorize_query(raw, &s, Lang::ZhCn).unwrap_err();
        assert_eq!(zh, "10016 appid 无效");
        let en = check_authorize_query(raw, &s, Lang::En).unwrap_err();
        assert_eq!(en, "10016 appid invalid");
        let order = check_authorize_query("state=abc&appid=wx1", &s, Lang::ZhCn).unwrap_err();
        assert!(order.starts_with("10003 参数错误"), "{order}");
        assert!(
            order.contains("appid, redirect_uri, response_type, scope, state"),
            "{order}"
        );
        assert!(order.contains("（收到的是 state, appid）"), "{order}");

        let page = error_page("10005 scope <x>", Lang::ZhCn);
        assert!(page.contains(r#"<html lang="zh-CN">"#), "{page}");
        assert!(page.contains("<h1>授权出错</h1>"), "{page}");
        assert!(
            page.contains(r#"<p id="sim-error">10005 scope &lt;x&gt;</p>"#),
            "{page}"
        );
        let page = error_page(&en, Lang::En);
        assert!(page.contains(r#"<html lang="en">"#), "{page}");
        assert!(page.contains("<h1>Authorization error</h1>"), "{page}");
    }

    #[test]
    fn the_texts_are_written_in_both_languages() {
        let problems = app::i18n::check_catalogue("simulator consent", t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
