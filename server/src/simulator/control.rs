//! The simulator's control API, for tests and for trying pages by hand:
//! counters, faults, lifetimes, the clock, token revocation, and a view of the
//! tickets it currently accepts. Only ever mounted by the simulator, and it
//! answers loopback callers only (the TCP peer: a forwarded-for header is
//! never believed), whether the simulator runs inside wxkit or alone.

use super::{random_id, Fault, Lifetimes, Media, SimUser, Simulator};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};

pub(super) fn router() -> Router<Simulator> {
    Router::new()
        .route("/stats", get(stats))
        .route("/reset", post(reset))
        .route("/faults", post(add_fault).delete(clear_faults))
        .route("/lifetimes", post(set_lifetimes))
        .route("/clock", post(advance_clock))
        .route("/revoke", post(revoke))
        .route("/state", get(state))
        .route("/users", post(add_user))
        .route("/media", post(add_media))
        .route("/js_domains", post(set_js_domains))
        .layer(axum::middleware::from_fn(loopback_only))
}

/// Whether `ip` is this machine: 127.0.0.0/8, ::1, or 127.x written as an
/// IPv4-mapped IPv6 address (a dual-stack listener reports it so).
pub fn loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Refuses (403) a caller whose TCP peer is not loopback, or whose peer is
/// unknown (a server started without connect info).
async fn loopback_only(req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match peer {
        Some(ip) if loopback(ip) => next.run(req).await,
        _ => {
            tracing::warn!(peer = ?peer, "refused a simulator control call from another machine");
            (
                http::StatusCode::FORBIDDEN,
                "the simulator's control API answers callers on this machine only",
            )
                .into_response()
        }
    }
}

async fn stats(State(sim): State<Simulator>) -> Response {
    Json(json!({ "calls": sim.lock().calls })).into_response()
}

/// Clears counters and faults (tokens, tickets and users stay).
async fn reset(State(sim): State<Simulator>) -> Response {
    let mut s = sim.lock();
    s.calls.clear();
    s.faults.clear();
    Json(json!({ "ok": true })).into_response()
}

async fn add_fault(State(sim): State<Simulator>, Json(f): Json<Fault>) -> Response {
    sim.lock().faults.push(f);
    Json(json!({ "ok": true })).into_response()
}

async fn clear_faults(State(sim): State<Simulator>) -> Response {
    sim.lock().faults.clear();
    Json(json!({ "ok": true })).into_response()
}

async fn set_lifetimes(State(sim): State<Simulator>, Json(l): Json<Lifetimes>) -> Response {
    sim.lock().lifetimes = l.clone();
    Json(l).into_response()
}

#[derive(Deserialize)]
struct Advance {
    advance_secs: i64,
}

async fn advance_clock(State(sim): State<Simulator>, Json(a): Json<Advance>) -> Response {
    let mut s = sim.lock();
    s.clock_offset += a.advance_secs;
    Json(json!({ "clock_offset": s.clock_offset })).into_response()
}

#[derive(Deserialize, Default)]
struct Revoke {
    #[serde(default)]
    owner: Option<String>,
}

/// Makes the current tokens (of one owner, or all) invalid at once, as when
/// another party fetched a new token and the grace period ran out.
async fn revoke(State(sim): State<Simulator>, body: Option<Json<Revoke>>) -> Response {
    let owner = body.and_then(|Json(r)| r.owner);
    let mut s = sim.lock();
    let mut n = 0;
    for t in s.tokens.values_mut() {
        if owner.as_ref().is_none_or(|o| *o == t.owner) && !t.revoked {
            t.revoked = true;
            n += 1;
        }
    }
    Json(json!({ "revoked": n })).into_response()
}

/// The tickets the simulated client accepts now, and who the simulator knows.
async fn state(State(sim): State<Simulator>) -> Response {
    let now = sim.now();
    let s = sim.lock();
    let tickets: Vec<_> = s.tickets.iter().filter(|t| t.expires_at > now).collect();
    Json(json!({
        "now": now,
        "tickets": tickets,
        "accounts": s.accounts.keys().collect::<Vec<_>>(),
        "corps": s.corps.iter().map(|(id, (_, agent))| json!({"corpid": id, "agentid": agent})).collect::<Vec<_>>(),
        "users": s.users.values().collect::<Vec<_>>(),
        "lifetimes": s.lifetimes,
    }))
    .into_response()
}

async fn add_user(State(sim): State<Simulator>, Json(u): Json<SimUser>) -> Response {
    sim.lock().users.insert(u.openid.clone(), u.clone());
    Json(u).into_response()
}

#[derive(Deserialize)]
struct MediaQuery {
    owner: String,
    #[serde(default = "jpeg")]
    content_type: String,
}

fn jpeg() -> String {
    "image/jpeg".into()
}

/// Stores an upload as `wx.uploadImage` would and answers its `media_id`.
async fn add_media(
    State(sim): State<Simulator>,
    axum::extract::Query(q): axum::extract::Query<MediaQuery>,
    body: Bytes,
) -> Response {
    let now = sim.now();
    let media_id = random_id(64);
    sim.lock().media.insert(
        media_id.clone(),
        Media {
            owner: q.owner,
            content_type: q.content_type,
            bytes: body.to_vec(),
            created_at: now,
        },
    );
    Json(json!({ "media_id": media_id })).into_response()
}

#[derive(Deserialize)]
struct JsDomains {
    domains: Vec<String>,
}

/// Sets the JS interface safe domains the simulated client accepts (empty: any).
async fn set_js_domains(State(sim): State<Simulator>, Json(d): Json<JsDomains>) -> Response {
    sim.lock().js_domains = d
        .domains
        .iter()
        .map(|x| x.trim().to_ascii_lowercase())
        .collect();
    Json(json!({ "domains": d.domains })).into_response()
}

#[cfg(test)]
mod tests {
    use super::loopback;

    #[test]
    fn only_this_machine_is_loopback() {
        for ip in ["127.0.0.1", "127.8.8.8", "::1", "::ffff:127.0.0.1"] {
            assert!(loopback(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "10.0.0.1",
            "192.0.2.1",
            "::ffff:10.0.0.1",
            "0.0.0.0",
            "::",
            "2001:db8::1",
            "::127.0.0.1",
        ] {
            assert!(!loopback(ip.parse().unwrap()), "{ip}");
        }
    }
}
