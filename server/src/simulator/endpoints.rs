//! The simulated WeChat endpoints. Endpoint names (for counters and faults):
//! `token`, `stable_token`, `getticket:jsapi`, `getticket:wx_card`, `media_get`,
//! `oauth_access_token`, `oauth_refresh_token`, `sns_auth`, `userinfo`,
//! `authorize`, `wecom_gettoken`, `wecom_jsapi_ticket`, `wecom_ticket:agent_config`,
//! `wecom_getuserinfo`.

use super::{error, random_id, Code, SimUser, Simulator, State, Ticket, Token, WebToken};
use crate::signature::same;
use axum::extract::{Query, RawQuery, State as AxState};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

type Q = Query<HashMap<String, String>>;

/// A WeChat error: errcode and errmsg.
type WxError = (i64, &'static str);

fn param<'a>(q: &'a HashMap<String, String>, k: &str) -> &'a str {
    q.get(k).map(String::as_str).unwrap_or("")
}

pub(super) fn wechat_api() -> Router<Simulator> {
    Router::new()
        .route("/cgi-bin/token", get(token))
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/cgi-bin/ticket/getticket", get(getticket))
        .route("/cgi-bin/media/get", get(media_get))
        .route("/sns/oauth2/access_token", get(oauth_access_token))
        .route("/sns/oauth2/refresh_token", get(oauth_refresh_token))
        .route("/sns/auth", get(sns_auth))
        .route("/sns/userinfo", get(userinfo))
}

pub(super) fn wecom_api() -> Router<Simulator> {
    Router::new()
        .route("/cgi-bin/gettoken", get(wecom_gettoken))
        .route("/cgi-bin/get_jsapi_ticket", get(wecom_jsapi_ticket))
        .route("/cgi-bin/ticket/get", get(wecom_agent_ticket))
        .route("/cgi-bin/auth/getuserinfo", get(wecom_getuserinfo))
        .route("/cgi-bin/user/getuserinfo", get(wecom_getuserinfo))
        .route("/cgi-bin/user/get", get(wecom_user_get))
}

pub(super) fn open() -> Router<Simulator> {
    Router::new()
        .route("/connect/oauth2/authorize", get(authorize))
        .route("/connect/oauth2/authorize/confirm", post(authorize_confirm))
        .route("/avatar/{id}", get(avatar))
}

/// Checks an access token; `Ok(owner)` or the error WeChat would give.
fn check_token(s: &State, token: &str, now: i64) -> Result<String, WxError> {
    if token.is_empty() {
        return Err((41001, "access_token missing"));
    }
    let Some(t) = s.tokens.get(token) else {
        return Err((
            40001,
            "invalid credential, access_token is invalid or not latest",
        ));
    };
    if t.revoked
        || t.superseded_at
            .is_some_and(|at| now >= at + s.lifetimes.grace)
    {
        return Err((
            40001,
            "invalid credential, access_token is invalid or not latest",
        ));
    }
    if now >= t.expires_at {
        return Err((42001, "access_token expired"));
    }
    Ok(t.owner.clone())
}

/// Issues a new token for `owner`; the previous one (in `current`) is superseded.
fn issue_token(s: &mut State, owner: &str, now: i64, stable: bool) -> (String, i64) {
    let token = format!("SIM_{}", random_id(96));
    let ttl = s.lifetimes.token_ttl;
    let current = if stable {
        &mut s.current_stable
    } else {
        &mut s.current_token
    };
    if let Some(old) = current.insert(owner.to_string(), token.clone()) {
        if let Some(t) = s.tokens.get_mut(&old) {
            t.superseded_at.get_or_insert(now);
        }
    }
    s.tokens.insert(
        token.clone(),
        Token {
            owner: owner.to_string(),
            expires_at: now + ttl,
            superseded_at: None,
            revoked: false,
        },
    );
    (token, ttl)
}

