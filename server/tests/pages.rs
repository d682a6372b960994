//! Pages, share events, config failure reports and the simulated client's
//! checks, black-box.

mod common;

use common::admin::{delete_page, save_page};
use common::*;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_page_is_seeded_with_absolute_share_links() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let (status, page) = app.post_form("/api/page", &[("slug", "demo")]).await;
    assert_eq!(status, 200);
    assert_eq!(page["friend"]["link"], format!("{}/p/demo", app.base()));
    assert_eq!(
        page["friend"]["imgUrl"],
        format!("{}/share.png", app.base())
    );
    assert!(page["js_api_list"]
        .as_array()
        .unwrap()
        .contains(&json!("updateAppMessageShareData")));
    let (status, missing) = app.post_form("/api/page", &[("slug", "nope")]).await;
    assert_eq!((status, missing), (200, Value::Null));
    let r = app
        .http
        .get(format!("{}/share.png", app.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    let html = app.html("/p/demo").await;
    assert!(
        html.contains("/_sim/client/jweixin.js"),
        "simulate mode loads the simulated client"
    );
}

async fn share_rows(db: &Db) -> Vec<(String, String, String, i64)> {
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    sqlx::query_as(
        "SELECT slug, channel, outcome, count FROM share_events ORDER BY channel, outcome",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
}

async fn share_events_are_counted(db: Db) {
    let sim = Sim::start();
    let app = App::start(&sim, &db, &[]).await;
    for (channel, outcome) in [
        ("app_message", "success"),
        ("app_message", "success"),
        ("timeline", "cancel"),
    ] {
        let (status, body) = app
            .post_form(
                "/api/share_event",
                &[("slug", "demo"), ("channel", channel), ("outcome", outcome)],
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    for (slug, channel, outcome, why) in [
        ("demo", "fax", "success", "unknown share channel"),
        ("demo", "timeline", "maybe", "outcome must be"),
        ("nope", "timeline", "success", "no page"),
    ] {
        let (status, body) = app
            .post_form(
                "/api/share_event",
                &[("slug", slug), ("channel", channel), ("outcome", outcome)],
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(body["message"].as_str().unwrap().contains(why), "{body}");
    }
    assert_eq!(
        share_rows(&db).await,
        vec![
            ("demo".into(), "app_message".into(), "success".into(), 2),
            ("demo".into(), "timeline".into(), "cancel".into(), 1)
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn share_events_are_counted_on_sqlite() {
    share_events_are_counted(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn share_events_are_counted_on_postgres() {
    share_events_are_counted(Db::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn config_failures_are_stored_and_checked() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let report = [
        (
            "page_url",
            "http://127.0.0.1/p/demo?from=singlemessage&isappinstalled=0",
        ),
        ("signed_url", "http://127.0.0.1/p/demo?from=singlemessage"),
        ("user_agent", "MicroMessenger/8.0"),
        ("err_msg", "config:invalid signature"),
    ];
    let (status, body) = app.post_form("/api/config_failure", &report).await;
    assert_eq!(status, 200, "{body}");
    let mut empty = report;
    empty[3] = ("err_msg", " ");
    assert_eq!(app.post_form("/api/config_failure", &empty).await.0, 400);
    let long = "x".repeat(5000);
    let mut too_long = report;
    too_long[0] = ("page_url", &long);
    assert_eq!(app.post_form("/api/config_failure", &too_long).await.0, 400);
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT page_url, signed_url, err_msg FROM config_failures")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![(report[0].1.into(), report[1].1.into(), report[3].1.into())]
    );
}

fn sha1_hex(s: &str) -> String {
    hex::encode(Sha1::digest(s.as_bytes()))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulated_client_verifies_config_like_wechat() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    sim.control("js_domains", json!({ "domains": ["127.0.0.1"] }))
        .await;
    let url = format!("{}/p/demo?x=1", app.base());
    let config = app.sign_ok_for(&url).await;
    let check = |url: String, signature: Value| {
        let config = config.clone();
        json!({ "appId": config["appId"], "timestamp": config["timestamp"].to_string(), "nonceStr": config["nonceStr"], "signature": signature, "url": url })
    };
    assert_eq!(
        sim.client_post("verify", check(url.clone(), config["signature"].clone()))
            .await,
        json!({ "ok": true })
    );
    let other = sim
        .client_post(
            "verify",
            check(
                format!("{url}&isappinstalled=0"),
                config["signature"].clone(),
            ),
        )
        .await;
    assert_eq!(other["error"], "invalid signature");
    let domain = sim
        .client_post(
            "verify",
            check(
                "http://evil.example/p/demo?x=1".into(),
                config["signature"].clone(),
            ),
        )
        .await;
    assert_eq!(domain["error"], "invalid url domain");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulated_client_verifies_card_signatures() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    app.sign_ok().await;
    // A wx_card ticket, as wxkit's card signing will fetch it.
    let token = sim.token().await;
    let ticket = sim.ticket(&token, "wx_card").await;
    let t = ticket["ticket"].as_str().unwrap();
    let mut values = [t, "1404896688", "pCardId", "code1", "nonce1"];
    values.sort();
    let ext = json!({ "code": "code1", "openid": "", "timestamp": "1404896688", "nonce_str": "nonce1", "signature": sha1_hex(&values.concat()) }).to_string();
    let ok = sim
        .client_post(
            "card_ext",
            json!({ "appId": SIM_APP_ID, "cardId": "pCardId", "cardExt": ext }),
        )
        .await;
    assert_eq!(ok["ok"], true, "{ok}");
    let tampered = ext.replace("code1", "code2");
    let bad = sim
        .client_post(
            "card_ext",
            json!({ "appId": SIM_APP_ID, "cardId": "pCardId", "cardExt": tampered }),
        )
        .await;
    assert_eq!(bad["error"], "invalid signature");

    let mut values = [t, SIM_APP_ID, "1404896688", "nonce2", "GROUPON"];
    values.sort();
    let sign = sha1_hex(&values.concat());
    let body = |card_sign: &str| json!({ "appId": SIM_APP_ID, "shopId": "", "cardType": "GROUPON", "cardId": "", "timestamp": "1404896688", "nonceStr": "nonce2", "cardSign": card_sign });
    assert_eq!(sim.client_post("card_sign", body(&sign)).await["ok"], true);
    assert_eq!(
        sim.client_post("card_sign", body("0000")).await["error"],
        "invalid signature"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_fetched_from_wechat_checked_and_kept() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let data = tempfile::tempdir().unwrap();
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_DATA_DIR", data.path().to_str().unwrap()),
            ("WXKIT_MEDIA_MAX_BYTES", "2048"),
        ],
    )
    .await;
    let png = vec![137u8, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3];
    let a = sim.media("image/png", png.clone()).await;
    let b = sim.media("image/jpeg", vec![255, 216, 255, 0]).await;
    let ids = format!("{a},{b}");
    let (status, gallery) = app
        .post_form(
            "/api/save_images",
            &[("slug", "demo"), ("server_ids", &ids)],
        )
        .await;
    assert_eq!(status, 200, "{gallery}");
    let order: Vec<&str> = gallery
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["media_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [b.as_str(), a.as_str()],
        "newest first, in upload order"
    );
    assert_eq!(sim.calls("media_get").await, 2);
    // Served back, byte for byte.
    let url = gallery
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["media_id"] == a.as_str())
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .http
        .get(format!("{}{url}", app.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.unwrap().to_vec(), png);
    assert_eq!(
        std::fs::read_dir(data.path().join("media"))
            .unwrap()
            .count(),
        2
    );

    // A media_id already kept is not fetched again.
    let (status, _) = app
        .post_form("/api/save_images", &[("slug", "demo"), ("server_ids", &a)])
        .await;
    assert_eq!(status, 200);
    assert_eq!(sim.calls("media_get").await, 2);

    // WeChat's JSON error reply is explained.
    let (status, body) = app
        .post_form(
            "/api/save_images",
            &[("slug", "demo"), ("server_ids", "expiredMediaId")],
        )
        .await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["errcode"], 40007);
    assert!(
        body["meaning"].as_str().unwrap().contains("3 days"),
        "{body}"
    );

    // Not an image, too large, malformed ids, unknown page: refused, nothing kept.
    let html = sim.media("text/html", b"<html>".to_vec()).await;
    let big = sim.media("image/png", vec![0u8; 4096]).await;
    for (slug, ids, why) in [
        ("demo", html.as_str(), "not an image"),
        ("demo", big.as_str(), "at most 2048"),
        ("demo", "../../etc/passwd", "not a media_id"),
        ("nope", a.as_str(), "no page"),
    ] {
        let (status, body) = app
            .post_form("/api/save_images", &[("slug", slug), ("server_ids", ids)])
            .await;
        assert_eq!(status, 400, "{ids}: {body}");
        assert!(body["message"].as_str().unwrap().contains(why), "{body}");
    }
    let too_many = [a.as_str(); 10].join(",");
    assert_eq!(
        app.post_form(
            "/api/save_images",
            &[("slug", "demo"), ("server_ids", &too_many)]
        )
        .await
        .0,
        400
    );
    let (_, gallery) = app.post_form("/api/images", &[("slug", "demo")]).await;
    assert_eq!(gallery.as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn card_signatures_are_made_with_the_card_ticket() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let (status, cards) = app.post_form("/api/cards", &[]).await;
    assert_eq!(status, 200, "{cards}");
    let card_id = cards[0]["card_id"].as_str().unwrap().to_string();

    let (status, ext) = app
        .post_form(
            "/api/card_ext",
            &[
                ("card_id", &card_id),
                ("code", "c123"),
                ("outer_str", "from_demo"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{ext}");
    let ext_str = ext.as_str().unwrap().to_string();
    let fields: Value = serde_json::from_str(&ext_str).unwrap();
    assert_eq!(fields["outer_str"], "from_demo");
    let tickets = sim.tickets("wx_card").await;
    assert_eq!(tickets.len(), 1, "one wx_card ticket fetched");
    assert!(
        !ext_str.contains(&tickets[0]),
        "the ticket never leaves the server"
    );
    let verdict = sim
        .client_post(
            "card_ext",
            json!({ "appId": SIM_APP_ID, "cardId": card_id, "cardExt": ext_str }),
        )
        .await;
    assert_eq!(verdict["ok"], true, "{verdict}");
    // The request does not choose the code: WeChat assigns one to this unbound card.
    assert_eq!(fields["code"], "");
    assert_ne!(verdict["code"], "c123");

    let (status, sign) = app
        .post_form("/api/card_sign", &[("card_type", "DISCOUNT")])
        .await;
    assert_eq!(status, 200, "{sign}");
    let body = json!({ "appId": SIM_APP_ID, "shopId": "", "cardType": "DISCOUNT", "cardId": "",
        "timestamp": sign["timestamp"].to_string(), "nonceStr": sign["nonce_str"], "cardSign": sign["card_sign"] });
    assert_eq!(sim.client_post("card_sign", body).await["ok"], true);

    for (path, form, why) in [
        (
            "/api/card_ext",
            vec![("card_id", "")],
            "card_id is required",
        ),
        (
            "/api/card_ext",
            vec![("card_id", "p1"), ("outer_str", "a b")],
            "outer_str must be",
        ),
        (
            "/api/card_sign",
            vec![("card_type", "FREE_LUNCH")],
            "card_type must be one of",
        ),
    ] {
        let (status, body) = app.post_form(path, &form).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["message"].as_str().unwrap().contains(why), "{body}");
    }
    assert_eq!(sim.calls("getticket:wx_card").await, 1);
}

/// Renders read the pages from memory; a page an admin saves (or deletes)
/// through one process is shown by every other within a few seconds, and at
/// once by the process that saved it.
#[tokio::test(flavor = "multi_thread")]
async fn a_saved_page_reaches_every_process_within_seconds() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (editor, admin) = App::with_admin(&sim, &db, &[]).await;
    let other = App::start(&sim, &db, &[]).await;
    assert!(other.html("/p/demo").await.contains("wxkit 演示页"));

    save_page(&admin, &editor, "demo", "demo", "Spring sale").await;
    assert!(
        editor.html("/p/demo").await.contains("Spring sale"),
        "at once where it was saved"
    );
    let saved = std::time::Instant::now();
    loop {
        let html = other.html("/p/demo").await;
        if html.contains("Spring sale") {
            break;
        }
        assert!(html.contains("wxkit 演示页"), "the old page until then");
        assert!(
            saved.elapsed() < wxkit::page_cache::RELOAD_EVERY * 2,
            "the other process still shows the old page after {:?}",
            saved.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // Deleted: gone everywhere too.
    let (status, body) = delete_page(&admin, &editor, "demo").await;
    assert_eq!(status, 200, "{body}");
    let (status, page) = editor.post_form("/api/page", &[("slug", "demo")]).await;
    assert_eq!((status, page), (200, Value::Null));
    let deleted = std::time::Instant::now();
    loop {
        let (status, page) = other.post_form("/api/page", &[("slug", "demo")]).await;
        assert_eq!(status, 200);
        if page.is_null() {
            break;
        }
        assert!(deleted.elapsed() < wxkit::page_cache::RELOAD_EVERY * 2);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The page form of `slug` with `menu_hidden`, as the editor posts it.
fn menu_form(slug: &str, menu_hidden: &str) -> Vec<(String, String)> {
    let mut form = common::admin::page_form(slug, slug, "Menu", "updateAppMessageShareData");
    form.push(("form[menu_hidden]".into(), menu_hidden.into()));
    form
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_hides_the_menu_items_the_admin_chose() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (app, admin) = App::with_admin(&sim, &db, &[]).await;
    save_page(&admin, &app, "", "menu", "Menu").await;
    let post = |form: Vec<(String, String)>| {
        let (admin, app) = (&admin, &app);
        async move { common::admin::post_owned(admin, app, "/api/admin/save_page", &form).await }
    };

    // Basic items cannot be hidden, and only names of WeChat's list are taken.
    for (bad, says) in [
        ("menuItem:refresh", "basic"),
        ("menuItem:copyURL", "not a menu item"),
    ] {
        let (status, body) = post(menu_form("menu", bad)).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            body.contains("menu_hidden") && body.contains(says),
            "{body}"
        );
    }

    let (status, body) = post(menu_form(
        "menu",
        " menuItem:copyUrl,all_non_base, menuItem:copyUrl",
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    // Stored normalised, and shown back to the editor.
    let (_, form) =
        common::admin::post(&admin, &app, "/api/admin/page", &[("slug", "menu")], &[]).await;
    assert!(
        form.contains(r#""menu_hidden":"menuItem:copyUrl,all_non_base""#),
        "{form}"
    );

    // The page is signed for the menu interfaces it needs, and carries the list.
    let html = app.html("/p/menu").await;
    let config = embedded_config(&html);
    let apis: Vec<&str> = config["jsApiList"]
        .as_array()
        .unwrap_or_else(|| panic!("{config}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for api in [
        "hideMenuItems",
        "hideAllNonBaseMenuItem",
        "updateAppMessageShareData",
    ] {
        assert!(apis.contains(&api), "{api} missing from {apis:?}");
    }
    assert!(
        html.contains("menuItem:copyUrl"),
        "the page's islands get the list"
    );

    // A row written by hand with a bad entry keeps its good ones, and the
    // editor gets only those (so saving it again works).
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    sqlx::query(
        "UPDATE pages SET menu_hidden = 'menuItem:refresh,menuItem:share:qq' WHERE slug = 'menu'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let (_, form) =
        common::admin::post(&admin, &app, "/api/admin/page", &[("slug", "menu")], &[]).await;
    assert!(
        form.contains(r#""menu_hidden":"menuItem:share:qq""#),
        "{form}"
    );

    // Emptied: nothing hidden, no menu interface signed.
    let (status, _) = post(menu_form("menu", "")).await;
    assert_eq!(status, 200);
    let html = app.html("/p/menu").await;
    assert!(
        !embedded_config(&html).to_string().contains("hideMenuItems"),
        "{}",
        embedded_config(&html)
    );
}
