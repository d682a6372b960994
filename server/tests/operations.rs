//! Operating wxkit: Prometheus metrics, JSON log lines with request ids,
//! `wxkit check`, domain verification files, `wxkit backup`, and a graceful
//! shutdown under load.

mod common;

use common::admin::*;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// Parses the Prometheus text format: `name{labels}` → value (comments and
/// blank lines skipped; every other line must parse).
fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("not a sample: {line}"));
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {line}"));
        assert!(
            series.starts_with("wxkit_"),
            "every name starts with wxkit_: {line}"
        );
        out.insert(series.to_string(), value);
    }
    out
}

/// The value of the series `name` whose labels include each of `labels`.
fn sample(m: &BTreeMap<String, f64>, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    m.iter()
        .filter(|(series, _)| {
            series.split('{').next() == Some(name)
                && labels
                    .iter()
                    .all(|(k, v)| series.contains(&format!("{k}=\"{v}\"")))
        })
        .map(|(_, v)| *v)
        .reduce(|a, b| a + b)
}

async fn scrape(port: u16) -> BTreeMap<String, f64> {
    let r = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(
        text.contains("# HELP wxkit_http_requests_total "),
        "described"
    );
    parse_metrics(&text)
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_are_served_on_their_own_listener() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let data = tempfile::tempdir().unwrap();
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_METRICS_ADDR", &addr),
            ("WXKIT_BACKOFF_BASE_MS", "10"),
            ("WXKIT_DATA_DIR", data.path().to_str().unwrap()),
        ],
    )
    .await;
    // The first token fetch is refused by the IP whitelist; the next one works.
    sim.fault(json!({"endpoint": "token", "errcode": 40164, "times": 1,
        "errmsg": "invalid ip 203.0.113.9, not in whitelist"}))
        .await;
    let (refused, _) = app.sign(&format!("{}/", app.base())).await;
    assert_ne!(refused, 200);
    tokio::time::sleep(Duration::from_millis(100)).await;
    app.sign_ok().await;
    assert_eq!(app.fetch("/p/demo").await.status(), 200);
    for i in 0..5 {
        // Unknown paths are one series, whatever their number.
        assert_eq!(app.fetch(&format!("/no/such/{i}")).await.status(), 404);
    }
    let (bad, _) = app
        .post_form("/api/jssdk_config", &[("url", "ftp://x/")])
        .await;
    assert_eq!(bad, 400);
    // One image kept from WeChat, one refused.
    let mut image = vec![137u8, 80, 78, 71, 13, 10, 26, 10];
    image.resize(300, 7);
    let media_id = sim.media("image/png", image).await;
    let (saved, body) = app
        .post_form(
            "/api/save_images",
            &[("slug", "demo"), ("server_ids", &media_id)],
        )
        .await;
    assert_eq!(saved, 200, "{body}");
    let (refused, _) = app
        .post_form(
            "/api/save_images",
            &[("slug", "demo"), ("server_ids", "not an id!")],
        )
        .await;
    assert_eq!(refused, 400);
    let callback = app.fetch("/oauth/callback?code=x").await;
    assert_eq!(callback.status(), 400);

    let m = scrape(port).await;
    let n = |name, labels: &[(&str, &str)]| sample(&m, name, labels).unwrap_or(0.0);
    assert_eq!(
        n(
            "wxkit_http_requests_total",
            &[("route", "/api/jssdk_config"), ("status", "200")]
        ),
        1.0
    );
    assert_eq!(
        n(
            "wxkit_http_requests_total",
            &[("route", "/api/jssdk_config"), ("status", "400")]
        ),
        1.0
    );
    assert_eq!(
        n(
            "wxkit_http_requests_total",
            &[("route", "/p/{slug}"), ("status", "200")]
        ),
        1.0
    );
    assert_eq!(
        n(
            "wxkit_http_requests_total",
            &[("route", "other"), ("status", "404")]
        ),
        5.0
    );
    assert!(
        !m.keys().any(|k| k.contains("/no/such")),
        "a raw path is never a label"
    );
    assert!(
        n(
            "wxkit_http_request_duration_seconds_bucket",
            &[("route", "/p/{slug}"), ("le", "+Inf")]
        ) >= 1.0
    );
    assert_eq!(
        n(
            "wxkit_wechat_requests_total",
            &[("endpoint", "/cgi-bin/token"), ("errcode", "0")]
        ),
        1.0
    );
    assert_eq!(
        n(
            "wxkit_wechat_requests_total",
            &[("endpoint", "/cgi-bin/token"), ("errcode", "40164")]
        ),
        1.0
    );
    assert_eq!(
        n(
            "wxkit_credential_refresh_failures_total",
            &[("credential", "access_token"), ("errcode", "40164")]
        ),
        1.0
    );
    assert_eq!(
        n(
            "wxkit_wechat_requests_total",
            &[("endpoint", "/cgi-bin/ticket/getticket"), ("errcode", "0")]
        ),
        1.0
    );
    assert!(
        n(
            "wxkit_wechat_request_duration_seconds_count",
            &[("endpoint", "/cgi-bin/token")]
        ) >= 1.0
    );
    let expiry = n(
        "wxkit_credential_expiry_seconds",
        &[("credential", "jsapi_ticket")],
    );
    assert!(expiry > 7000.0 && expiry <= 7200.0, "{expiry}");
    assert_eq!(
        n(
            "wxkit_credential_refreshes_total",
            &[("credential", "access_token")]
        ),
        1.0
    );
    let signatures = n("wxkit_signatures_total", &[("config", "config")]);
    assert!(
        signatures >= 2.0,
        "the signing route's and the page's: {signatures}"
    );
    assert_eq!(
        n(
            "wxkit_oauth_callbacks_total",
            &[("outcome", "missing_state")]
        ),
        1.0
    );
    assert!(sample(&m, "wxkit_db_pool_connections", &[("state", "idle")]).is_some());
    assert!(sample(&m, "wxkit_db_pool_acquire_seconds", &[]).is_some());
    assert_eq!(sample(&m, "wxkit_media_stored_bytes", &[]), Some(300.0));
    assert_eq!(n("wxkit_uploads_total", &[("outcome", "stored")]), 1.0);
    assert_eq!(n("wxkit_uploads_total", &[("outcome", "refused")]), 1.0);
    assert_eq!(n("wxkit_uploaded_bytes_total", &[]), 300.0);
    assert_eq!(
        n(
            "wxkit_wechat_requests_total",
            &[("endpoint", "/cgi-bin/media/get"), ("errcode", "0")]
        ),
        1.0
    );
    assert_eq!(
        n(
            "wxkit_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );

    // One more signature is one more in the count.
    app.sign_ok().await;
    let m = scrape(port).await;
    assert_eq!(
        sample(&m, "wxkit_signatures_total", &[("config", "config")]),
        Some(signatures + 1.0)
    );

    // The site itself does not serve the metrics.
    assert_eq!(app.fetch("/metrics").await.status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn json_log_lines_carry_the_request_id_and_no_secret() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("wxkit.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let app = App::spawn_logging(
        &sim,
        &db,
        &[
            ("WXKIT_LOG_FORMAT", "json"),
            ("WXKIT_LOG", "info,tower_http=info"),
            // The test is the proxy: its X-Request-Id is kept.
            ("WXKIT_TRUSTED_PROXIES", "127.0.0.1/32"),
        ],
        log,
    );
    let signed = app
        .http
        .post(format!("{}/api/jssdk_config", app.base()))
        .header("x-request-id", "proxy-7f3a-1")
        .form(&[("url", format!("{}/p/demo", app.base()))])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    assert_eq!(signed.headers()["x-request-id"], "proxy-7f3a-1");
    let page = app.fetch("/p/demo").await;
    let id = page.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 16, "a generated id: {id}");
    let junk = app
        .http
        .get(format!("{}/", app.base()))
        .header("x-request-id", "a b <c>")
        .send()
        .await
        .unwrap();
    assert_ne!(junk.headers()["x-request-id"], "a b <c>");
    let token = sim.token().await;
    let tickets = sim.tickets("jsapi").await;

    tokio::time::sleep(Duration::from_millis(300)).await;
    let text = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.len() >= 3, "{text}");
    for l in &lines {
        assert!(l["timestamp"].is_string() && l["level"].is_string(), "{l}");
    }
    let of = |id: &str| -> Vec<&Value> {
        lines
            .iter()
            .filter(|l| l["span"]["request_id"] == id)
            .collect()
    };
    let sign_lines = of("proxy-7f3a-1");
    assert!(
        sign_lines
            .iter()
            .any(|l| l["span"]["path"] == "/api/jssdk_config" && l["status"] == 200),
        "an access line for the signing request: {sign_lines:?}"
    );
    assert!(
        of(&id)
            .iter()
            .any(|l| l["span"]["path"] == "/p/demo" && l["status"] == 200),
        "{text}"
    );
    for secret in [SIM_APP_SECRET, token.as_str()]
        .into_iter()
        .chain(tickets.iter().map(String::as_str))
    {
        assert!(!text.contains(secret), "a secret in the log");
    }
}

