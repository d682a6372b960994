//! The simulated WeChat client's server side (`/_sim/client`): serves the
//! in-page `wx` script and checks what the real client checks — the
//! `wx.config` signature against the tickets the simulator issued, the page's
//! domain against the JS interface safe domains, `cardExt` and `cardSign`
//! against the wx_card tickets — and stores uploads as WeChat media.

use super::{random_id, Media, Simulator};
use crate::signature::{self, CardExtFields, CardSignFields};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

const SCRIPT: &str = include_str!("client.js");

pub(super) fn router() -> Router<Simulator> {
    Router::new()
        .route("/jweixin.js", get(script))
        .route("/verify", post(verify))
        .route("/verify_agent", post(verify_agent))
        .route("/upload", post(upload))
        .route("/media/{media_id}", get(media))
        .route("/card_ext", post(card_ext))
        .route("/card_sign", post(card_sign))
}

async fn script() -> Response {
    (
        [
            (
                http::header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (http::header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}

fn verdict(error: Option<&str>) -> Response {
    match error {
        None => Json(json!({ "ok": true })).into_response(),
        Some(e) => Json(json!({ "ok": false, "error": e })).into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigCheck {
    app_id: String,
    timestamp: String,
    nonce_str: String,
    signature: String,
    url: String,
}

/// What WeChat answers a `wx.config` with, for the URL the client verified.
pub(crate) fn check_config(sim: &Simulator, c: &ConfigCheckFields<'_>) -> Option<&'static str> {
    let (domains, kind) = {
        let s = sim.lock();
        let kind = if s.accounts.contains_key(c.app_id) {
            "jsapi"
        } else if s.corps.contains_key(c.app_id) {
            "corp_jsapi"
        } else {
            return Some("invalid appId");
        };
        (s.js_domains.clone(), kind)
    };
    let host = url::Url::parse(c.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    match host {
        Some(h)
            if domains.is_empty()
                || signature::host_allowed(h.trim_matches(['[', ']']), &domains) => {}
        _ => return Some("invalid url domain"),
    }
    let Ok(timestamp) = c.timestamp.parse::<i64>() else {
        return Some("invalid signature");
    };
    let ok = sim.valid_tickets(c.app_id, kind).iter().any(|t| {
        signature::same(
            &signature::jsapi_signature(t, c.nonce_str, timestamp, c.url),
            c.signature,
        )
    });
    (!ok).then_some("invalid signature")
}

pub(crate) struct ConfigCheckFields<'a> {
    pub app_id: &'a str,
    pub timestamp: &'a str,
    pub nonce_str: &'a str,
    pub signature: &'a str,
    pub url: &'a str,
}

async fn verify(State(sim): State<Simulator>, Json(c): Json<ConfigCheck>) -> Response {
    let fields = ConfigCheckFields {
        app_id: &c.app_id,
        timestamp: &c.timestamp,
        nonce_str: &c.nonce_str,
        signature: &c.signature,
        url: &c.url,
    };
    *sim.lock().calls.entry("client_config".into()).or_default() += 1;
    verdict(check_config(&sim, &fields))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AgentCheck {
    corpid: String,
    agentid: String,
    timestamp: String,
    nonce_str: String,
    signature: String,
    url: String,
}

/// What WeCom answers a `wx.agentConfig` with: the corp and its agent must
/// match, and the signature must be the agent_config ticket's for the URL.
pub(crate) fn check_agent_config(
    sim: &Simulator,
    corpid: &str,
    agentid: &str,
    c: &ConfigCheckFields<'_>,
) -> Option<&'static str> {
    let known = sim.lock().corps.get(corpid).map(|(_, agent)| agent.clone());
    match known {
        None => return Some("invalid corpid"),
        Some(agent) if agent != agentid => return Some("invalid agentid"),
        Some(_) => {}
    }
    let Ok(timestamp) = c.timestamp.parse::<i64>() else {
        return Some("invalid signature");
    };
    let ok = sim.valid_tickets(corpid, "agent_config").iter().any(|t| {
        signature::same(
            &signature::jsapi_signature(t, c.nonce_str, timestamp, c.url),
            c.signature,
        )
    });
    (!ok).then_some("invalid signature")
}

async fn verify_agent(State(sim): State<Simulator>, Json(c): Json<AgentCheck>) -> Response {
    let fields = ConfigCheckFields {
        app_id: &c.corpid,
        timestamp: &c.timestamp,
        nonce_str: &c.nonce_str,
        signature: &c.signature,
        url: &c.url,
    };
    *sim.lock()
        .calls
        .entry("client_agent_config".into())
        .or_default() += 1;
    verdict(check_agent_config(&sim, &c.corpid, &c.agentid, &fields))
}

#[derive(Deserialize)]
struct UploadQuery {
    appid: String,
    #[serde(default)]
    content_type: String,
}

/// `wx.uploadImage`: the image becomes WeChat media of the page's account.
async fn upload(
    State(sim): State<Simulator>,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> Response {
    let now = sim.now();
    let media_id = random_id(64);
    let mut s = sim.lock();
    *s.calls.entry("client_upload".into()).or_default() += 1;
    let content_type = if q.content_type.is_empty() {
        "image/jpeg".into()
    } else {
        q.content_type
    };
    s.media.insert(
        media_id.clone(),
        Media {
            owner: q.appid,
            content_type,
            bytes: body.to_vec(),
            created_at: now,
        },
    );
    Json(json!({ "media_id": media_id })).into_response()
}

/// `wx.downloadImage`: the bytes of a media id.
async fn media(State(sim): State<Simulator>, Path(media_id): Path<String>) -> Response {
    let now = sim.now();
    let s = sim.lock();
    match s.media.get(&media_id) {
        Some(m) if now < m.created_at + s.lifetimes.media_ttl => (
            [(http::header::CONTENT_TYPE, m.content_type.clone())],
            m.bytes.clone(),
        )
            .into_response(),
        _ => (http::StatusCode::NOT_FOUND, "invalid serverId").into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CardExtCheck {
    app_id: String,
    card_id: String,
    card_ext: String,
}

#[derive(Deserialize, Default)]
struct CardExt {
    #[serde(default)]
    code: String,
    #[serde(default)]
    openid: String,
    #[serde(default)]
    timestamp: String,
    #[serde(default)]
    nonce_str: String,
    #[serde(default)]
    signature: String,
}

/// `wx.addCard`: the cardExt must be a JSON string signed with a wx_card ticket.
async fn card_ext(State(sim): State<Simulator>, Json(c): Json<CardExtCheck>) -> Response {
    let Ok(ext) = serde_json::from_str::<CardExt>(&c.card_ext) else {
        return verdict(Some("invalid cardExt: not a JSON string"));
    };
    let Ok(timestamp) = ext.timestamp.parse::<i64>() else {
        return verdict(Some("invalid cardExt: timestamp"));
    };
    let ok = sim.valid_tickets(&c.app_id, "wx_card").iter().any(|t| {
        let expected = signature::card_ext_signature(&CardExtFields {
            api_ticket: t,
            timestamp,
            card_id: &c.card_id,
            code: &ext.code,
            openid: &ext.openid,
            nonce_str: &ext.nonce_str,
        });
        signature::same(&expected, &ext.signature)
    });
    if !ok {
        return verdict(Some("invalid signature"));
    }
    let code = if ext.code.is_empty() {
        random_id(12)
    } else {
        ext.code
    };
    Json(json!({ "ok": true, "code": code })).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CardSignCheck {
    app_id: String,
    shop_id: String,
    card_type: String,
    card_id: String,
    timestamp: String,
    nonce_str: String,
    card_sign: String,
}

/// `wx.chooseCard`: the cardSign must be signed with a wx_card ticket.
async fn card_sign(State(sim): State<Simulator>, Json(c): Json<CardSignCheck>) -> Response {
    let Ok(timestamp) = c.timestamp.parse::<i64>() else {
        return verdict(Some("invalid signature"));
    };
    let ok = sim.valid_tickets(&c.app_id, "wx_card").iter().any(|t| {
        let expected = signature::card_sign(&CardSignFields {
            api_ticket: t,
            app_id: &c.app_id,
            location_id: &c.shop_id,
            timestamp,
            nonce_str: &c.nonce_str,
            card_id: &c.card_id,
            card_type: &c.card_type,
        });
        signature::same(&expected, &c.card_sign)
    });
    verdict((!ok).then_some("invalid signature"))
}
