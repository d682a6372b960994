//! Web authorization's server side (`sns/…`): exchanging a code for a web
//! access token, refreshing it, checking it (`sns/auth`) and the profile
//! (`sns/userinfo`).
//!
//! Invariants: a code works once, for the AppID it was issued to, within
//! `code_ttl`; a web token belongs to one openid; the profile needs a token
//! granted `snsapi_userinfo`; a refresh keeps the refresh token (and its
//! expiry).

use super::{app_refusal, param, WxError, Q};
use crate::simulator::{error, random_id, Simulator, State, WebToken};
use axum::extract::{Query, State as AxState};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

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

pub(super) async fn oauth_access_token(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("oauth_access_token").await {
        return r;
    }
    if param(&q, "grant_type") != "authorization_code" {
        return error(40002, "invalid grant_type");
    }
    let now = sim.now();
    let mut s = sim.lock();
    let appid = param(&q, "appid");
    if let Some(refused) = app_refusal(&s, appid, param(&q, "secret")) {
        return refused;
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

pub(super) async fn oauth_refresh_token(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
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

pub(super) async fn sns_auth(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
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

pub(super) async fn userinfo(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
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