fn check(sim: &Sim, db: &Db, extra: &[(&str, &str)]) -> (i32, String) {
    let out = command(sim, db, false, extra)
        .arg("check")
        .output()
        .expect("run wxkit check");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !text.contains(SIM_APP_SECRET),
        "the secret is never printed"
    );
    (out.status.code().unwrap_or(-1), text)
}

fn line_of<'a>(text: &'a str, item: &str) -> &'a str {
    text.lines()
        .find(|l| {
            l.get(5..)
                .is_some_and(|l| l.starts_with(&format!("{item}:")))
        })
        .unwrap_or_else(|| panic!("no line for {item}: {text}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn check_says_what_works_and_what_to_do() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (code, text) = check(&sim, &db, &[("WXKIT_JS_DOMAINS", "h5.example.com")]);
    assert_eq!(code, 0, "{text}");
    for item in ["access_token", "jsapi_ticket", "wx_card_ticket"] {
        assert!(line_of(&text, item).starts_with("ok "), "{text}");
    }
    assert!(line_of(&text, "JS interface safe domains").starts_with("ok "));
    // The origin does not answer (nothing serves h5.example.com here): a warning only.
    assert!(line_of(&text, "site").starts_with("warn"), "{text}");
    assert!(text.contains("everything works"));

    // A wrong secret, on a fresh database (a valid cached token would pass).
    let db = Db::sqlite();
    let (code, text) = check(
        &sim,
        &db,
        &[("WXKIT_APP_SECRET", "0123456789abcdef0123456789abcdef")],
    );
    assert_eq!(code, 1, "{text}");
    let token = line_of(&text, "access_token");
    assert!(token.starts_with("FAIL"), "{text}");
    assert!(
        token.contains("40125") && token.contains("WXKIT_APP_SECRET"),
        "{token}"
    );
    assert!(
        line_of(&text, "jsapi_ticket").contains("without the token"),
        "{text}"
    );
    assert!(
        !text.contains("WARN"),
        "check prints its findings, not the log: {text}"
    );

    // The IP whitelist refuses this server.
    let db = Db::sqlite();
    sim.fault(json!({"endpoint": "token", "errcode": 40164,
        "errmsg": "invalid ip 203.0.113.9 ipv6 ::ffff:203.0.113.9, not in whitelist rid: 1"}))
        .await;
    let (code, text) = check(&sim, &db, &[]);
    assert_eq!(code, 1, "{text}");
    let token = line_of(&text, "access_token");
    assert!(
        token.contains("40164")
            && token.contains("add 203.0.113.9 (this server's outgoing IP) to the IP whitelist"),
        "{token}"
    );
    sim.clear_faults().await;

    // A public origin outside the safe domains.
    let db = Db::sqlite();
    let (code, text) = check(&sim, &db, &[("WXKIT_JS_DOMAINS", "other.example.com")]);
    assert_eq!(code, 1, "{text}");
    assert!(
        line_of(&text, "JS interface safe domains").starts_with("FAIL"),
        "{text}"
    );
}

/// A multipart upload of a verification file as the signed-in admin: the
/// redirect's location.
async fn upload(admin: &Browser, app: &App, name: &str, content: &[u8]) -> (u16, String) {
    let part = reqwest::multipart::Part::bytes(content.to_vec())
        .file_name(name.to_string())
        .mime_str("text/plain")
        .unwrap();
    let r = admin
        .http
        .post(format!("{}/api/admin/save_verify_file", app.base()))
        .header("origin", app.base())
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location)
}

