//! Voices on the server, black-box: a voice uploaded with `wx.uploadVoice`
//! is fetched through `media/get` like an image (the same per-IP limit,
//! quotas and page access rules), kept only when it is AMR of at most a
//! minute, listed with its length on its page (never among the photos),
//! served as a download, and offered only by pages whose jsApiList has the
//! voice interfaces. SQLite and PostgreSQL.

mod common;

use common::admin::{delete_page, post_owned};
use common::*;
use serde_json::Value;

/// An AMR-NB file as WeChat records it: `frames` frames of 12.2 kbit/s
/// (20 ms each).
fn amr(frames: usize) -> Vec<u8> {
    let mut b = b"#!AMR\n".to_vec();
    for _ in 0..frames {
        b.push(0x3c);
        b.extend_from_slice(&[0u8; 31]);
    }
    b
}

async fn save_voices(app: &App, slug: &str, ids: &str) -> (u16, Value) {
    app.post_form("/api/save_voices", &[("slug", slug), ("server_ids", ids)])
        .await
}

async fn voices(app: &App, slug: &str) -> Vec<Value> {
    let (status, body) = app.post_form("/api/voices", &[("slug", slug)]).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join("media")).map_or(0, |d| d.count())
}

async fn count(db: &Db, sql: &str) -> i64 {
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap()
}

fn message(body: &Value) -> String {
    body["message"].as_str().unwrap_or_default().to_string()
}

