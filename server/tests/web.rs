//! Pages, the signing endpoint, health and start-up, black-box.

mod common;

use common::*;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn every_page_embeds_a_config_signed_for_its_own_url() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    for path in [
        "/",
        "/?from=singlemessage&isappinstalled=0",
        "/?q=%E4%B8%AD%E6%96%87",
    ] {
        let r = app
            .http
            .get(format!("{}{path}", app.base()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let html = r.text().await.unwrap();
        assert!(!html.contains(SIM_APP_SECRET), "secret in page");
        let config = embedded_config(&html);
        let tickets = sim.tickets("jsapi").await;
        assert!(
            !tickets.iter().any(|t| html.contains(t.as_str())),
            "ticket in page"
        );
        let url = format!("{}{path}", app.base());
        assert!(verifies(&tickets, &config, &url), "{path}: {config}");
        assert_eq!(config["appId"], SIM_APP_ID);
        assert_eq!(config["nonceStr"].as_str().unwrap().len(), 16);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_load_the_site_bundle_cargo_leptos_builds() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let html = app.html("/").await;
    // cargo-leptos writes pkg/wxkit.wasm; a binary built without LEPTOS_OUTPUT_NAME asks for wxkit_bg.wasm.
    assert!(html.contains("/pkg/wxkit.wasm"), "{html}");
    assert!(!html.contains("wxkit_bg.wasm"), "{html}");
    assert!(html.contains("/pkg/wxkit.js"));
}

#[tokio::test(flavor = "multi_thread")]
async fn in_app_pages_call_wx_config_from_the_head() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let boot = "window.__wxkit";
    for path in ["/p/demo", "/p/demo/photos", "/p/demo/cards"] {
        let html = app.html(path).await;
        let head = &html[..html.find("</head>").unwrap()];
        // The WASM is asked for before the SDK, and the boot script follows the SDK.
        let wasm = head.find("/pkg/wxkit.wasm").unwrap();
        let sdk = head.find("jweixin.js").unwrap();
        let script = head
            .find(boot)
            .unwrap_or_else(|| panic!("{path}: no boot script"));
        assert!(wasm < sdk && sdk < script, "{path}: {head}");
    }
    // Pages without the WeChat runtime do not call wx.config.
    assert!(!app.html("/").await.contains(boot));
    assert!(!app.html("/p/no-such-page").await.contains(boot));
    // HEAD answers like GET.
    let r = app
        .http
        .head(format!("{}/p/demo", app.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_in_app_page_asks_for_its_own_api_list() {
    let sim = Sim::start();
    let db = Db::sqlite();
    // Stored before wxkit starts (it reads the pages once, then on each change).
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    wxkit::db::migrate(&pool).await.unwrap();
    sqlx::query(
        "UPDATE pages SET js_api_list = 'chooseImage,uploadImage,stealSecrets' WHERE slug = 'demo'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let app = App::start(&sim, &db, &[]).await;
    let config = embedded_config(&app.html("/p/demo").await);
    assert_eq!(
        config["jsApiList"],
        serde_json::json!(["chooseImage", "uploadImage", "checkJsApi"]),
        "unknown names dropped, checkJsApi added"
    );
    let config = embedded_config(&app.html("/").await);
    assert_eq!(
        config["jsApiList"].as_array().unwrap().len(),
        app::backend::known_apis().count(),
        "other pages ask for every API"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ssr_signs_the_public_origin_not_the_listen_address() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_PUBLIC_ORIGIN", "https://h5.example.com"),
            ("WXKIT_JS_DOMAINS", "example.com"),
        ],
    )
    .await;
    let html = app.html("/?a=1#x").await;
    let config = embedded_config(&html);
    assert!(
        verifies(
            &sim.tickets("jsapi").await,
            &config,
            "https://h5.example.com/?a=1"
        ),
        "{config}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_outside_the_safe_domains_says_why() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_PUBLIC_ORIGIN", "https://h5.example.com"),
            ("WXKIT_JS_DOMAINS", "other.org"),
        ],
    )
    .await;
    let html = app.html("/").await;
    let config = embedded_config(&html);
    assert_eq!(config["error"]["error"], "bad_request", "{config}");
    assert!(
        config["error"]["message"]
            .as_str()
            .unwrap()
            .contains("invalid url domain"),
        "{config}"
    );
    assert_eq!(
        sim.calls("getticket:jsapi").await,
        0,
        "a refused URL is never signed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_urls_are_refused_with_a_reason() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let long = format!("{}/{}", app.base(), "a".repeat(4100));
    let cases = [
        ("ftp://127.0.0.1/x", "http and https"),
        ("https://evil.example/", "safe domains"),
        ("https://127.0.0.1.evil.example/", "safe domains"),
        ("not a url", "is not a URL"),
        ("", "empty"),
        (long.as_str(), "at most 4096"),
    ];
    for (url, why) in cases {
        let (status, body) = app.sign(url).await;
        assert_eq!(status, 400, "{url}: {body}");
        assert_eq!(body["error"], "bad_request", "{body}");
        assert!(
            body["message"].as_str().unwrap().contains(why),
            "{url}: {body}"
        );
    }
    // A missing argument and an unknown API are bad requests too.
    let root = format!("{}/", app.base());
    let (status, _) = app
        .post_form("/api/jssdk_config", &[("nothing", "x")])
        .await;
    assert_eq!(status, 400);
    let (status, _) = app
        .post_form(
            "/api/jssdk_config",
            &[("url", &root), ("js_api_list", "chooseImage,getToken")],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        sim.calls("getticket:jsapi").await,
        0,
        "nothing refused was signed"
    );
    // The fragment is dropped; the rest is signed exactly as given.
    let url = format!("{}/a?b=%E4%B8%AD#frag", app.base());
    let (status, body) = app.sign(&url).await;
    assert_eq!(status, 200);
    assert!(verifies(
        &sim.tickets("jsapi").await,
        &body,
        url.split('#').next().unwrap()
    ));
    let (_, body) = app
        .post_form(
            "/api/jssdk_config",
            &[("url", &root), ("js_api_list", "chooseImage,addCard")],
        )
        .await;
    assert_eq!(
        body["jsApiList"],
        serde_json::json!(["chooseImage", "addCard"])
    );
    // An empty list is no list: every API.
    let (status, body) = app
        .post_form("/api/jssdk_config", &[("url", &root), ("js_api_list", "")])
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["jsApiList"].as_array().unwrap().len(),
        app::backend::known_apis().count()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn healthz_answers_when_the_database_does() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let r = app.fetch("/healthz").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ok");
}

#[test]
fn bad_configuration_stops_with_one_line_naming_the_variable() {
    for (var, value) in [
        ("WXKIT_ADDR", "not-an-address"),
        ("WXKIT_PUBLIC_ORIGIN", "h5.example.com"),
        ("WXKIT_TOKEN_MODE", "turbo"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_wxkit"))
            .env("WXKIT_SIMULATE", "1")
            .env(var, value)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = stderr.lines().last().unwrap_or_default();
        assert!(line.starts_with(&format!("wxkit: {var}")), "{stderr}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wxkit"))
        .env_remove("WXKIT_SIMULATE")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "no account and no simulator: refuse to start"
    );
}

#[test]
fn help_lists_the_subcommands() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wxkit"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in ["serve", "migrate", "simulator"] {
        assert!(help.contains(sub), "{help}");
    }
}

async fn migrate_creates_the_tables(db: Db) {
    migrate(&db);
    migrate(&db); // idempotent
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM credentials")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM locks")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_runs_on_sqlite() {
    migrate_creates_the_tables(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_runs_on_postgres() {
    migrate_creates_the_tables(Db::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_jssdk_playground_is_served_only_where_it_is_wanted() {
    let sim = Sim::start();
    // Simulate mode: on by default, with a button per interface.
    let app = App::start(&sim, &Db::sqlite(), &[]).await;
    let page = app.fetch("/jssdk").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for api in ["startRecord", "openAddress", "hideMenuItems", "scanQRCode"] {
        assert!(html.contains(&format!(r#"data-api="{api}""#)), "{api}");
    }
    // A real account: off unless the operator turns it on.
    let real = App::start_unsimulated(&sim, &Db::sqlite(), &[]).await;
    assert_eq!(real.fetch("/jssdk").await.status(), 404);
    let on = App::start_unsimulated(&sim, &Db::sqlite(), &[("WXKIT_PLAYGROUND", "1")]).await;
    assert_eq!(on.fetch("/jssdk").await.status(), 200);
    let off = App::start(&sim, &Db::sqlite(), &[("WXKIT_PLAYGROUND", "0")]).await;
    assert_eq!(off.fetch("/jssdk").await.status(), 404);
}

/// `GET path` with these request headers: the HTML.
async fn html_with(app: &App, path: &str, headers: &[(&str, &str)]) -> String {
    let mut req = reqwest::Client::new().get(format!("{}{path}", app.base()));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_speaks_the_visitors_language_and_says_so() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let (zh_cn, zh_tw, en) = (wechat_ua("zh_CN"), wechat_ua("zh_TW"), wechat_ua("en"));
    // (request headers, the page's lang, its nav's "Photos" link)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 6] = [
        // WeChat's Language/ field first, whatever the browser says.
        (
            &[("user-agent", &en), ("accept-language", "zh-CN")],
            "en",
            ">Photos</a>",
        ),
        (
            &[("user-agent", &zh_cn), ("accept-language", "en")],
            "zh-CN",
            ">照片</a>",
        ),
        (&[("user-agent", &zh_tw)], "zh-CN", ">照片</a>"),
        // Then Accept-Language, by weight.
        (
            &[("accept-language", "fr;q=1, en;q=0.8, zh;q=0.5")],
            "en",
            ">Photos</a>",
        ),
        (&[("accept-language", "de")], "zh-CN", ">照片</a>"),
        // Then Simplified Chinese.
        (&[], "zh-CN", ">照片</a>"),
    ];
    for (headers, lang, nav) in cases {
        let html = html_with(&app, "/p/demo", headers).await;
        assert!(
            html.contains(&format!("<html lang=\"{lang}\"")),
            "{headers:?}: {}",
            &html[..200]
        );
        assert!(html.contains(nav), "{headers:?}: {nav}");
    }
    // A sub-page and a missing page too.
    let html = html_with(&app, "/p/demo/photos", &[("user-agent", &en)]).await;
    assert!(html.contains("← Back to the page"), "{html}");
    let html = html_with(&app, "/p/demo/photos", &[("user-agent", &zh_cn)]).await;
    assert!(html.contains("← 返回页面"), "{html}");
    let missing = reqwest::Client::new()
        .get(format!("{}/p/no-such-page", app.base()))
        .header("user-agent", &zh_cn)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("页面不存在"));
    // The dashboard (before an admin chooses) and the JS-SDK playground
    // speak the browser's language.
    let html = html_with(&app, "/admin/sign-in", &[("accept-language", "zh-CN")]).await;
    assert!(html.contains("<html lang=\"zh-CN\""), "{}", &html[..200]);
    let html = html_with(&app, "/admin/sign-in", &[("accept-language", "en")]).await;
    assert!(html.contains("<html lang=\"en\""), "{}", &html[..200]);
    let html = html_with(&app, "/jssdk", &[("accept-language", "zh-CN")]).await;
    assert!(html.contains("<html lang=\"zh-CN\"") && html.contains("JS-SDK 调试页"));
    let html = html_with(&app, "/jssdk", &[("accept-language", "en")]).await;
    assert!(html.contains("<html lang=\"en\"") && html.contains("JS-SDK playground"));
}
