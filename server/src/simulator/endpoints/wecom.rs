//! The WeCom API (`/_sim/qyapi`): `gettoken`, the corp and agent JS-SDK
//! tickets, `auth/getuserinfo` (a code for the member's userid) and
//! `user/get` (a member's name and avatar from the directory).
//!
//! Invariants: only a corp's token reaches these (an Official Account's token
//! is `40014`); a code works once, within `code_ttl`.

use super::{check_token, issue_ticket, issue_token, param, Q};
use crate::signature::same;
use crate::simulator::{error, Simulator};
use axum::extract::{Query, State as AxState};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::collections::HashMap;

pub(super) async fn wecom_gettoken(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
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

pub(super) async fn wecom_jsapi_ticket(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("wecom_jsapi_ticket").await {
        return r;
    }
    wecom_ticket(&sim, &q, "corp_jsapi")
}

pub(super) async fn wecom_agent_ticket(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if param(&q, "type") != "agent_config" {
        return error(40097, "invalid args: type must be agent_config");
    }
    if let Some(r) = sim.enter("wecom_ticket:agent_config").await {
        return r;
    }
    wecom_ticket(&sim, &q, "agent_config")
}

pub(super) async fn wecom_getuserinfo(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
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
pub(super) async fn wecom_user_get(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
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
