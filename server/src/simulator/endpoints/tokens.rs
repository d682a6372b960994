//! `cgi-bin/token` and `cgi-bin/stable_token`: the Official Account's access
//! token, for a known AppID and its secret.
//!
//! Invariants: `token` always issues a new token (superseding the previous
//! one); `stable_token` returns the current stable token while it is valid,
//! unless `force_refresh`.

use super::{app_refusal, check_token, issue_token, param, Q};
use crate::simulator::{error, Simulator};
use axum::extract::{Query, State as AxState};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

pub(super) async fn token(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
    if let Some(r) = sim.enter("token").await {
        return r;
    }
    if param(&q, "grant_type") != "client_credential" {
        return error(40002, "invalid grant_type");
    }
    let now = sim.now();
    let mut s = sim.lock();
    let appid = param(&q, "appid");
    if let Some(refused) = app_refusal(&s, appid, param(&q, "secret")) {
        return refused;
    }
    let (token, ttl) = issue_token(&mut s, appid, now, false);
    Json(json!({ "access_token": token, "expires_in": ttl })).into_response()
}

#[derive(Deserialize)]
pub(super) struct StableTokenBody {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    appid: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    force_refresh: bool,
}

pub(super) async fn stable_token(
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
    if let Some(refused) = app_refusal(&s, &b.appid, &b.secret) {
        return refused;
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
