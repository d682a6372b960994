//! The simulated WeChat (`/_sim/api`), WeCom (`/_sim/qyapi`) and authorize
//! page (`/_sim/open`) endpoints, one file per API they fake; this file builds
//! the routers and holds what several of them share (access tokens: issued,
//! superseded, checked; tickets: issued). Endpoint names (for counters and
//! faults): `token`, `stable_token`, `getticket:jsapi`, `getticket:wx_card`,
//! `media_get`, `oauth_access_token`, `oauth_refresh_token`, `sns_auth`,
//! `userinfo`, `authorize`, `wecom_gettoken`, `wecom_jsapi_ticket`,
//! `wecom_ticket:agent_config`, `wecom_getuserinfo`, `wecom_user_get`.
//!
//! - `tokens`: `cgi-bin/token` and `cgi-bin/stable_token`.
//! - `tickets`: `cgi-bin/ticket/getticket` (`jsapi`, `wx_card`).
//! - `media`: `cgi-bin/media/get`.
//! - `sns`: web authorization's `sns/oauth2/access_token`,
//!   `sns/oauth2/refresh_token`, `sns/auth` and `sns/userinfo`.
//! - `wecom`: WeCom's token, tickets, `auth/getuserinfo` and `user/get`.
//! - `authorize_page`: the authorize page, its consent form and the simulated
//!   users' avatars.
//!
//! Invariants: a token is superseded by the next one issued to its owner (of
//! the same kind: `token` and `stable_token` are separate) and keeps working
//! for the grace period; every endpoint that takes a token checks it the same
//! way ([`check_token`]).

mod authorize_page;
mod media;
mod sns;
mod tickets;
mod tokens;
mod wecom;

use super::{random_id, Simulator, State, Ticket, Token};
use authorize_page::{authorize, authorize_confirm, avatar};
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use media::media_get;
use serde_json::json;
use sns::{oauth_access_token, oauth_refresh_token, sns_auth, userinfo};
use std::collections::HashMap;
use tickets::getticket;
use tokens::{stable_token, token};
use wecom::{
    wecom_agent_ticket, wecom_gettoken, wecom_getuserinfo, wecom_jsapi_ticket, wecom_user_get,
};

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
/// WeChat's answer when `appid` and `secret` are not an Official Account's
/// (40013 for an unknown AppID, 40125 for a wrong AppSecret); `None` when they are.
fn app_refusal(s: &State, appid: &str, secret: &str) -> Option<Response> {
    match s.accounts.get(appid) {
        None => Some(super::error(40013, "invalid appid")),
        Some(known) if !crate::signature::same(known, secret) => {
            Some(super::error(40125, "invalid appsecret"))
        }
        Some(_) => None,
    }
}

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