async fn voices_are_fetched_checked_kept_and_listed(db: Db) {
    let sim = Sim::start();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let (app, admin) = App::with_admin(&sim, &db, &[("WXKIT_DATA_DIR", dir)]).await;

    // A one-second voice: kept, listed with its length, served as a download.
    let bytes = amr(50);
    let id = sim.media("audio/amr", bytes.clone()).await;
    let (status, body) = save_voices(&app, "demo", &id).await;
    assert_eq!(status, 200, "{body}");
    let listed = voices(&app, "demo").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["media_id"], id.as_str());
    assert_eq!(listed[0]["duration_ms"], 1000);
    assert_eq!(listed[0]["size"], bytes.len());
    assert_eq!(listed[0]["on_wechat"], true);
    let url = listed[0]["url"].as_str().unwrap();
    assert!(url.starts_with("/media/") && url.ends_with(".amr"), "{url}");
    let r = app.fetch(url).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "audio/amr");
    assert_eq!(r.headers()["content-disposition"], "attachment");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().to_vec(), bytes);
    // The same serverId again is not fetched again.
    let gets = sim.calls("media_get").await;
    assert_eq!(save_voices(&app, "demo", &id).await.0, 200);
    assert_eq!(sim.calls("media_get").await, gets);

    // Voices and photos are listed apart.
    let png = {
        let mut b = vec![137u8, 80, 78, 71, 13, 10, 26, 10];
        b.resize(64, 1);
        b
    };
    let photo = sim.media("image/png", png).await;
    let (status, body) = app
        .post_form(
            "/api/save_images",
            &[("slug", "demo"), ("server_ids", &photo)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body.as_array().unwrap().len(),
        1,
        "the gallery has no voice"
    );
    assert_eq!(voices(&app, "demo").await.len(), 1, "no photo among voices");
    // A voice cannot be passed off as a photo, nor a photo as a voice.
    let as_photo = sim.media("audio/amr", amr(10)).await;
    let (status, body) = app
        .post_form(
            "/api/save_images",
            &[("slug", "demo"), ("server_ids", &as_photo)],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(message(&body).contains("not an image"), "{body}");

    // What is not a voice WeChat recorded is refused, nothing written.
    let files = files_in(data.path());
    // Over a minute of silence ("no data" frames, 1 byte each): small, too long.
    let mut one_minute_and_more = b"#!AMR\n".to_vec();
    one_minute_and_more.resize(6 + 3100, 0x7c);
    let mut cut = amr(5);
    cut.pop();
    for (content_type, bytes, expected) in [
        ("image/png", amr(5), "not a voice"),
        (
            "audio/amr",
            b"<html><script>x</script></html>".to_vec(),
            "not an AMR file",
        ),
        ("audio/amr", cut, "cut short"),
        (
            "audio/amr",
            one_minute_and_more,
            "longer than WeChat lets anyone record",
        ),
        ("audio/amr", b"#!AMR\n".to_vec(), "no sound"),
        // More bytes than the longest voice WeChat records: the download stops there.
        ("audio/amr", amr(3100), "at most 97606"),
    ] {
        let id = sim.media(content_type, bytes).await;
        let (status, body) = save_voices(&app, "demo", &id).await;
        assert_eq!(status, 400, "{expected}: {body}");
        assert!(message(&body).contains(expected), "{expected}: {body}");
    }
    assert_eq!(files_in(data.path()), files, "nothing written");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM media WHERE kind = 'voice'").await,
        1
    );

    // A made-up id is WeChat's to refuse (40007), like a voice older than
    // the 3 days WeChat keeps it.
    let (status, body) = save_voices(&app, "demo", "madeUpMediaId").await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["errcode"], 40007);
    let old = sim.media("audio/amr", amr(5)).await;
    sim.advance_clock(3 * 24 * 3600 + 60).await;
    let (status, body) = save_voices(&app, "demo", &old).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["errcode"], 40007);
    // Ten ids at once is more than a request may hold.
    let ten = ["abc"; 10].join(",");
    assert_eq!(save_voices(&app, "demo", &ten).await.0, 400);

    // Older than WeChat keeps it: listed, no longer offered for playing.
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    sqlx::query("UPDATE media SET uploaded_ms = uploaded_ms - 259200000 WHERE kind = 'voice'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(voices(&app, "demo").await[0]["on_wechat"], false);

    // The dashboard lists it as a voice.
    let (status, body) = post_owned(&admin, &app, "/api/admin/media", &[]).await;
    assert_eq!(status, 200, "{body}");
    let items: Vec<Value> = serde_json::from_str(&body).unwrap();
    let voice = items.iter().find(|i| i["media_id"] == id.as_str()).unwrap();
    assert_eq!(voice["voice"], true);
    assert_eq!(voice["duration_ms"], 1000);
    assert!(items.iter().any(|i| i["voice"] == false));

    // Deleting the page deletes its voices, rows and files.
    let (status, body) = delete_page(&admin, &app, "demo").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM media").await, 0);
    assert_eq!(files_in(data.path()), 0);
    assert_eq!(app.fetch(url).await.status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn voices_are_fetched_checked_kept_and_listed_on_sqlite() {
    voices_are_fetched_checked_kept_and_listed(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn voices_are_fetched_checked_kept_and_listed_on_postgres() {
    voices_are_fetched_checked_kept_and_listed(Db::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_pages_offering_voice_take_voices_and_every_bound_holds() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let (app, admin) = App::with_admin(
        &sim,
        &db,
        &[
            ("WXKIT_DATA_DIR", dir),
            // Room for one 1-second voice per visitor (1 606 bytes).
            ("WXKIT_MEDIA_MAX_VISITOR_BYTES", "2000"),
            ("WXKIT_MEDIA_GETS_PER_IP", "4"),
        ],
    )
    .await;
    // The voice page: a 404 where the page does not offer voice.
    let form = common::admin::page_form("", "quiet", "Quiet", "chooseImage,uploadImage");
    let (status, body) = post_owned(&admin, &app, "/api/admin/save_page", &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.fetch("/p/quiet/voice").await.status(), 404);
    assert!(!app.html("/p/quiet").await.contains("to-voice"));
    let page = app.html("/p/demo").await;
    assert!(
        page.contains(r#"href="/p/demo/voice""#),
        "the demo page offers voice"
    );
    let voice_page = app.html("/p/demo/voice").await;
    assert!(
        voice_page.contains("data-testid=\"record\""),
        "{voice_page}"
    );
    assert!(
        voice_page.contains("startRecord"),
        "its wx.config lists the voice APIs"
    );

    // Saving to a page that does not offer voice: refused before WeChat is asked.
    let id = sim.media("audio/amr", amr(50)).await;
    let (status, body) = save_voices(&app, "quiet", &id).await;
    assert_eq!(status, 400, "{body}");
    assert!(message(&body).contains("does not offer voice"), "{body}");
    let (status, _) = app.post_form("/api/voices", &[("slug", "quiet")]).await;
    assert_eq!(status, 400);
    assert_eq!(save_voices(&app, "no-such-page", &id).await.0, 400);
    // A page for signed-in visitors: anonymous callers are refused.
    assert_eq!(save_voices(&app, "demo-userinfo", &id).await.0, 401);
    assert_eq!(sim.calls("media_get").await, 0);

    // The visitor's quota: one voice fits, the next is refused without a call.
    assert_eq!(save_voices(&app, "demo", &id).await.0, 200);
    let second = sim.media("audio/amr", amr(50)).await;
    let (status, body) = save_voices(&app, "demo", &second).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(
        sim.calls("media_get").await,
        2,
        "the second asked WeChat for what fits"
    );
    // The per-IP limit on media/get is shared with photos.
    let _ = save_voices(&app, "demo", "madeUp1").await;
    let _ = save_voices(&app, "demo", "madeUp2").await;
    let (status, body) = save_voices(&app, "demo", "madeUp3").await;
    assert_eq!(status, 429, "{body}");
    assert!(message(&body).contains("try again"), "{body}");
    assert_eq!(sim.calls("media_get").await, 4, "no call past the limit");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM media").await, 1);

    // However many are kept, a page lists the newest 200.
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    for i in 0..250 {
        sqlx::query(
            "INSERT INTO media (media_id, slug, page_id, visitor, file, content_type, size,
                                uploader, created_at, uploaded_ms, kind, duration_ms)
             SELECT $1, slug, id, 'ip:x', $2, 'audio/amr', 7, '', 0, $3, 'voice', 20
             FROM pages WHERE slug = 'demo'",
        )
        .bind(format!("bulk{i}"))
        .bind(format!("{i:x}.amr"))
        .bind(i64::from(i))
        .execute(&pool)
        .await
        .unwrap();
    }
    let listed = voices(&app, "demo").await;
    assert_eq!(listed.len(), 200);
    assert_eq!(listed[0]["media_id"], id.as_str(), "the newest first");
    assert_eq!(listed[199]["media_id"], "bulk51");
}
