//! Credential resilience, black-box: while a credential is still valid, sign
//! requests are answered at once and exactly one refresh runs in the
//! background across all processes (a database lease); a refresh survives the
//! client that started it, a SIGKILLed lease holder, a long WeChat outage,
//! processes whose clocks disagree, and a database that goes away.
//!
//! Real time is compressed: tickets live seconds instead of two hours, leases
//! last 2 s, and a backoff capped at 1 s stands in for one of minutes. The
//! simulator and wxkit may both count expiry in whole seconds, so every
//! timeline below keeps at least a second of slack at each edge: a value
//! fetched at real time t with lifetime L and margin M turns stale somewhere
//! in (t + L − M − 1, t + L − M] and expires somewhere in (t + L − 1, t + L].

mod common;

use common::*;
use futures::future::join_all;
use serde_json::{json, Value};
use std::future::Future;
use std::time::{Duration, Instant};

/// Signs `url` on `app`: status, body, and how long the answer took.
async fn timed_sign(app: &App, url: &str) -> (u16, Value, Duration) {
    let asked = Instant::now();
    let (status, body) = app.sign(url).await;
    (status, body, asked.elapsed())
}

/// `n` sign requests for `url` at once.
async fn burst(app: &App, url: &str, n: usize) -> Vec<(u16, Value, Duration)> {
    join_all((0..n).map(|_| timed_sign(app, url))).await
}

/// The 99th percentile (nearest rank) of the latencies of `replies`.
fn p99(replies: &[(u16, Value, Duration)]) -> Duration {
    let mut l: Vec<Duration> = replies.iter().map(|r| r.2).collect();
    l.sort();
    l[(l.len() * 99).div_ceil(100) - 1]
}

async fn sleep_until(t: Instant) {
    tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await;
}

/// Polls `check` every 50 ms until it holds; fails after `within`.
async fn wait_until<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The tickets the simulator issued that are not in `old`.
async fn new_tickets(sim: &Sim, old: &[String]) -> Vec<String> {
    let mut t = sim.tickets("jsapi").await;
    t.retain(|t| !old.contains(t));
    t
}

// 1. Inside the margin, with WeChat slow, nobody waits.

async fn in_margin_requests_do_not_wait_for_the_refresh(db: Db) {
    let sim = Sim::start();
    // Tickets live 8 s; the 3 s margin (under half of 8) keeps a ticket fresh
    // for its first 5 s, in the margin for 3 more, then it expires.
    sim.lifetimes(json!({ "ticket_ttl": 8 })).await;
    let app = App::start(&sim, &db, &[("WXKIT_REFRESH_MARGIN_SECS", "3")]).await;
    let url = format!("{}/p?x=1", app.base());
    app.sign_ok_for(&url).await;
    // The ticket was fetched just before t0: stale by t0 + 5, valid until after t0 + 7.
    let t0 = Instant::now();
    let first = sim.tickets("jsapi").await;
    assert_eq!(first.len(), 1);
    // The next ticket call (the margin's refresh) hangs 4 s at WeChat. Set
    // now, before anything can be due, so no refresh can slip past it.
    sim.fault(json!({ "endpoint": "getticket", "delay_ms": 4000, "times": 1 }))
        .await;

    sleep_until(t0 + Duration::from_secs(1)).await;
    let outside = burst(&app, &url, 200).await;
    for (status, body, _) in &outside {
        assert_eq!(*status, 200, "{body}");
        assert!(verifies(&first, body, &url), "{body}");
    }
    let p99_out = p99(&outside);

    // t0 + 5.3: inside the margin, with ≥ 1.7 s of validity left for the burst.
    sleep_until(t0 + Duration::from_millis(5300)).await;
    let inside = burst(&app, &url, 200).await;
    for (status, body, _) in &inside {
        assert_eq!(*status, 200, "{body}");
        assert!(
            verifies(&first, body, &url),
            "signed with the still-valid ticket: {body}"
        );
    }
    let p99_in = p99(&inside);
    println!("p99 outside the margin {p99_out:?}, inside the margin {p99_in:?}");
    // Requests that waited for the refresh would take the whole 4 s delay.
    assert!(
        p99_in < p99_out + Duration::from_secs(1),
        "inside the margin requests waited for the refresh: p99 {p99_in:?} (outside: {p99_out:?})"
    );

    // The refresh asked WeChat at about t0 + 5.3 and is answered about 4 s later.
    wait_until(Duration::from_secs(8), "the refreshed ticket", || async {
        !new_tickets(&sim, &first).await.is_empty()
    })
    .await;
    let second = new_tickets(&sim, &first).await;
    // The app stores the value a moment after WeChat answers.
    wait_until(
        Duration::from_secs(3),
        "signing with the refreshed ticket",
        || async {
            let (status, body) = app.sign(&url).await;
            status == 200 && verifies(&second, &body, &url)
        },
    )
    .await;
    assert_eq!(
        sim.calls("getticket:jsapi").await,
        2,
        "400 requests in and out of the margin: exactly one refresh"
    );
    assert_eq!(sim.calls("token").await, 1, "the token was still fresh");
}