fn issue_ticket(s: &mut State, owner: &str, kind: &str, now: i64) -> Response {
    let value = format!("sim_{}_{}", kind, random_id(64));
    let ttl = s.lifetimes.ticket_ttl;
    s.tickets.retain(|t| t.expires_at > now);
    s.tickets.push(Ticket {
        value: value.clone(),
        owner: owner.into(),
        kind: kind.into(),
        expires_at: now + ttl,
    });
    Json(json!({ "errcode": 0, "errmsg": "ok", "ticket": value, "expires_in": ttl }))
        .into_response()
}

async fn token(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("token").await {
        return r;
    }
    if param(&q, "grant_type") != "client_credential" {
        return error(40002, "invalid grant_type");
    }
    let now = sim.now();
    let mut s = sim.lock();
    let appid = param(&q, "appid");
    match s.accounts.get(appid) {
        None => return error(40013, "invalid appid"),
        Some(secret) if !same(secret, param(&q, "secret")) => {
            return error(40125, "invalid appsecret")
        }
        Some(_) => {}
    }
    let (token, ttl) = issue_token(&mut s, appid, now, false);
    Json(json!({ "access_token": token, "expires_in": ttl })).into_response()
}

#[derive(Deserialize)]
struct StableTokenBody {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    appid: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    force_refresh: bool,
}

async fn stable_token(
    AxState(sim): AxState<Simulator>,
    body: Option<Json<StableTokenBody>>,
) -> Response {
    if let Some(r) = sim.enter("stable_token").await {
        return r;
    }
    let Some(Json(b)) = body else {
        return error(47001, "data format error");
    };
    if b.grant_type != "client_credential" {
        return error(40002, "invalid grant_type");
    }
    let now = sim.now();
    let mut s = sim.lock();
    match s.accounts.get(&b.appid) {
        None => return error(40013, "invalid appid"),
        Some(secret) if !same(secret, &b.secret) => return error(40125, "invalid appsecret"),
        Some(_) => {}
    }
    if !b.force_refresh {
        if let Some(current) = s.current_stable.get(&b.appid).cloned() {
            if check_token(&s, &current, now).is_ok() {
                let left = s.tokens[&current].expires_at - now;
                return Json(json!({ "access_token": current, "expires_in": left }))
                    .into_response();
            }
        }
    }
    let (token, ttl) = issue_token(&mut s, &b.appid, now, true);
    Json(json!({ "access_token": token, "expires_in": ttl })).into_response()
}

async fn getticket(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    let kind = match param(&q, "type") {
        "jsapi" => "jsapi",
        "wx_card" => "wx_card",
        _ => return error(40097, "invalid args: type must be jsapi or wx_card"),
    };
    if let Some(r) = sim.enter(&format!("getticket:{kind}")).await {
        return r;
    }
    let now = sim.now();
    let mut s = sim.lock();
    match check_token(&s, param(&q, "access_token"), now) {
        Ok(owner) if s.accounts.contains_key(&owner) => issue_ticket(&mut s, &owner, kind, now),
        Ok(_) => error(
            40001,
            "invalid credential, access_token is invalid or not latest",
        ),
        Err((code, msg)) => error(code, msg),
    }
}

async fn media_get(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("media_get").await {
        return r;
    }
    let now = sim.now();
    let s = sim.lock();
    let owner = match check_token(&s, param(&q, "access_token"), now) {
        Ok(o) => o,
        Err((code, msg)) => return error(code, msg),
    };
    match s.media.get(param(&q, "media_id")) {
        Some(m) if m.owner == owner && now < m.created_at + s.lifetimes.media_ttl => (
            [(http::header::CONTENT_TYPE, m.content_type.clone())],
            m.bytes.clone(),
        )
            .into_response(),
        _ => error(40007, "invalid media_id"),
    }
}

