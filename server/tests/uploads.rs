//! Uploads an anonymous visitor cannot abuse, black-box: `media/get` calls
//! per client IP are limited before WeChat is asked, an image over
//! `WXKIT_MEDIA_MAX_BYTES` is refused without a byte written, the total and
//! per-visitor quotas refuse the next upload without asking WeChat, images
//! belong to their page's identity (deleted with it, kept across a rename,
//! never inherited by a new page with the same slug), and `/media/…` serves an
//! image of a page requiring authorization only to a visitor who may see it.

mod common;

use common::admin::{delete_page, save_page};
use common::*;
use serde_json::Value;

/// A PNG-looking body of exactly `n` bytes.
fn png(n: usize) -> Vec<u8> {
    let mut b = vec![137u8, 80, 78, 71, 13, 10, 26, 10];
    b.resize(n, 7);
    b
}

/// `POST /api/save_images` through `http`, from `ip` when given (the app
/// trusts 127.0.0.1 as a proxy in the tests that set one): (status, body).
async fn save_with(
    http: &reqwest::Client,
    app: &App,
    ip: Option<&str>,
    slug: &str,
    ids: &str,
) -> (u16, Value) {
    let mut req = http
        .post(format!("{}/api/save_images", app.base()))
        .form(&[("slug", slug), ("server_ids", ids)]);
    if let Some(ip) = ip {
        req = req.header("x-forwarded-for", ip);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn save(app: &App, slug: &str, ids: &str) -> (u16, Value) {
    save_with(&app.http, app, None, slug, ids).await
}

/// The gallery of `slug`: the media_ids and their URLs.
async fn gallery(app: &App, slug: &str) -> Vec<(String, String)> {
    let (status, body) = app.post_form("/api/images", &[("slug", slug)]).await;
    assert_eq!(status, 200, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["media_id"].as_str().unwrap().to_string(),
                g["url"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join("media")).map_or(0, |d| d.count())
}

async fn pool(db: &Db) -> sqlx::AnyPool {
    wxkit::db::connect(&db.url()).await.unwrap()
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&pool(db).await)
        .await
        .unwrap()
}

fn message(body: &Value) -> String {
    body["message"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn made_up_ids_beyond_the_per_ip_limit_never_reach_wechat() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[("WXKIT_MEDIA_GETS_PER_IP", "3")]).await;
    // Each made-up id costs one media/get (WeChat answers 40007), up to the limit.
    for i in 0..3 {
        let (status, body) = save(&app, "demo", &format!("madeUpMediaId{i}")).await;
        assert_eq!(status, 502, "{body}");
        assert_eq!(body["errcode"], 40007);
    }
    assert_eq!(sim.calls("media_get").await, 3);
    // Then: 429, before any call, whatever the request holds.
    let nine: Vec<String> = (10..19).map(|i| format!("madeUpMediaId{i}")).collect();
    for ids in ["madeUpMediaId3".to_string(), nine.join(",")] {
        let (status, body) = save(&app, "demo", &ids).await;
        assert_eq!(status, 429, "{body}");
        assert!(message(&body).contains("try again"), "{body}");
    }
    let real = sim.media("image/png", png(100)).await;
    assert_eq!(save(&app, "demo", &real).await.0, 429);
    assert_eq!(sim.calls("media_get").await, 3, "no call past the limit");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM media").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_over_the_size_limit_is_refused_and_nothing_is_written() {
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
    let big = sim.media("image/png", png(2049)).await;
    let (status, body) = save(&app, "demo", &big).await;
    assert_eq!(status, 400, "{body}");
    assert!(message(&body).contains("at most 2048"), "{body}");
    assert_eq!(files_in(data.path()), 0, "nothing written to the data dir");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM media").await, 0);
    // Exactly at the limit is kept.
    let fits = sim.media("image/png", png(2048)).await;
    let (status, body) = save(&app, "demo", &fits).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(files_in(data.path()), 1);
}

async fn quotas_refuse_the_next_upload_without_asking_wechat(db: Db) {
    let sim = Sim::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_DATA_DIR", data.path().to_str().unwrap()),
            ("WXKIT_TRUSTED_PROXIES", "127.0.0.1"),
            ("WXKIT_MEDIA_MAX_BYTES", "4096"),
            ("WXKIT_MEDIA_MAX_VISITOR_BYTES", "1024"),
            ("WXKIT_MEDIA_MAX_TOTAL_BYTES", "2048"),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let (a, b, c) = (
        Some("198.51.100.1"),
        Some("198.51.100.2"),
        Some("198.51.100.3"),
    );
    let upload = |ip: Option<&'static str>, n: usize| {
        let (sim, app, http) = (&sim, &app, &http);
        async move {
            let id = sim.media("image/png", png(n)).await;
            save_with(http, app, ip, "demo", &id).await
        }
    };
    assert_eq!(upload(a, 1000).await.0, 200);
    // Larger than what is left of the visitor's quota: refused while reading.
    let (status, body) = upload(a, 600).await;
    assert_eq!(status, 429, "{body}");
    assert!(
        message(&body).contains("24 bytes left of your upload quota (1024 bytes)"),
        "{body}"
    );
    assert_eq!(upload(a, 24).await.0, 200, "what is left still fits");
    let calls = sim.calls("media_get").await;
    assert_eq!(calls, 3);
    // The visitor's quota is full: refused before WeChat is asked.
    let (status, body) = upload(a, 10).await;
    assert_eq!(status, 429, "{body}");
    assert!(message(&body).contains("your upload quota"), "{body}");
    assert_eq!(sim.calls("media_get").await, calls);
    // Another visitor fills the rest of the total; then nobody can upload.
    assert_eq!(upload(b, 1024).await.0, 200);
    let calls = calls + 1;
    for ip in [c, b, a] {
        let (status, body) = upload(ip, 10).await;
        assert_eq!(status, 429, "{body}");
        let m = message(&body);
        assert!(
            m.contains("upload storage") || m.contains("your upload quota"),
            "{m}"
        );
    }
    let (_, body) = upload(c, 10).await;
    assert!(
        message(&body).contains("site's upload storage (2048 bytes) is full"),
        "{body}"
    );
    assert_eq!(
        sim.calls("media_get").await,
        calls,
        "0 further media/get calls"
    );
    // Each row records whose quota it counts against.
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT visitor, CAST(SUM(size) AS BIGINT) FROM media GROUP BY visitor ORDER BY visitor",
    )
    .fetch_all(&pool(&db).await)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ("ip:198.51.100.1".to_string(), 1024),
            ("ip:198.51.100.2".to_string(), 1024)
        ]
    );
    assert_eq!(files_in(data.path()), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn quotas_refuse_the_next_upload_without_asking_wechat_on_sqlite() {
    quotas_refuse_the_next_upload_without_asking_wechat(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn quotas_refuse_the_next_upload_without_asking_wechat_on_postgres() {
    quotas_refuse_the_next_upload_without_asking_wechat(Db::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn images_belong_to_the_page_not_to_its_slug() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let data = tempfile::tempdir().unwrap();
    let (app, admin) = App::with_admin(
        &sim,
        &db,
        &[("WXKIT_DATA_DIR", data.path().to_str().unwrap())],
    )
    .await;

    save_page(&admin, &app, "", "spring", "Spring sale").await;
    let a = sim.media("image/png", png(64)).await;
    let b = sim.media("image/jpeg", vec![255, 216, 255, 0]).await;
    let (status, body) = save(&app, "spring", &format!("{a},{b}")).await;
    assert_eq!(status, 200, "{body}");
    // One of the demo page's, which must survive everything below.
    let d = sim.media("image/png", png(32)).await;
    assert_eq!(save(&app, "demo", &d).await.0, 200);

    // Renamed: the images stay with the page.
    save_page(&admin, &app, "spring", "spring-2", "Spring sale").await;
    let kept = gallery(&app, "spring-2").await;
    assert_eq!(kept.len(), 2);
    for (_, url) in &kept {
        let r = app
            .http
            .get(format!("{}{url}", app.base()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{url}");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    }

    // Deleted: rows and files go with it.
    let (status, body) = delete_page(&admin, &app, "spring-2").await;
    assert!(status == 200 || status == 302, "{status} {body}");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM media").await,
        1,
        "only the demo page's image is left"
    );
    assert_eq!(files_in(data.path()), 1);
    for (_, url) in &kept {
        let r = app
            .http
            .get(format!("{}{url}", app.base()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{url}");
    }

    // A new page with the same slug starts empty, even with a row left under
    // the old slug (and a gone page's id).
    sqlx::query(
        "INSERT INTO media (media_id, slug, page_id, file, content_type, size, created_at, uploaded_ms)
         SELECT 'orphan', 'spring-2', 'pg_gone', 'abcdef.png', 'image/png', 1, 1, 1",
    )
    .execute(&pool(&db).await)
    .await
    .unwrap();
    save_page(&admin, &app, "", "spring-2", "Spring sale").await;
    assert!(gallery(&app, "spring-2").await.is_empty());
    let orphan = app
        .http
        .get(format!("{}/media/abcdef.png", app.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(orphan.status(), 404, "a gone page's row is not served");
    // Its own uploads are its own.
    let (status, body) = save(&app, "spring-2", &a).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.as_array().unwrap().len(), 1, "{body}");
    assert_eq!(gallery(&app, "demo").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_of_an_authorized_page_is_served_only_to_a_visitor_who_may_see_it() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let data = tempfile::tempdir().unwrap();
    let app = App::start(
        &sim,
        &db,
        &[("WXKIT_DATA_DIR", data.path().to_str().unwrap())],
    )
    .await;
    let visitor = Browser::new();
    let landing = visitor.sign_in(&app, "/p/demo-userinfo", "小明").await;
    assert_eq!(landing.status, 200);
    let bytes = png(100);
    let id = sim.media("image/png", bytes.clone()).await;
    // Anonymous: the page's server functions refuse, WeChat is not asked.
    assert_eq!(save(&app, "demo-userinfo", &id).await.0, 401);
    assert_eq!(sim.calls("media_get").await, 0);
    let (status, body) = save_with(&visitor.http, &app, None, "demo-userinfo", &id).await;
    assert_eq!(status, 200, "{body}");
    let url = format!("{}{}", app.base(), body[0]["url"].as_str().unwrap());

    let cookieless = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(cookieless.status(), 401);
    let r = visitor.http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().to_vec(), bytes);

    // Only files with a row, under names wxkit makes.
    let stray = format!("{}.png", "ab".repeat(20));
    std::fs::write(data.path().join("media").join(&stray), png(10)).unwrap();
    for path in [
        format!("/media/{stray}"),
        "/media/..%2F..%2Fetc%2Fpasswd".to_string(),
        "/media/..%2Fwxkit.db".to_string(),
        "/media/x.html".to_string(),
    ] {
        let r = visitor
            .http
            .get(format!("{}{path}", app.base()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}
