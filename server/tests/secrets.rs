//! Secrets and database texts stay on the server, black-box: a malformed token
//! or ticket reply is described, never quoted; a database failure is "database
//! error" to the browser; the signature debugger takes a ticket by POST only.
//! And the simulator's surface: `/_sim` exists only where the simulator is
//! mounted, and its control API answers callers on this machine only.

mod common;

use common::*;
use serde_json::{json, Value};
use std::net::{IpAddr, SocketAddr};

/// The 8-character windows of `secret` that `text` contains.
fn fragments(text: &str, secret: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .windows(8)
        .map(|w| w.iter().collect::<String>())
        .filter(|w| text.contains(w.as_str()))
        .collect()
}

fn assert_no_fragment(what: &str, text: &str, secrets: &[String]) {
    assert!(!secrets.is_empty(), "{what}: no secret to look for");
    for s in secrets {
        let found = fragments(text, s);
        assert!(
            found.is_empty(),
            "{what} quotes {found:?} of a secret: {text}"
        );
    }
}

/// Every stored `last_error` (the dashboard shows them).
async fn last_errors(db: &Db) -> String {
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    let rows: Vec<String> = sqlx::query_scalar("SELECT last_error FROM credentials")
        .fetch_all(&pool)
        .await
        .unwrap();
    rows.join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ticket_reply_in_an_unexpected_shape_is_described_never_quoted() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[("WXKIT_BACKOFF_BASE_MS", "10")]).await;
    // The reply carries a real, valid ticket, but no expires_in.
    sim.fault(json!({ "endpoint": "getticket:jsapi", "drop_field": "expires_in" }))
        .await;
    let (status, body) = app.sign(&format!("{}/", app.base())).await;
    assert_eq!(status, 503, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("missing field `expires_in`") && message.contains("bytes"),
        "says what was wrong: {message}"
    );
    let page = app.html("/").await;
    let tickets = sim.tickets("jsapi").await;
    assert!(sim.calls("getticket:jsapi").await >= 1);
    assert_no_fragment("the server function's error", &body.to_string(), &tickets);
    assert_no_fragment("the page", &page, &tickets);
    assert_no_fragment("the stored last error", &last_errors(&db).await, &tickets);
    // Once WeChat answers properly again, the page is signed.
    sim.clear_faults().await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    app.sign_ok().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_reply_in_an_unexpected_shape_is_described_never_quoted() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[("WXKIT_TOKEN_MODE", "stable")]).await;
    sim.fault(json!({ "endpoint": "stable_token", "drop_field": "expires_in" }))
        .await;
    let (status, body) = app.sign(&format!("{}/", app.base())).await;
    assert_eq!(status, 503, "{body}");
    let page = app.html("/").await;
    sim.clear_faults().await;
    // The stable token wxkit was handed (a stable_token call without
    // force_refresh answers the current one).
    let reply: Value = sim
        .http
        .post(format!("{}/cgi-bin/stable_token", sim.api()))
        .json(&json!({
            "grant_type": "client_credential",
            "appid": SIM_APP_ID,
            "secret": SIM_APP_SECRET,
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = vec![reply["access_token"].as_str().unwrap().to_string()];
    assert_no_fragment("the server function's error", &body.to_string(), &token);
    assert_no_fragment("the page", &page, &token);
    assert_no_fragment("the stored last error", &last_errors(&db).await, &token);
}

/// What a database's own error texts contain.
const DB_WORDS: [&str; 5] = ["sqlite", "relation", "syntax", "no such table", "violates"];

async fn database_failures_are_not_described(db: Db) {
    let sim = Sim::start();
    let app = App::start(&sim, &db, &[]).await;
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    // (Pages are read from memory: the card list, `/api/cards`, reads the database.)
    for table in ["credentials", "cards"] {
        sqlx::query(&format!("DROP TABLE {table}"))
            .execute(&pool)
            .await
            .unwrap();
    }
    let (s1, signed) = app.sign(&format!("{}/", app.base())).await;
    let (s2, page) = app.post_form("/api/cards", &[]).await;
    for (what, status, body) in [("jssdk_config", s1, &signed), ("cards", s2, &page)] {
        assert_eq!(status, 500, "{what}: {body}");
        assert_eq!(body["message"], "database error", "{what}: {body}");
    }
    let html = app.html("/p/demo").await;
    // The page itself comes from memory; its wx.config could not be signed.
    let config = embedded_config(&html);
    assert_eq!(config["error"]["error"], "internal", "{html}");
    assert_eq!(config["error"]["message"], "database error", "{html}");
    for (what, text) in [
        ("jssdk_config", signed.to_string()),
        ("cards", page.to_string()),
        ("the page /p/demo", html),
    ] {
        let lower = text.to_lowercase();
        for word in DB_WORDS {
            assert!(!lower.contains(word), "{what} says `{word}`: {text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn database_failures_are_not_described_sqlite() {
    database_failures_are_not_described(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn database_failures_are_not_described_postgres() {
    database_failures_are_not_described(Db::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_debugger_takes_a_ticket_by_post_only() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (app, b) = App::with_admin(&sim, &db, &[]).await;
    // The official vector (PROTOCOL.md §2).
    let ticket =
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
    let signature = "0f9de62fce790f9a083d5c99e95740ceb90c27ed";
    let fields = [
        ("url", "http://mp.weixin.qq.com?params=value"),
        ("nonce", "Wm3WZYTPz0wzccnW"),
        ("timestamp", "1414587457"),
        ("ticket", ticket),
    ];

    // The form the page draws posts to the server function.
    let page = b.get(&format!("{}/admin/debugger", app.base())).await;
    assert_eq!(page.status, 200);
    let at = page.body.find("name=\"ticket\"").expect("a ticket field");
    let form = &page.body[page.body[..at].rfind("<form").unwrap()..at];
    let tag = &form[..form.find('>').unwrap()];
    assert!(
        tag.contains("method=\"post\"") && tag.contains("action=\"/api/admin/sign_debug\""),
        "{tag}"
    );

    // A ticket in the page's URL is not used, nor shown.
    let query: String = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencoding(v)))
        .collect::<Vec<_>>()
        .join("&");
    let page = b
        .get(&format!("{}/admin/debugger?{query}", app.base()))
        .await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(ticket) && !page.body.contains(signature));
    assert!(
        page.body.contains("«current jsapi_ticket»"),
        "signed with the account's own ticket"
    );

    // The server function answers no GET.
    let r = b
        .http
        .get(format!("{}/api/admin/sign_debug?{query}", app.base()))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert!((400..500).contains(&status), "GET: {status} {body}");
    assert!(!body.contains(signature), "{body}");

    // A POST signs with the given ticket.
    let r = b
        .http
        .post(format!("{}/api/admin/sign_debug", app.base()))
        .header("origin", app.base())
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["signature"], signature);
}

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_simulator_there_is_no_sim_surface() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start_unsimulated(&sim, &db, &[]).await;
    let r = app
        .http
        .get(format!("{}/_sim/control/stats", app.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    for (path, header, value) in [
        ("/_sim/anything", "origin", "https://evil.example.com"),
        ("/_sim/control/reset", "origin", "https://evil.example.com"),
        ("/_sim/anything", "sec-fetch-site", "cross-site"),
    ] {
        let r = app
            .http
            .post(format!("{}{path}", app.base()))
            .header(header, value)
            .form(&[("x", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path} with {header}: {value}");
    }
    // The pages are served as ever.
    let r = app
        .http
        .get(format!("{}/healthz", app.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// This machine's address on a network interface other than loopback, if any.
fn non_loopback_address() -> Option<IpAddr> {
    ["192.0.2.1:9", "203.0.113.1:9", "10.255.255.1:9"]
        .iter()
        .find_map(|target| {
            let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
            s.connect(target).ok()?;
            let ip = s.local_addr().ok()?.ip();
            (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
        })
}

async fn status(req: reqwest::RequestBuilder) -> u16 {
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_control_api_answers_this_machine_only() {
    // Listening on every interface: reachable from loopback and from the LAN.
    let sim = Sim::start_on("0.0.0.0:0");
    let port = sim.base().rsplit(':').next().unwrap().to_string();
    let http = reqwest::Client::new();
    // Loopback callers work as ever.
    assert_eq!(sim.control("reset", json!({})).await["ok"], true);
    let local = format!("http://127.0.0.1:{port}");
    assert_eq!(
        status(http.get(format!("{local}/_sim/control/stats"))).await,
        200
    );
    match non_loopback_address() {
        Some(ip) => {
            let lan = format!("http://{}", SocketAddr::new(ip, port.parse().unwrap()));
            for req in [
                http.get(format!("{lan}/_sim/control/stats")),
                http.get(format!("{lan}/_sim/control/state")),
                http.post(format!("{lan}/_sim/control/faults"))
                    .json(&json!({ "endpoint": "token", "errcode": -1 })),
                // A forwarded-for header is never believed.
                http.get(format!("{lan}/_sim/control/stats"))
                    .header("x-forwarded-for", "127.0.0.1"),
            ] {
                assert_eq!(status(req).await, 403, "from {ip}");
            }
            // The fault was not added; the simulated WeChat API still answers.
            let token: Value = http
                .get(format!("{lan}/_sim/api/cgi-bin/token"))
                .query(&[
                    ("grant_type", "client_credential"),
                    ("appid", SIM_APP_ID),
                    ("secret", SIM_APP_SECRET),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(token["access_token"].is_string(), "{token}");
        }
        None => eprintln!("no address but loopback here: the LAN half is skipped"),
    }

    // A server that does not know its peers refuses the control API.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = wxkit::simulator::Simulator::new().router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    assert_eq!(
        status(http.get(format!("http://{addr}/_sim/control/stats"))).await,
        403
    );
    assert_eq!(
        status(http.get(format!("http://{addr}/_sim/api/cgi-bin/token"))).await,
        200
    );
}
