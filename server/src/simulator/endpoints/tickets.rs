//! `cgi-bin/ticket/getticket`: the Official Account's `jsapi` and `wx_card`
//! tickets (the fault name is `getticket:<type>`).
//!
//! Invariant: only a valid token of an Official Account gets a ticket; each
//! call issues a fresh one and drops the expired ones.

use super::{check_token, issue_ticket, param, Q};
use crate::simulator::{error, Simulator};
use axum::extract::{Query, State as AxState};
use axum::response::Response;

pub(super) async fn getticket(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
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