#[tokio::test(flavor = "multi_thread")]
async fn verification_files_are_served_at_the_root() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let data = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(data.path().join("verify")).unwrap();
    std::fs::write(data.path().join("verify/WW_verify_Dir42.txt"), "Dir42\n").unwrap();
    std::fs::write(data.path().join("verify/secret.txt"), "not served").unwrap();
    let data_dir = data.path().to_str().unwrap().to_string();
    let (app, admin) = App::with_admin(&sim, &db, &[("WXKIT_DATA_DIR", &data_dir)]).await;

    let placed = app.fetch("/WW_verify_Dir42.txt").await;
    assert_eq!(placed.status(), 200);
    assert!(placed.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(placed.text().await.unwrap(), "Dir42");
    assert_eq!(app.fetch("/secret.txt").await.status(), 404);

    assert_eq!(
        upload(&admin, &app, "MP_verify_Ab12Cd34.txt", b"Ab12Cd34").await,
        (303, "/admin/account".into())
    );
    let served = app.fetch("/MP_verify_Ab12Cd34.txt").await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.text().await.unwrap(), "Ab12Cd34");
    let account = admin.get(&format!("{}/admin/account", app.base())).await;
    assert!(account.body.contains("MP_verify_Ab12Cd34.txt"));
    assert!(account.body.contains("WW_verify_Dir42.txt"));

    // Only names of that form, only short texts.
    for (name, content, reason) in [
        ("index.html", &b"x"[..], "name"),
        ("MP_verify_../../etc.txt", b"x", "name"),
        ("MP_verify_big.txt", &[b'a'; 300][..], "content"),
        ("MP_verify_bin.txt", b"\x00\x01", "content"),
    ] {
        assert_eq!(
            upload(&admin, &app, name, content).await,
            (303, format!("/admin/account?verify_error={reason}")),
            "{name}"
        );
    }
    assert_eq!(app.fetch("/MP_verify_big.txt").await.status(), 404);
    let refused = admin
        .get(&format!("{}/admin/account?verify_error=name", app.base()))
        .await;
    assert!(refused.body.contains(r#"data-testid="verify-error""#));
    let forged = admin
        .get(&format!(
            "{}/admin/account?verify_error=Call+this+number",
            app.base()
        ))
        .await;
    assert!(
        !forged.body.contains("Call this number"),
        "only fixed reasons are shown"
    );

    // An anonymous upload is refused (401, like every admin call), and one
    // from another site with the admin's cookies (403).
    let anonymous = Browser::new();
    assert_eq!(
        upload(&anonymous, &app, "MP_verify_Evil1.txt", b"Evil1")
            .await
            .0,
        401
    );
    let part = reqwest::multipart::Part::bytes(b"Evil2".to_vec()).file_name("MP_verify_Evil2.txt");
    let cross_site = admin
        .http
        .post(format!("{}/api/admin/save_verify_file", app.base()))
        .header("origin", "https://evil.example")
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    for evil in ["/MP_verify_Evil1.txt", "/MP_verify_Evil2.txt"] {
        assert_eq!(app.fetch(evil).await.status(), 404);
    }

    // At most 20 uploads.
    for i in 0..19 {
        let name = format!("MP_verify_Many{i}.txt");
        assert_eq!(upload(&admin, &app, &name, b"m").await.1, "/admin/account");
    }
    assert_eq!(
        upload(&admin, &app, "MP_verify_Many99.txt", b"m").await.1,
        "/admin/account?verify_error=too_many"
    );

    // Removed: no longer served; logged in the audit log.
    let (status, body) = post(
        &admin,
        &app,
        "/api/admin/delete_verify_file",
        &[("name", "MP_verify_Ab12Cd34.txt")],
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.fetch("/MP_verify_Ab12Cd34.txt").await.status(), 404);
    let audit = admin.get(&format!("{}/admin/audit", app.base())).await;
    assert!(audit.body.contains("verify_file.upload") && audit.body.contains("verify_file.delete"));
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_copies_the_database_while_it_is_in_use() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (app, admin) = App::with_admin(&sim, &db, &[]).await;
    save_page(&admin, &app, "", "backed-up", "Backed up").await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let copy_path = copy.to_str().unwrap().to_string();
    // Pages keep being written while the copy is taken.
    let mut backup = command(&sim, &db, true, &[]);
    backup.args(["backup", &copy_path]);
    let backup = tokio::task::spawn_blocking(move || backup.output().unwrap());
    for i in 0..20 {
        save_page(&admin, &app, "", &format!("w{i}"), "W").await;
    }
    let out = backup.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copied = wxkit::db::connect(&format!("sqlite://{copy_path}"))
        .await
        .unwrap();
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&copied)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    let slugs: Vec<String> = sqlx::query_scalar("SELECT slug FROM pages")
        .fetch_all(&copied)
        .await
        .unwrap();
    assert!(slugs.iter().any(|s| s == "backed-up"), "{slugs:?}");
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM admins")
        .fetch_one(&copied)
        .await
        .unwrap();
    assert_eq!(admins, 1);

    // Never over an existing file, never of a database that is not there
    // (a wrong setting would otherwise copy a new, empty one); PostgreSQL is
    // pg_dump's.
    let missing = command(
        &sim,
        &db,
        true,
        &[(
            "WXKIT_DATABASE_URL",
            &format!("sqlite://{}/none/wxkit.db", dir.path().display()),
        )],
    )
    .args(["backup", dir.path().join("empty.db").to_str().unwrap()])
    .output()
    .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no database at"));
    assert!(!dir.path().join("empty.db").exists() && !dir.path().join("none").exists());
    let again = command(&sim, &db, true, &[])
        .args(["backup", &copy_path])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let pg = command(
        &sim,
        &db,
        true,
        &[(
            "WXKIT_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/test",
        )],
    )
    .args(["backup", dir.path().join("pg.db").to_str().unwrap()])
    .output()
    .unwrap();
    assert_eq!(pg.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&pg.stderr).contains("pg_dump"));
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_in_flight_finish_on_sigterm() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let mut app = App::spawn(&sim, &db, &[]);
    // WeChat takes 1.5 s: every signing request waits for the first token.
    sim.fault(json!({"endpoint": "token", "delay_ms": 1500, "times": 1}))
        .await;
    let base = app.base().to_string();
    let page = format!("{base}/p/demo");
    let mut load = Vec::new();
    for _ in 0..40 {
        let (base, page) = (base.clone(), page.clone());
        load.push(tokio::spawn(async move {
            let r = reqwest::Client::new()
                .post(format!("{base}/api/jssdk_config"))
                .form(&[("url", page.as_str())])
                .send()
                .await?;
            let status = r.status().as_u16();
            let body: Value = r.json().await?;
            Ok::<_, reqwest::Error>((status, body))
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.proc().terminate();
    let tickets_at = std::time::Instant::now();
    for r in load {
        let (status, body) = r.await.unwrap().expect("an in-flight request is answered");
        assert_eq!(status, 200, "{body}");
        assert!(verifies(&sim.tickets("jsapi").await, &body, &page));
    }
    let status = app
        .proc_mut()
        .wait_for_exit(Duration::from_secs(10))
        .expect("wxkit exits after its requests finished");
    assert!(status.success(), "{status:?}");
    assert!(tickets_at.elapsed() < Duration::from_secs(10));
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "no new connection once stopped"
    );
}
