//! The ceiling for `.ci/bench`: the least a signing endpoint can do, as a
//! bare axum handler on the same runtime settings as wxkit. It parses the
//! same form (`url=`), signs with a ticket held in memory (WeChat's JS-SDK
//! signature algorithm, through wxkit's own `signature` functions), and
//! answers the same JSON as wxkit's signing route does for that form: the same
//! fields, and the same default jsApiList (every API wxkit knows, from the
//! same list), so the two replies are the same size and the ratio measures
//! what wxkit does besides signing, not the length of the API list. No
//! middleware, no checks, no cache.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Form, Router};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use wxkit::config::SIM_APP_ID;
use wxkit::signature::{jsapi_signature, nonce};

#[derive(Deserialize)]
struct Sign {
    url: String,
}

const TICKET: &str =
    "sM4AOVdWfPE4DxkXGEs8VDsWI7B-faDW7RPMNI7CBMYBwrOO_HqeX3cazP-FRv1zclArJLDw2_0WQA604Sc-GA";

/// The reply, typed: no `serde_json::Value` map built per request.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Config {
    app_id: &'static str,
    timestamp: i64,
    nonce_str: String,
    signature: String,
    js_api_list: &'static [&'static str],
}

/// wxkit's default jsApiList, collected once.
fn apis() -> &'static [&'static str] {
    static APIS: OnceLock<Vec<&'static str>> = OnceLock::new();
    APIS.get_or_init(|| app::backend::known_apis().collect())
}

async fn sign(Form(f): Form<Sign>) -> impl IntoResponse {
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let nonce_str = nonce();
    let signature = jsapi_signature(TICKET, &nonce_str, timestamp, &f.url);
    let config = Config {
        app_id: SIM_APP_ID,
        timestamp,
        nonce_str,
        signature,
        js_api_list: apis(),
    };
    // One buffer sized for the reply, as wxkit writes it.
    let mut body = Vec::with_capacity(2048);
    serde_json::to_writer(&mut body, &config).expect("strings and integers");
    ([(header::CONTENT_TYPE, "application/json")], body)
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
