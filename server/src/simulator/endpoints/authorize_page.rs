//! The authorize page (`/_sim/open`): WeChat's `connect/oauth2/authorize`,
//! the consent form it posts to (`authorize/confirm`), which mints a code and
//! sends the browser back, and the simulated users' avatars.
//!
//! Invariants: the query is checked exactly as WeChat does (the parameters in
//! WeChat's order, `agentid` last for WeCom) and a bad one gets WeChat's error
//! page; the page shows an error unless the URL ends with `#wechat_redirect`;
//! `snsapi_base` consents silently; one simulated person per AppID and
//! nickname.

use crate::simulator::{random_id, Code, SimUser, Simulator, State};
use axum::extract::{RawQuery, State as AxState};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::collections::HashMap;

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
        crate::web::escape_html(&initial)
    );
    ([(http::header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()
}

/// The order WeChat insists on; WeCom adds `agentid` last.
const AUTHORIZE_ORDER: [&str; 5] = ["appid", "redirect_uri", "response_type", "scope", "state"];

/// Checks an authorize query exactly as WeChat does; `Err` is the message of
/// WeChat's error page.
pub(crate) fn check_authorize_query(
    raw: &str,
    s: &State,
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
        return Err(format!(
            "10003 parameter error: the parameters must be exactly {} in this order (got {})",
            expected.join(", "),
            keys.join(", ")
        ));
    }
    if !is_corp && !s.accounts.contains_key(&appid) {
        return Err("10016 appid invalid".into());
    }
    if q["response_type"] != "code" {
        return Err("10004 response_type must be code".into());
    }
    let scope = q["scope"].as_str();
    let scope_ok = if is_corp {
        matches!(scope, "snsapi_base" | "snsapi_privateinfo")
    } else {
        matches!(scope, "snsapi_base" | "snsapi_userinfo")
    };
    if !scope_ok {
        return Err(format!("10005 scope invalid: `{scope}`"));
    }
    let state = q["state"].as_str();
    if state.len() > 128 || !state.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("10009 state must be at most 128 characters of a-zA-Z0-9".into());
    }
    match url::Url::parse(&q["redirect_uri"]) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => return Err("10003 redirect_uri invalid".into()),
    }
    if is_corp && s.corps.get(&appid).map(|c| c.1.as_str()) != q.get("agentid").map(String::as_str)
    {
        return Err("10001 agentid invalid".into());
    }
    Ok(q)
}

pub(super) async fn authorize(
    AxState(sim): AxState<Simulator>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Some(r) = sim.enter("authorize").await {
        return r;
    }
    let checked = check_authorize_query(raw.as_deref().unwrap_or(""), &sim.lock());
    let q = match checked {
        Ok(q) => q,
        Err(message) => {
            return (http::StatusCode::BAD_REQUEST, Html(format!(
                "<!DOCTYPE html><html><body><h1>Authorization error</h1><p id=\"sim-error\">{}</p></body></html>",
                crate::web::escape_html(&message)
            )))
            .into_response()
        }
    };
    let hidden: String = ["appid", "redirect_uri", "scope", "state", "agentid"]
        .iter()
        .filter_map(|k| {
            q.get(*k).map(|v| {
                format!(
                    "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                    crate::web::escape_html(v)
                )
            })
        })
        .collect();
    let silent = q["scope"] == "snsapi_base";
    Html(format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>WeChat authorization (simulated)</title></head>
<body style="font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem">
<p id="sim-error" hidden>The authorize URL must end with #wechat_redirect (WeChat shows an error page without it).</p>
<form id="sim-consent" method="post" action="authorize/confirm" hidden>{hidden}
<h1>Authorize this page</h1>
<p>The page asks for <b>{scope}</b>{consent}.</p>
<label>Simulated nickname <input name="nickname" id="sim-nickname" value="微信用户"></label>
<p><button name="decision" value="allow" id="sim-allow">Allow</button>
<button name="decision" value="deny" id="sim-deny">Deny</button></p>
</form>
<script>
if (location.hash !== '#wechat_redirect') {{ document.getElementById('sim-error').hidden = false; }}
else {{ var f = document.getElementById('sim-consent'); f.hidden = false; {auto} }}
</script></body></html>"#,
        scope = crate::web::escape_html(&q["scope"]),
        consent = if silent { " (silent: no consent page in WeChat)" } else { ": your nickname and avatar" },
        auto = if silent { "f.querySelector('#sim-allow').click();" } else { "" },
    ))
    .into_response()
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
    let now = sim.now();
    let mut s = sim.lock();
    let Ok(mut target) = url::Url::parse(&c.redirect_uri) else {
        return (http::StatusCode::BAD_REQUEST, "redirect_uri invalid").into_response();
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
