//! Dashboard sign-in against an attacker, black-box: limits shared by every
//! process, a stranger who cannot lock a known admin out, length checks before
//! anything else, and admin sessions that end with a new password, with "sign
//! out everywhere" and after their absolute lifetime.

mod common;

use common::admin::*;
use common::*;

async fn pool(db: &Db) -> sqlx::AnyPool {
    wxkit::db::connect(&db.url()).await.unwrap()
}

/// A sign-in attempt from client `ip` (behind the trusted proxy on loopback),
/// from a browser that reads English.
async fn attempt(app: &App, ip: &str, username: &str, password: &str) -> (u16, String) {
    post(
        &Browser::new(),
        app,
        "/api/admin/sign_in",
        &[("username", username), ("password", password)],
        &[("x-forwarded-for", ip), ("accept-language", "en")],
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_hold_across_processes_and_a_stranger_cannot_lock_an_admin_out() {
    let sim = Sim::spawn();
    let db = Db::postgres().await;
    let env = [
        ("WXKIT_TRUSTED_PROXIES", "127.0.0.1"),
        ("WXKIT_SIGN_IN_PER_IP", "100"),
        ("WXKIT_SIGN_IN_PER_USER", "3"),
        ("WXKIT_SIGN_IN_PER_USER_TOTAL", "8"),
    ];
    let replicas = [App::spawn(&sim, &db, &env), App::spawn(&sim, &db, &env)];
    create_admin(&db, "root");

    // A stranger guesses root's password, alternating between the replicas:
    // three guesses in all, not three per replica.
    let stranger = "198.51.100.66";
    for i in 0..3 {
        let (status, body) = attempt(&replicas[i % 2], stranger, "root", "guess guess guess").await;
        assert_eq!(status, 401, "{body}");
    }
    let (status, body) = attempt(&replicas[1], stranger, "root", PASSWORD).await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("from your network"), "{body}");

    // Root, from their own network, is not locked out, and the audit log
    // names their address, not the proxy's.
    let (status, body) = attempt(&replicas[0], "203.0.113.10", "root", PASSWORD).await;
    assert!(signed(status), "{status} {body}");
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'sign_in' ORDER BY at_ms DESC LIMIT 1",
    )
    .fetch_one(&pool(&db).await)
    .await
    .unwrap();
    assert_eq!(detail, "203.0.113.10");

    // Guesses spread over many networks meet the loose per-username limit,
    // with a message that says so.
    let mut allowed = 0;
    loop {
        let ip = format!("192.0.2.{}", allowed + 1);
        let (status, body) = attempt(&replicas[allowed % 2], &ip, "root", "guess guess").await;
        if status == 429 {
            assert!(body.contains("from everywhere"), "{body}");
            break;
        }
        assert_eq!(status, 401, "{body}");
        allowed += 1;
        assert!(allowed < 20, "the per-username limit never applied");
    }
    assert_eq!(allowed, 4, "8 a minute for root: 3 + root's own + 4");
}

#[tokio::test(flavor = "multi_thread")]
async fn usernames_and_passwords_are_length_checked_before_anything_else() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::spawn(&sim, &db, &[]);
    create_admin(&db, "root");
    let rss_before = app.proc().rss_kib();
    let b = Browser::new();
    for i in 0..300 {
        let huge = format!("{i}{}", "u".repeat(60_000));
        let (status, body) = post(
            &b,
            &app,
            "/api/admin/sign_in",
            &[("username", huge.as_str()), ("password", "x")],
            &[],
        )
        .await;
        assert_eq!(status, 400, "{body}");
    }
    let long_password = "p".repeat(2000);
    let (status, body) = post(
        &b,
        &app,
        "/api/admin/sign_in",
        &[("username", "root"), ("password", long_password.as_str())],
        &[],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    // Nothing was remembered for them, and memory stayed flat.
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_limits")
        .fetch_one(&pool(&db).await)
        .await
        .unwrap();
    assert_eq!(keys, 0);
    let grown = app.proc().rss_kib().saturating_sub(rss_before);
    assert!(grown < 40 * 1024, "RSS grew by {grown} KiB");
    // The admin still signs in.
    signed_in(&app, "root").await;
}

async fn whoami(b: &Browser, app: &App) -> u16 {
    post(b, app, "/api/admin/whoami", &[], &[]).await.0
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_sessions_end_with_a_new_password_everywhere_or_after_their_lifetime() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::spawn(&sim, &db, &[]);
    create_admin(&db, "root");
    create_admin(&db, "ops");

    // `wxkit admin passwd` ends root's sessions, and only root's.
    let (laptop, phone, ops) = (
        signed_in(&app, "root").await,
        signed_in(&app, "root").await,
        signed_in(&app, "ops").await,
    );
    assert_eq!(whoami(&laptop, &app).await, 200);
    let (ok, out) = admin_cli(
        &db,
        &["passwd", "--username", "root"],
        &format!("{PASSWORD}\n"),
    );
    assert!(ok, "{out}");
    assert_eq!(whoami(&laptop, &app).await, 401);
    assert_eq!(whoami(&phone, &app).await, 401);
    assert_eq!(whoami(&ops, &app).await, 200);

    // "Sign out everywhere" from one browser ends the others too.
    let (laptop, phone) = (signed_in(&app, "root").await, signed_in(&app, "root").await);
    let (status, body) = post(&laptop, &app, "/api/admin/sign_out_everywhere", &[], &[]).await;
    assert!(status < 400, "{status} {body}");
    assert_eq!(whoami(&phone, &app).await, 401);
    assert_eq!(whoami(&laptop, &app).await, 401);
    assert_eq!(whoami(&ops, &app).await, 200);
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'sign_out_everywhere' AND admin = 'root'",
    )
    .fetch_one(&pool(&db).await)
    .await
    .unwrap();
    assert_eq!(audited, 1);

    // A session signed in 13 hours ago has ended (12 h by default), however
    // busy it has been since.
    let desk = signed_in(&app, "root").await;
    let pool = pool(&db).await;
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, data FROM sessions")
        .fetch_all(&pool)
        .await
        .unwrap();
    let mut aged = 0;
    for (id, data) in rows {
        let mut v: serde_json::Value = serde_json::from_str(&data).unwrap();
        if v["admin"]["username"] == "root" {
            let since = v["admin"]["since"].as_i64().unwrap();
            v["admin"]["since"] = (since - 13 * 3600).into();
            sqlx::query("UPDATE sessions SET data = $1 WHERE id = $2")
                .bind(v.to_string())
                .bind(&id)
                .execute(&pool)
                .await
                .unwrap();
            aged += 1;
        }
    }
    assert!(aged >= 1, "root's session is in the table");
    assert_eq!(whoami(&desk, &app).await, 401);
    assert_eq!(whoami(&ops, &app).await, 200);
}