#[tokio::test(flavor = "multi_thread")]
async fn in_margin_requests_do_not_wait_for_the_refresh_on_sqlite() {
    in_margin_requests_do_not_wait_for_the_refresh(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn in_margin_requests_do_not_wait_for_the_refresh_on_postgres() {
    in_margin_requests_do_not_wait_for_the_refresh(Db::postgres().await).await;
}

// 2. Clients hanging up do not cancel the fetch they started.

#[tokio::test(flavor = "multi_thread")]
async fn a_fetch_outlives_the_clients_that_hung_up() {
    let sim = Sim::start();
    // The cold start's token call hangs 2 s.
    sim.fault(json!({ "endpoint": "token", "delay_ms": 2000, "times": 1 }))
        .await;
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let url = format!("{}/p", app.base());
    let endpoint = format!("{}/api/jssdk_config", app.base());
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    // 50 requests started 20 ms apart (t = 0 … 0.98 s), each hanging up after
    // 300 ms (by t ≈ 1.28 s): all before the token arrives at t ≈ 2 s.
    let start = Instant::now();
    let results = join_all((0..50u32).map(|i| {
        let (impatient, endpoint, url) = (&impatient, &endpoint, &url);
        async move {
            sleep_until(start + Duration::from_millis(20) * i).await;
            impatient.post(endpoint).form(&[("url", url)]).send().await
        }
    }))
    .await;
    for r in results {
        match r {
            Err(e) if e.is_timeout() => {}
            other => panic!("every client should have hung up while the token hung: {other:?}"),
        }
    }
    // A fetch cancelled with its client would be started again (and, the
    // fault spent, succeed at once) by the next request.
    assert_eq!(
        sim.calls("token").await,
        1,
        "hang-ups must not restart the fetch"
    );

    // The token arrives at t ≈ 2 s and the ticket right after; by t = 3 s both are stored.
    sleep_until(start + Duration::from_secs(3)).await;
    let (status, body, took) = timed_sign(&app, &url).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        took < Duration::from_secs(1),
        "the fetch done for the hung-up clients should be used, but this sign took {took:?}"
    );
    assert!(verifies(&sim.tickets("jsapi").await, &body, &url), "{body}");
    assert_eq!(
        sim.calls("token").await,
        1,
        "the hung-up clients' token was stored and used"
    );
    assert_eq!(sim.calls("getticket:jsapi").await, 1);
}

// 3. A lease holder SIGKILLed mid-refresh: the others serve and take over.

async fn a_killed_lease_holder_is_taken_over(db: Db) {
    let sim = Sim::spawn();
    // Tickets live 16 s; the 7 s margin (under half of 16) keeps one fresh for
    // 9 s. Fetched just before t0: in the margin from t0 + 9 at the latest,
    // valid until after t0 + 15.
    sim.lifetimes(json!({ "ticket_ttl": 16 })).await;
    migrate(&db);
    let env = [
        ("WXKIT_REFRESH_MARGIN_SECS", "7"),
        ("WXKIT_CREDENTIAL_LEASE_SECS", "2"),
    ];
    let a = App::spawn(&sim, &db, &env);
    let b = App::spawn(&sim, &db, &env);
    let c = App::spawn(&sim, &db, &env);
    let (url_a, url_b, url_c) = (
        format!("{}/p", a.base()),
        format!("{}/p", b.base()),
        format!("{}/p", c.base()),
    );
    a.sign_ok_for(&url_a).await;
    let t0 = Instant::now();
    b.sign_ok_for(&url_b).await;
    c.sign_ok_for(&url_c).await;
    assert_eq!(sim.calls("token").await, 1);
    assert_eq!(
        sim.calls("getticket:jsapi").await,
        1,
        "three processes warmed by one fetch"
    );
    let first = sim.tickets("jsapi").await;
    // The next ticket call hangs 20 s: longer than this test.
    sim.fault(json!({ "endpoint": "getticket", "delay_ms": 20000, "times": 1 }))
        .await;

    sleep_until(t0 + Duration::from_millis(9300)).await;
    let signed_on_a = Instant::now();
    let (status, body) = a.sign(&url_a).await;
    assert_eq!(status, 200, "in the margin, answered from memory: {body}");
    assert!(verifies(&first, &body, &url_a), "{body}");
    // A refreshes in the background, holding the lease: its call reaches WeChat.
    wait_until(
        Duration::from_secs(3),
        "A's refresh reaching WeChat",
        || async { sim.calls("getticket:jsapi").await == 2 },
    )
    .await;
    a.stop();
    let killed = Instant::now();

    // A took the lease after `signed_on_a` and renewed it every 2/3 s until
    // killed: it lapses 2 s after the last renewal, so no later than killed +
    // 2 s, and (allowing 1 s for whole-second clocks) not before signed_on_a +
    // 1 s. B and C are asked every 100 ms until killed + 5 s (≈ t0 + 14.5, the
    // first ticket still valid): each answer must come at once, and one of
    // them must take the refresh over once the lease has lapsed.
    let mut took_over = None;
    let mut rounds = 0;
    while killed.elapsed() < Duration::from_secs(5) {
        let ((sb, bb, lb), (sc, bc, lc)) =
            tokio::join!(timed_sign(&b, &url_b), timed_sign(&c, &url_c));
        let tickets = sim.tickets("jsapi").await;
        for (status, body, took, url) in [(sb, bb, lb, &url_b), (sc, bc, lc, &url_c)] {
            assert_eq!(status, 200, "{url}: {body}");
            assert!(verifies(&tickets, &body, url), "{url}: {body}");
            assert!(
                took < Duration::from_secs(1),
                "{url} took {took:?} after the lease holder died"
            );
        }
        if took_over.is_none() && sim.calls("getticket:jsapi").await >= 3 {
            took_over = Some(Instant::now());
        }
        rounds += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took_over =
        took_over.expect("neither B nor C took the refresh over after the lease lapsed");
    println!(
        "{rounds} rounds; takeover seen {:?} after A was killed",
        took_over - killed
    );
    assert!(
        took_over >= signed_on_a + Duration::from_secs(1),
        "a refresh was started while A's lease was still live"
    );
    assert_eq!(
        sim.calls("getticket:jsapi").await,
        3,
        "exactly one process took over"
    );
    assert_eq!(sim.calls("token").await, 1);

    // The newest ticket (the third call's; the second never answered).
    let newest = new_tickets(&sim, &first).await;
    assert_eq!(newest.len(), 1, "{newest:?}");
    wait_until(
        Duration::from_secs(3),
        "B and C signing with the newest ticket",
        || async {
            let (rb, rc) = tokio::join!(b.sign(&url_b), c.sign(&url_c));
            rb.0 == 200
                && rc.0 == 200
                && verifies(&newest, &rb.1, &url_b)
                && verifies(&newest, &rc.1, &url_c)
        },
    )
    .await;
    assert_eq!(sim.calls("getticket:jsapi").await, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_lease_holder_is_taken_over_on_sqlite() {
    a_killed_lease_holder_is_taken_over(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_lease_holder_is_taken_over_on_postgres() {
    a_killed_lease_holder_is_taken_over(Db::postgres().await).await;
}

// 4. A long WeChat outage while the ticket stays valid.

#[tokio::test(flavor = "multi_thread")]
async fn a_long_wechat_outage_is_served_from_the_valid_ticket() {
    let sim = Sim::start();
    // WeChat's clock runs 10 minutes ahead of ours: wxkit must go by
    // `expires_in`, never by WeChat's clock. Moved before anything is issued,
    // so the simulator's tickets expire by the clock they were issued by.
    sim.advance_clock(600).await;
    // Tickets live 22 s; the 11 s margin (half of 22) keeps one fresh for
    // 11 s. Fetched just before t0: in the margin from t0 + 11 at the latest,
    // valid until after t0 + 21.
    sim.lifetimes(json!({ "ticket_ttl": 22 })).await;
    let db = Db::sqlite();
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_REFRESH_MARGIN_SECS", "11"),
            ("WXKIT_BACKOFF_BASE_MS", "50"),
            ("WXKIT_BACKOFF_MAX_SECS", "1"),
        ],
    )
    .await;
    let url = format!("{}/p", app.base());
    app.sign_ok_for(&url).await;
    let t0 = Instant::now();
    let first = sim.tickets("jsapi").await;
    assert_eq!(first.len(), 1);
    // WeChat is busy (-1) on every ticket call until told otherwise.
    sim.fault(
        json!({ "endpoint": "getticket", "errcode": -1, "errmsg": "system error", "times": 0 }),
    )
    .await;

    // From t0 + 11.3 to t0 + 19.3: the whole outage inside the margin.
    sleep_until(t0 + Duration::from_millis(11_300)).await;
    let outage = Instant::now();
    let mut answered = 0;
    while outage.elapsed() < Duration::from_secs(8) {
        let (status, body, took) = timed_sign(&app, &url).await;
        assert_eq!(status, 200, "after {answered} answers: {body}");
        assert!(
            verifies(&first, &body, &url),
            "signed with the still-valid ticket: {body}"
        );
        assert!(took < Duration::from_secs(1), "a sign took {took:?}");
        answered += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Backoff 50 ms × 2^(n−1), capped at 1 s: after failures 1…5 it waits
    // 50, 100, 200, 400, 800 ms (attempts at 0, 0.05, 0.15, 0.35, 0.75, 1.55 s),
    // then 1 s each (2.55 … 7.55 s): at most 12 attempts in 8 s, however
    // many requests come. It must keep trying, too: at least 3.
    let attempts = sim.calls("getticket:jsapi").await - 1;
    println!("{answered} signs answered during the outage; {attempts} ticket calls");
    assert!(
        (3..=12).contains(&attempts),
        "ticket calls during an 8 s outage: {attempts}, expected 3..=12"
    );
    assert_eq!(
        sim.calls("token").await,
        1,
        "a busy ticket call does not cost the token"
    );

    // WeChat recovers: the next attempt comes within the 1 s cap (before t0 + 21).
    sim.clear_faults().await;
    wait_until(
        Duration::from_secs(3),
        "signing with a new ticket after the outage",
        || async {
            let (status, body) = app.sign(&url).await;
            status == 200 && verifies(&new_tickets(&sim, &first).await, &body, &url)
        },
    )
    .await;
}

// 5. Processes whose clocks differ by minutes still agree on the lease.

async fn processes_with_skewed_clocks_fetch_once(db: Db) {
    let sim = Sim::spawn();
    // The cold start's token call hangs 800 ms: every process finds the lease
    // taken. One judging the lease by its own clock would see a lease of the
    // process 5 minutes behind as long expired and fetch again.
    sim.fault(json!({ "endpoint": "token", "delay_ms": 800, "times": 1 }))
        .await;
    migrate(&db);
    let apps = ["0", "300", "-300"]
        .map(|offset| App::spawn(&sim, &db, &[("WXKIT_TEST_CLOCK_OFFSET_SECS", offset)]));
    assert_one_fetch_across(&sim, &apps, "clocks 5 minutes apart").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn processes_with_skewed_clocks_fetch_once_on_sqlite() {
    processes_with_skewed_clocks_fetch_once(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn processes_with_skewed_clocks_fetch_once_on_postgres() {
    processes_with_skewed_clocks_fetch_once(Db::postgres().await).await;
}

// 6. The database goes away and comes back.

/// Polls `/healthz` until it answers `want`; fails after `within`, or when a
/// single call takes that long (a pool waiting out its acquire timeout).
async fn wait_for_health(app: &App, want: u16, within: Duration) {
    let start = Instant::now();
    loop {
        let asked = Instant::now();
        let (status, body) = tokio::time::timeout(Duration::from_secs(30), app.healthz())
            .await
            .expect("/healthz did not answer within 30 s");
        let took = asked.elapsed();
        assert!(
            took < within,
            "/healthz took {took:?} to answer {status} (the pool's acquire timeout is 15 s)"
        );
        if status == want {
            let expected = if want == 200 {
                "ok"
            } else {
                "database unreachable"
            };
            assert_eq!(body, json!({ "status": expected }));
            return;
        }
        assert!(
            start.elapsed() < within,
            "/healthz still {status} after {within:?}, expected {want}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_going_away_is_survived() {
    let db = Db::postgres().await;
    let proxy = DbProxy::postgres().await;
    let sim = Sim::start();
    // Tickets live 24 s; the 12 s margin (half of 24) keeps one fresh for
    // 12 s. Fetched just before t0: fresh until after t0 + 11, in the margin
    // from t0 + 12 at the latest, valid until after t0 + 23.
    sim.lifetimes(json!({ "ticket_ttl": 24 })).await;
    let through_proxy = proxy.url(&db);
    // The later entry wins: the app reaches the database through the proxy.
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_DATABASE_URL", through_proxy.as_str()),
            ("WXKIT_REFRESH_MARGIN_SECS", "12"),
        ],
    )
    .await;
    let url = format!("{}/p", app.base());
    app.sign_ok_for(&url).await;
    let t0 = Instant::now();
    let first = sim.tickets("jsapi").await;
    assert_eq!(app.healthz().await.0, 200);

    proxy.down();
    let sign_from_memory = || async {
        for _ in 0..5 {
            let (status, body, took) = timed_sign(&app, &url).await;
            assert_eq!(
                status, 200,
                "the database is down, the ticket fresh: {body}"
            );
            assert!(verifies(&first, &body, &url), "{body}");
            assert!(
                took < Duration::from_secs(1),
                "a sign took {took:?} with the database down"
            );
        }
    };
    sign_from_memory().await;
    wait_for_health(&app, 503, Duration::from_secs(5)).await;
    sign_from_memory().await;
    // The pages render from memory as well: signed, with their content.
    let asked = Instant::now();
    let page = app.html("/p/demo").await;
    assert!(page.contains("wxkit 演示页"), "{page}");
    assert!(embedded_config(&page)["signature"].is_string(), "{page}");
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "took {:?}",
        asked.elapsed()
    );

    proxy.up();
    wait_for_health(&app, 200, Duration::from_secs(5)).await;
    // Everything so far must happen while the ticket is fresh, so that the
    // refresh below starts only after the database is back.
    assert!(
        t0.elapsed() < Duration::from_secs(11),
        "the outage took {:?}: the ticket may have entered the margin during it",
        t0.elapsed()
    );

    // t0 + 12.3, in the margin: answered from memory, and a refresh starts
    // whose result must be written to the database.
    sleep_until(t0 + Duration::from_millis(12_300)).await;
    app.sign_ok_for(&url).await;
    wait_until(
        Duration::from_secs(3),
        "the refreshed ticket used after the database came back",
        || async {
            let newest = new_tickets(&sim, &first).await;
            let (status, body) = app.sign(&url).await;
            status == 200 && verifies(&newest, &body, &url)
        },
    )
    .await;
    assert_eq!(sim.calls("getticket:jsapi").await, 2);
    let newest = new_tickets(&sim, &first).await;

    // The write landed: a server straight on the database signs with it
    // without asking WeChat.
    let second = App::start(&sim, &db, &[("WXKIT_REFRESH_MARGIN_SECS", "12")]).await;
    let url2 = format!("{}/p", second.base());
    let body = second.sign_ok_for(&url2).await;
    assert!(verifies(&newest, &body, &url2), "{body}");
    assert_eq!(
        sim.calls("getticket:jsapi").await,
        2,
        "the refresh after recovery was stored"
    );
    assert_eq!(sim.calls("token").await, 1);
}
