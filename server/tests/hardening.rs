//! What an anonymous visitor can make wxkit do, tried from outside: security
//! headers, bad input answered with a clear 4xx in the JSON error shape, the
//! config-failure table bounded and deduplicated, per-client limits that
//! believe `X-Forwarded-For` only from a trusted proxy, and the time limit
//! every request has.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn pool(db: &Db) -> sqlx::AnyPool {
    wxkit::db::connect(&db.url()).await.unwrap()
}

/// `POST path` with a raw body and content type: (status, content type, body).
async fn raw(app: &App, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String, String) {
    let r = app
        .http
        .post(format!("{}{path}", app.base()))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, r.text().await.unwrap())
}

/// `POST path` with a body too large to be read, over a raw connection
/// (the server answers and closes while the body is still being sent):
/// chunked (no Content-Length) or with its length declared. The status code
/// of the reply.
async fn oversized_post(app: &App, path: &str, body: &[u8], chunked: bool) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base().trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {}", body.len())
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n{framing}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    if !chunked {
        let _ = s.write_all(body).await;
    }
    for chunk in body.chunks(64 * 1024).filter(|_| chunked) {
        // The server may answer and close before all of it is sent.
        if s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .is_err()
            || s.write_all(chunk).await.is_err()
            || s.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply).await;
    let text = String::from_utf8_lossy(&reply);
    text.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// The body is wxkit's JSON error shape: `{"error": kind, "message": …}`.
