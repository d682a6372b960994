//! Credentials, black-box: wxkit against the simulator (in-process, or real
//! processes where a test restarts wxkit or runs several on one database).

mod common;

use common::*;
use futures::future::join_all;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn cold_burst_fetches_one_token_and_one_ticket() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let url = format!("{}/p?x=1", app.base());
    let replies = join_all((0..200).map(|_| app.sign(&url))).await;
    let tickets = sim.tickets("jsapi").await;
    for (status, body) in &replies {
        assert_eq!(*status, 200, "{body}");
        assert!(
            verifies(&tickets, body, &url),
            "signature does not verify: {body}"
        );
        assert_eq!(body["appId"], SIM_APP_ID);
    }
    assert_eq!(sim.calls("token").await, 1);
    assert_eq!(sim.calls("getticket:jsapi").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_reuses_the_stored_credentials() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let first = App::spawn(&sim, &db, &[]);
    first.sign_ok().await;
    first.stop();
    let second = App::spawn(&sim, &db, &[]);
    second.sign_ok().await;
    assert_eq!(
        sim.calls("token").await,
        1,
        "a restart must not fetch the token again"
    );
    assert_eq!(
        sim.calls("getticket:jsapi").await,
        1,
        "a restart must not fetch the ticket again"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refreshes_within_the_margin_before_expiry() {
    let sim = Sim::start();
    // Tickets live 6 s; with a 2 s margin wxkit refreshes once 4 s have passed.
    sim.lifetimes(json!({ "ticket_ttl": 6 })).await;
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[("WXKIT_REFRESH_MARGIN_SECS", "2")]).await;
    let first = app.sign_ok().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    app.sign_ok().await;
    assert_eq!(
        sim.calls("getticket:jsapi").await,
        1,
        "still fresh: no refresh yet"
    );
    tokio::time::sleep(Duration::from_millis(3600)).await;
    // About 1.4 s of the first ticket is left: inside the margin, before
    // expiry. The request is answered at once with the still-valid ticket and
    // the refresh runs in the background.
    let url = format!("{}/", app.base());
    let served = app.sign_ok().await;
    assert!(verifies(&sim.tickets("jsapi").await[..1], &served, &url));
    assert_eq!(
        calls_reaching(&sim, "getticket:jsapi", 2).await,
        2,
        "refreshed inside the margin"
    );
    let refreshed = app.sign_ok().await;
    assert_eq!(sim.calls("token").await, 1, "the token was still fresh");
    let tickets = sim.tickets("jsapi").await;
    assert_eq!(
        tickets.len(),
        2,
        "the first ticket had not expired when it was replaced"
    );
    assert!(
        verifies(&tickets[1..], &refreshed, &url),
        "signed with the new ticket"
    );
    assert!(verifies(&tickets[..1], &first, &url));
}

/// The count of calls to `endpoint` once it reaches `n` (or after 5 s): a
/// refresh in the background lands a moment after the request that started it.
async fn calls_reaching(sim: &Sim, endpoint: &str, n: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let calls = sim.calls(endpoint).await;
        if calls >= n || Instant::now() > deadline {
            // A moment more, so that a call beyond `n` would be seen.
            tokio::time::sleep(Duration::from_millis(300)).await;
            return sim.calls(endpoint).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_token_is_replaced_once_and_the_call_retried() {
    let sim = Sim::start();
    sim.lifetimes(json!({ "ticket_ttl": 4 })).await;
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[("WXKIT_REFRESH_MARGIN_SECS", "2")]).await;
    app.sign_ok().await;
    // The token dies (as when another party fetched a new one and the grace ran out).
    sim.control("revoke", json!({})).await;
    tokio::time::sleep(Duration::from_millis(2300)).await;
    // The ticket is in its margin: served at once, refreshed in the background,
    // where the ticket call meets 40001, replaces the token and retries.
    app.sign_ok().await;
    assert_eq!(
        calls_reaching(&sim, "token", 2).await,
        2,
        "one new token after 40001"
    );
    calls_reaching(&sim, "getticket:jsapi", 3).await;
    let body = app.sign_ok().await;
    assert_eq!(
        sim.calls("getticket:jsapi").await,
        3,
        "first ticket, the refused call, the retry"
    );
    assert!(verifies(
        &sim.tickets("jsapi").await,
        &body,
        &format!("{}/", app.base())
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn quota_errors_back_off_and_name_the_errcode() {
    let sim = Sim::start();
    sim.fault(json!({ "endpoint": "token", "errcode": 45009, "errmsg": "reach max api daily quota limit" })).await;
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[("WXKIT_BACKOFF_BASE_MS", "500")]).await;
    let url = format!("{}/", app.base());
    let replies = join_all((0..30).map(|_| app.sign(&url))).await;
    // The requests that waited for the one fetch get its error (502); any
    // that came after it, the backoff (503).
    assert!(replies.iter().any(|(s, _)| *s == 502));
    let (status, later) = app.sign(&url).await;
    assert_eq!(status, 503, "backed off: {later}");
    assert!(later.to_string().contains("45009"), "{later}");
    for (status, body) in replies {
        assert!(status == 502 || status == 503, "{status} {body}");
        assert!(
            body.to_string().contains("45009"),
            "every error names the errcode: {body}"
        );
    }
    assert_eq!(
        sim.calls("token").await,
        1,
        "a burst during a quota error asks WeChat once"
    );
    // Keep asking for 2.5 s: backoff 0.5 s, 1 s, 2 s allows at most 3 more attempts.
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(2500) {
        let (status, body) = app.sign(&url).await;
        assert!(status == 502 || status == 503, "{status} {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let calls = sim.calls("token").await;
    assert!(
        (2..=4).contains(&calls),
        "backoff must retry, but not in a tight loop: {calls} calls"
    );
    // WeChat recovers: after the backoff wxkit serves again.
    sim.clear_faults().await;
    let deadline = Instant::now() + Duration::from_secs(6);
    loop {
        let (status, body) = app.sign(&url).await;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "never recovered: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn busy_errors_back_off_too() {
    let sim = Sim::start();
    sim.fault(
        json!({ "endpoint": "getticket", "errcode": -1, "errmsg": "system error", "times": 1 }),
    )
    .await;
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[("WXKIT_BACKOFF_BASE_MS", "400")]).await;
    let (status, body) = app.sign(&format!("{}/", app.base())).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["errcode"], -1);
    assert!(body["meaning"].as_str().unwrap().contains("busy"), "{body}");
    let (status, body) = app.sign(&format!("{}/", app.base())).await;
    assert_eq!(status, 503, "still backing off: {body}");
    assert!(body["message"].as_str().unwrap().contains("-1"), "{body}");
    assert_eq!(sim.calls("getticket:jsapi").await, 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.sign_ok().await;
    assert_eq!(sim.calls("getticket:jsapi").await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_still_valid_ticket_is_served_while_refresh_fails() {
    let sim = Sim::start();
    sim.lifetimes(json!({ "ticket_ttl": 6 })).await;
    let db = Db::sqlite();
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_REFRESH_MARGIN_SECS", "3"),
            ("WXKIT_BACKOFF_BASE_MS", "5000"),
        ],
    )
    .await;
    app.sign_ok().await;
    sim.fault(json!({ "endpoint": "getticket", "errcode": 45009 }))
        .await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let url = format!("{}/", app.base());
    let body = app.sign_ok().await;
    assert!(
        verifies(&sim.tickets("jsapi").await, &body, &url),
        "served with the still-valid ticket"
    );
    // The failed refresh ran in the background; the next requests are
    // answered from memory during the backoff, without asking WeChat.
    assert_eq!(calls_reaching(&sim, "getticket:jsapi", 2).await, 2);
    for _ in 0..20 {
        let body = app.sign_ok().await;
        assert!(verifies(&sim.tickets("jsapi").await, &body, &url));
    }
    assert_eq!(
        sim.calls("getticket:jsapi").await,
        2,
        "one failed refresh, then backoff"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn upstream_timeouts_and_garbage_are_clear_errors() {
    let sim = Sim::start();
    sim.fault(json!({ "endpoint": "token", "delay_ms": 3000, "times": 1 }))
        .await;
    let db = Db::sqlite();
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_UPSTREAM_TIMEOUT_MS", "300"),
            ("WXKIT_BACKOFF_BASE_MS", "10"),
        ],
    )
    .await;
    let started = Instant::now();
    let (status, body) = app.sign(&format!("{}/", app.base())).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("did not answer within"),
        "{body}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "the timeout was not applied"
    );

    sim.fault(json!({ "endpoint": "token", "malformed": true, "times": 1 }))
        .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (status, body) = app.sign(&format!("{}/", app.base())).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("not the expected JSON"),
        "{body}"
    );

    sim.fault(json!({ "endpoint": "token", "status": 502, "times": 1 }))
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, body) = app.sign(&format!("{}/", app.base())).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("HTTP 502"),
        "{body}"
    );

    tokio::time::sleep(Duration::from_millis(200)).await;
    app.sign_ok().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_is_reported_with_its_errcode() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_APP_ID", SIM_APP_ID),
            ("WXKIT_APP_SECRET", "wrong-secret"),
        ],
    )
    .await;
    let (status, body) = app.sign(&format!("{}/", app.base())).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["errcode"], 40125);
    assert!(!body.to_string().contains("wrong-secret"));
}

#[tokio::test(flavor = "multi_thread")]
async fn stable_token_mode_uses_stable_token() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[("WXKIT_TOKEN_MODE", "stable")]).await;
    app.sign_ok().await;
    assert_eq!(sim.calls("stable_token").await, 1);
    assert_eq!(sim.calls("token").await, 0);
}

async fn three_processes_fetch_once(db: Db) {
    let sim = Sim::spawn();
    migrate(&db);
    let apps = [
        App::spawn(&sim, &db, &[]),
        App::spawn(&sim, &db, &[]),
        App::spawn(&sim, &db, &[]),
    ];
    assert_one_fetch_across(&sim, &apps, "three processes").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn three_processes_on_sqlite_fetch_once() {
    three_processes_fetch_once(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn three_processes_on_postgres_fetch_once() {
    three_processes_fetch_once(Db::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_restart_reuses_the_stored_credentials() {
    let sim = Sim::start();
    let db = Db::postgres().await;
    let first = App::spawn(&sim, &db, &[]);
    first.sign_ok().await;
    first.stop();
    App::spawn(&sim, &db, &[]).sign_ok().await;
    assert_eq!(sim.calls("token").await, 1);
    assert_eq!(sim.calls("getticket:jsapi").await, 1);
}
