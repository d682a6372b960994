//! The baseline for `.ci/bench`: a bare axum handler that answers a
//! small JSON body, on the same runtime settings as wxkit.

use axum::routing::post;
use axum::{Json, Router};

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3301".into());
    let app = Router::new().route(
        "/api/bare",
        post(|| async { Json(serde_json::json!({ "appId": "wx", "signature": "0".repeat(40) })) }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    println!("bare axum listening on http://{addr}");
    axum::serve(listener, app).await.expect("serve");
}