fn error_kind(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    assert!(v["message"].is_string(), "{body}");
    v["error"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_response_carries_the_security_headers() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    for path in [
        "/",
        "/p/demo",
        "/admin/sign-in",
        "/healthz",
        "/no/such/page",
    ] {
        let r = app
            .http
            .get(format!("{}{path}", app.base()))
            .send()
            .await
            .unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
        assert!(
            !h.contains_key("strict-transport-security"),
            "{path}: http origin"
        );
        if path.starts_with("/admin") {
            assert_eq!(h["x-frame-options"], "DENY");
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        }
    }
    let (status, _) = app.sign(&format!("{}/", app.base())).await;
    assert_eq!(status, 200, "in-app signing still works under the headers");
    // The signing route does the stack's work in its own handler: the same
    // headers, on its answers and on its refusals (a 405 too).
    let sign = format!("{}/api/jssdk_config", app.base());
    let page = format!("{}/p/demo", app.base());
    for (what, r) in [
        (
            "signed",
            app.http
                .post(&sign)
                .form(&[("url", &page)])
                .send()
                .await
                .unwrap(),
        ),
        ("405", app.http.get(&sign).send().await.unwrap()),
        (
            "400",
            app.http
                .post(&sign)
                .form(&[("nourl", "1")])
                .send()
                .await
                .unwrap(),
        ),
    ] {
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert!(h.contains_key("referrer-policy"), "{what}");
        assert!(h.contains_key("content-security-policy"), "{what}");
    }

    // Served as https: HSTS on every response.
    let https = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_PUBLIC_ORIGIN", "https://127.0.0.1"),
            ("WXKIT_JS_DOMAINS", "127.0.0.1"),
        ],
    )
    .await;
    let r = https
        .http
        .get(format!("{}/p/demo", https.base()))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let r = https
        .http
        .post(format!("{}/api/jssdk_config", https.base()))
        .form(&[("url", "https://127.0.0.1/p/demo")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("strict-transport-security"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_signing_route_refuses_cross_site_posts() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let sign = format!("{}/api/jssdk_config", app.base());
    let page = format!("{}/p/demo", app.base());
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("referer", "https://evil.example/page"),
    ] {
        let r = app
            .http
            .post(&sign)
            .header(name, value)
            .form(&[("url", &page)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{name}: {value}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "bad_request", "{body}");
    }
    // A refused post's body is read first, so its kept-alive connection
    // stays usable for the next request.
    for _ in 0..5 {
        let r = app
            .http
            .post(&sign)
            .header("origin", "https://evil.example")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("url={}", "a".repeat(60_000)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(app.fetch("/healthz").await.status(), 200);
    }
    // From the site itself (the Host it was sent to): signed; from another
    // port of the same host: another origin, refused.
    for (origin, expected) in [
        (app.base().to_string(), 200),
        ("http://127.0.0.1:1".into(), 403),
    ] {
        let r = app
            .http
            .post(&sign)
            .header("origin", origin.as_str())
            .form(&[("url", &page)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), expected, "{origin}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_a_clear_4xx_never_a_500() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let form = "application/x-www-form-urlencoded";

    // Invalid UTF-8, raw and percent-encoded.
    let (status, ct, body) = raw(&app, "/api/jssdk_config", form, b"url=\xff\xfe".to_vec()).await;
    assert_eq!((status, ct.as_str()), (400, "application/json"), "{body}");
    assert_eq!(error_kind(&body), "bad_request");
    let (status, _, body) = raw(&app, "/api/jssdk_config", form, b"url=%ff%fe".to_vec()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_kind(&body), "bad_request");

    // Too large: 3 MB, declared and streamed.
    let big = format!("url={}", "a".repeat(3 << 20)).into_bytes();
    assert_eq!(
        oversized_post(&app, "/api/config_failure", &big, false).await,
        413,
        "a declared body over the limit"
    );
    // Just over the limit, small enough to be sent whole: the JSON shape.
    let over = format!("url={}", "a".repeat(64 * 1024)).into_bytes();
    let (status, _, body) = raw(&app, "/api/config_failure", form, over.clone()).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(error_kind(&body), "too_large");
    // The signing route, served outside the server functions, has the same guard.
    let (status, _, body) = raw(&app, "/api/jssdk_config", form, over).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(error_kind(&body), "too_large");
    assert_eq!(
        oversized_post(&app, "/api/share_event", &big, true).await,
        413,
        "a chunked body over the limit"
    );

    // The wrong content type, missing and malformed fields.
    let (status, _, body) = raw(
        &app,
        "/api/jssdk_config",
        "application/json",
        br#"{"url":"http://127.0.0.1/"}"#.to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_kind(&body), "bad_request");
    for (path, body) in [
        ("/api/jssdk_config", "nourl=1"),
        ("/api/share_event", "slug=demo"),
        ("/api/config_failure", "page_url=x"),
        ("/api/save_images", "slug=demo&server_ids=%%%"),
        ("/api/card_ext", ""),
        ("/api/admin/sign_in", "username=root"),
    ] {
        let (status, _, text) = raw(&app, path, form, body.as_bytes().to_vec()).await;
        assert!(
            (400..500).contains(&status),
            "{path} {body}: {status} {text}"
        );
        error_kind(&text);
    }
    // Nothing above hurt the server.
    assert_eq!(app.sign_ok().await["appId"], SIM_APP_ID);
}

fn failure(page: &str) -> Vec<(&'static str, String)> {
    vec![
        ("page_url", page.to_string()),
        ("signed_url", page.to_string()),
        ("user_agent", "Android MicroMessenger".to_string()),
        ("err_msg", "config:invalid signature".to_string()),
    ]
}

async fn report(app: &App, form: &[(&'static str, String)], xff: Option<&str>) -> u16 {
    let mut r = app
        .http
        .post(format!("{}/api/config_failure", app.base()))
        .form(form);
    if let Some(xff) = xff {
        r = r.header("x-forwarded-for", xff);
    }
    r.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn config_failures_are_counted_and_bounded() {
    for db in [Db::sqlite(), Db::postgres().await] {
        let sim = Sim::start();
        let app = App::start(
            &sim,
            &db,
            &[
                ("WXKIT_CONFIG_FAILURES_MAX", "20"),
                ("WXKIT_WRITES_PER_IP", "100000"),
            ],
        )
        .await;
        let pool = pool(&db).await;
        // The same failure 50 times: one row, counted.
        for _ in 0..50 {
            assert_eq!(
                report(&app, &failure("http://127.0.0.1/p/demo"), None).await,
                200
            );
        }
        let (rows, count): (i64, i64) =
            sqlx::query_as("SELECT COUNT(*), MAX(count) FROM config_failures")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!((rows, count), (1, 50));
        // 300 different failures: never more than the bound, newest kept.
        for i in 0..300 {
            let page = format!("http://127.0.0.1/p/demo?n={i}");
            assert_eq!(report(&app, &failure(&page), None).await, 200);
        }
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM config_failures")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(rows <= 20, "{rows} rows kept, the bound is 20");
        let newest: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM config_failures WHERE page_url = 'http://127.0.0.1/p/demo?n=299'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(newest, 1, "the newest report is kept");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_count_the_client_behind_a_trusted_proxy_only() {
    let sim = Sim::start();
    let db = Db::sqlite();
    // No trusted proxy: X-Forwarded-For is the client's own claim and ignored.
    let direct = App::start(&sim, &db, &[("WXKIT_WRITES_PER_IP", "3")]).await;
    for i in 0..3 {
        let xff = format!("198.51.100.{i}");
        assert_eq!(
            report(&direct, &failure("http://127.0.0.1/a"), Some(&xff)).await,
            200
        );
    }
    assert_eq!(
        report(
            &direct,
            &failure("http://127.0.0.1/a"),
            Some("198.51.100.99")
        )
        .await,
        429,
        "a forged X-Forwarded-For does not buy more attempts"
    );

    // Behind nginx on loopback: each client has its own budget, and a client
    // cannot pick another's by prepending addresses.
    let proxied = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_WRITES_PER_IP", "3"),
            ("WXKIT_TRUSTED_PROXIES", "127.0.0.1/32"),
        ],
    )
    .await;
    for _ in 0..3 {
        assert_eq!(
            report(
                &proxied,
                &failure("http://127.0.0.1/b"),
                Some("203.0.113.5")
            )
            .await,
            200
        );
    }
    assert_eq!(
        report(
            &proxied,
            &failure("http://127.0.0.1/b"),
            Some("203.0.113.5")
        )
        .await,
        429
    );
    assert_eq!(
        report(
            &proxied,
            &failure("http://127.0.0.1/b"),
            Some("203.0.113.77, 203.0.113.5")
        )
        .await,
        429,
        "the right-most untrusted address is the client"
    );
    assert_eq!(
        report(
            &proxied,
            &failure("http://127.0.0.1/b"),
            Some("203.0.113.6")
        )
        .await,
        200
    );
    // Share outcomes count against the same budget.
    let r = proxied
        .http
        .post(format!("{}/api/share_event", proxied.base()))
        .header("x-forwarded-for", "203.0.113.5")
        .form(&[
            ("slug", "demo"),
            ("channel", "app_message"),
            ("outcome", "success"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_request_has_a_time_limit() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[("WXKIT_REQUEST_TIMEOUT_SECS", "1")]).await;
    sim.fault(json!({ "endpoint": "token", "delay_ms": 4000 }))
        .await;
    let started = Instant::now();
    let (status, body) = app.sign(&format!("{}/", app.base())).await;
    assert_eq!(status, 503);
    assert_eq!(body["error"], "unavailable", "the JSON error shape: {body}");
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
    sim.clear_faults().await;
    // The server is still up.
    assert_eq!(app.fetch("/healthz").await.status(), 200);
}
