//! `cgi-bin/media/get`: a temporary media file the simulator holds (uploaded
//! by the simulated client's `wx.uploadImage`, or through the control API).
//!
//! Invariant: media is served only to its owner's valid token, and only
//! within `media_ttl` of its upload.

use super::{check_token, param, Q};
use crate::simulator::{error, Simulator};
use axum::extract::{Query, State as AxState};
use axum::response::{IntoResponse, Response};

pub(super) async fn media_get(AxState(sim): AxState<Simulator>, Query(q): Q) -> Response {
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