fn web_token_reply(s: &mut State, appid: &str, openid: &str, scope: &str, now: i64) -> Response {
    let access = format!("SIMWEB_{}", random_id(64));
    let refresh = format!("SIMREFRESH_{}", random_id(64));
    let wt = WebToken {
        appid: appid.into(),
        openid: openid.into(),
        scope: scope.into(),
        expires_at: now + s.lifetimes.web_token_ttl,
    };
    s.web_tokens.insert(access.clone(), wt.clone());
    let refresh_expiry = now + s.lifetimes.refresh_token_ttl;
    s.refresh_tokens
        .insert(refresh.clone(), (wt, refresh_expiry));
    let mut reply = json!({
        "access_token": access,
        "expires_in": s.lifetimes.web_token_ttl,
        "refresh_token": refresh,
        "openid": openid,
        "scope": scope,
    });
    if let Some(u) = s.users.get(openid).filter(|u| !u.unionid.is_empty()) {
        reply["unionid"] = json!(u.unionid);
    }
    Json(reply).into_response()
}

async fn oauth_access_token(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("oauth_access_token").await {
        return r;
    }
    if param(&q, "grant_type") != "authorization_code" {
        return error(40002, "invalid grant_type");
    }
    let now = sim.now();
    let mut s = sim.lock();
    let appid = param(&q, "appid");
    match s.accounts.get(appid) {
        None => return error(40013, "invalid appid"),
        Some(secret) if !same(secret, param(&q, "secret")) => {
            return error(40125, "invalid appsecret")
        }
        Some(_) => {}
    }
    let code_ttl = s.lifetimes.code_ttl;
    let code = match s.codes.get_mut(param(&q, "code")) {
        None => return error(40029, "invalid code"),
        Some(c) if c.appid != appid => return error(40029, "invalid code"),
        Some(c) if c.used => return error(40163, "code been used"),
        Some(c) if now >= c.issued_at + code_ttl => {
            return error(40029, "invalid code, code expired")
        }
        Some(c) => {
            c.used = true;
            c.clone()
        }
    };
    web_token_reply(&mut s, appid, &code.openid, &code.scope, now)
}

async fn oauth_refresh_token(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("oauth_refresh_token").await {
        return r;
    }
    let now = sim.now();
    let mut s = sim.lock();
    let appid = param(&q, "appid");
    let Some((wt, expiry)) = s.refresh_tokens.get(param(&q, "refresh_token")).cloned() else {
        return error(40030, "invalid refresh_token");
    };
    if wt.appid != appid {
        return error(40030, "invalid refresh_token");
    }
    if now >= expiry {
        return error(42002, "refresh_token timeout");
    }
    let access = format!("SIMWEB_{}", random_id(64));
    let refreshed = WebToken {
        expires_at: now + s.lifetimes.web_token_ttl,
        ..wt.clone()
    };
    s.web_tokens.insert(access.clone(), refreshed);
    Json(json!({
        "access_token": access,
        "expires_in": s.lifetimes.web_token_ttl,
        "refresh_token": param(&q, "refresh_token"),
        "openid": wt.openid,
        "scope": wt.scope,
    }))
    .into_response()
}

fn check_web_token(s: &State, token: &str, openid: &str, now: i64) -> Result<WebToken, WxError> {
    match s.web_tokens.get(token) {
        Some(t) if t.openid != openid => Err((40003, "invalid openid")),
        Some(t) if now >= t.expires_at => Err((42001, "access_token expired")),
        Some(t) => Ok(t.clone()),
        None => Err((
            40001,
            "invalid credential, access_token is invalid or not latest",
        )),
    }
}

async fn sns_auth(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("sns_auth").await {
        return r;
    }
    let now = sim.now();
    let s = sim.lock();
    match check_web_token(&s, param(&q, "access_token"), param(&q, "openid"), now) {
        Ok(_) => error(0, "ok"),
        Err((code, msg)) => error(code, msg),
    }
}

async fn userinfo(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("userinfo").await {
        return r;
    }
    let now = sim.now();
    let s = sim.lock();
    let t = match check_web_token(&s, param(&q, "access_token"), param(&q, "openid"), now) {
        Ok(t) => t,
        Err((code, msg)) => return error(code, msg),
    };
    if t.scope != "snsapi_userinfo" {
        return error(48001, "api unauthorized");
    }
    let Some(u) = s.users.get(&t.openid) else {
        return error(40003, "invalid openid");
    };
    let mut reply = json!({
        "openid": u.openid, "nickname": u.nickname, "sex": u.sex, "province": u.province,
        "city": u.city, "country": u.country, "headimgurl": u.headimgurl, "privilege": [],
    });
    if !u.unionid.is_empty() {
        reply["unionid"] = json!(u.unionid);
    }
    Json(reply).into_response()
}

