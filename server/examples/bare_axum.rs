//! The ceiling for `.ci/bench`: the least a signing endpoint can do, as a
//! bare axum handler on the same runtime settings as wxkit. It parses the
//! same form (`url=`), signs with a ticket held in memory (WeChat's JS-SDK
//! signature algorithm, through wxkit's own `signature` functions), and
//! answers the same JSON fields. No middleware, no checks, no cache.

use axum::routing::post;
use axum::{Form, Json, Router};
use serde::Deserialize;
use wxkit::signature::{jsapi_signature, nonce};

#[derive(Deserialize)]
struct Sign {
    url: String,
}

const TICKET: &str =
    "sM4AOVdWfPE4DxkXGEs8VDsWI7B-faDW7RPMNI7CBMYBwrOO_HqeX3cazP-FRv1zclArJLDw2_0WQA604Sc-GA";

async fn sign(Form(f): Form<Sign>) -> Json<serde_json::Value> {
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let nonce_str = nonce();
    let signature = jsapi_signature(TICKET, &nonce_str, timestamp, &f.url);
    Json(serde_json::json!({
        "appId": "wxd0c0ffee5117e5f1",
        "timestamp": timestamp,
        "nonceStr": nonce_str,
        "signature": signature,
        "jsApiList": ["updateAppMessageShareData", "updateTimelineShareData"],
    }))
}

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3301".into());
    let app = Router::new().route("/api/bare", post(sign));
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    println!("bare axum listening on http://{addr}");
    axum::serve(listener, app).await.expect("serve");
}