async fn wecom_gettoken(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("wecom_gettoken").await {
        return r;
    }
    let now = sim.now();
    let mut s = sim.lock();
    let corpid = param(&q, "corpid");
    match s.corps.get(corpid) {
        None => return error(40013, "invalid corpid"),
        Some((secret, _)) if !same(secret, param(&q, "corpsecret")) => {
            return error(40001, "invalid secret")
        }
        Some(_) => {}
    }
    let (token, ttl) = issue_token(&mut s, corpid, now, false);
    Json(json!({ "errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": ttl }))
        .into_response()
}

fn wecom_ticket(sim: &Simulator, q: &HashMap<String, String>, kind: &str) -> Response {
    let now = sim.now();
    let mut s = sim.lock();
    match check_token(&s, param(q, "access_token"), now) {
        Ok(owner) if s.corps.contains_key(&owner) => issue_ticket(&mut s, &owner, kind, now),
        Ok(_) => error(40014, "invalid access_token"),
        Err((code, msg)) => error(code, msg),
    }
}

async fn wecom_jsapi_ticket(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("wecom_jsapi_ticket").await {
        return r;
    }
    wecom_ticket(&sim, &q, "corp_jsapi")
}

async fn wecom_agent_ticket(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if param(&q, "type") != "agent_config" {
        return error(40097, "invalid args: type must be agent_config");
    }
    if let Some(r) = sim.enter("wecom_ticket:agent_config").await {
        return r;
    }
    wecom_ticket(&sim, &q, "agent_config")
}

async fn wecom_getuserinfo(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("wecom_getuserinfo").await {
        return r;
    }
    let now = sim.now();
    let mut s = sim.lock();
    let owner = match check_token(&s, param(&q, "access_token"), now) {
        Ok(o) => o,
        Err((code, msg)) => return error(code, msg),
    };
    let code_ttl = s.lifetimes.code_ttl;
    let code = match s.codes.get_mut(param(&q, "code")) {
        Some(c) if c.appid == owner && !c.used && now < c.issued_at + code_ttl => {
            c.used = true;
            c.clone()
        }
        Some(c) if c.used => return error(40163, "code been used"),
        _ => return error(40029, "invalid code"),
    };
    let userid = s
        .users
        .get(&code.openid)
        .map(|u| u.userid.clone())
        .unwrap_or_default();
    Json(json!({ "errcode": 0, "errmsg": "ok", "userid": userid, "UserId": userid, "user_ticket": "" })).into_response()
}

/// `user/get`: a corp member's name and avatar from the directory.
async fn wecom_user_get(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("wecom_user_get").await {
        return r;
    }
    let now = sim.now();
    let s = sim.lock();
    let owner = match check_token(&s, param(&q, "access_token"), now) {
        Ok(o) if s.corps.contains_key(&o) => o,
        Ok(_) => return error(40014, "invalid access_token"),
        Err((code, msg)) => return error(code, msg),
    };
    let userid = param(&q, "userid");
    match s
        .users
        .values()
        .find(|u| u.userid == userid && !userid.is_empty())
    {
        Some(u) => Json(json!({
            "errcode": 0, "errmsg": "ok", "userid": u.userid, "name": u.nickname,
            "avatar": u.headimgurl, "gender": "0", "main_department": 1, "corpid": owner,
        }))
        .into_response(),
        None => error(60111, "userid not found"),
    }
}

/// A simulated user's avatar: a coloured square with the nickname's first letter.
async fn avatar(
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

async fn authorize(AxState(sim): AxState<Simulator>, RawQuery(raw): RawQuery) -> Response {
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
struct Confirm {
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

async fn authorize_confirm(
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
