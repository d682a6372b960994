//! The dashboard's language, black-box: the browser's until the admin
//! chooses one, then the admin's (kept with the admin, in every session and
//! process); every dashboard page and the admin server functions' errors in
//! it, `<html lang>` matching; on SQLite and PostgreSQL.

mod common;

use common::admin::*;
use common::*;

/// `<html lang="…">` of a document.
fn html_lang(body: &str) -> &str {
    body.split_once("<html lang=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or("", |(lang, _)| lang)
}

/// The JSON error message of a refused server function call.
fn message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string))
        .unwrap_or_default()
}

async fn the_dashboard_speaks_the_admins_language(db: Db) {
    let sim = Sim::start();
    let app = App::start(&sim, &db, &[]).await;
    add_admin(&db, "root").await;
    let url = |path: &str| format!("{}{path}", app.base());

    // Nobody signed in: the browser's language, else Simplified Chinese.
    for (header, lang, text) in [
        (Some("zh-CN,zh;q=0.9,en;q=0.8"), "zh-CN", "登录"),
        (Some("en-US,en;q=0.9"), "en", "Sign in"),
        (None, "zh-CN", "登录"),
    ] {
        let browser = match header {
            Some(h) => Browser::with_headers(&[("accept-language", h)]),
            None => Browser::new(),
        };
        let page = browser.get(&url("/admin")).await;
        assert_eq!(page.status, 401);
        assert_eq!(html_lang(&page.body), lang, "{header:?}");
        assert!(page.body.contains(text), "{header:?}: {}", page.body);
        // A refused admin call says why in the same language.
        let (status, body) = post(&browser, &app, "/api/admin/pages", &[], &[]).await;
        assert_eq!(status, 401);
        let expected = if lang == "en" {
            "sign in as an admin first"
        } else {
            "请先以管理员身份登录"
        };
        assert_eq!(message(&body), expected, "{header:?}");
        // So does a refused sign-in.
        let (status, body) = post(
            &browser,
            &app,
            "/api/admin/sign_in",
            &[("username", "root"), ("password", "not the password")],
            &[("accept", "application/json")],
        )
        .await;
        assert_eq!(status, 401, "{body}");
        let expected = if lang == "en" {
            "wrong username or password"
        } else {
            "用户名或密码错误"
        };
        assert!(body.contains(expected), "{header:?}: {body}");
    }

    // An admin whose browser reads English sees every page in English until
    // choosing Chinese; then every page is Chinese, whatever the browser says.
    let admin = signed_in(&app, "root").await;
    every_page(&app, &admin, "en", ">Overview<").await;
    let (status, body) = post(
        &admin,
        &app,
        "/api/admin/save_lang",
        &[("lang", "zh-CN")],
        &[],
    )
    .await;
    assert!(status == 200 || status == 302, "{status} {body}");
    every_page(&app, &admin, "zh-CN", ">概览<").await;
    let overview = admin.get(&url("/admin")).await.body;
    assert!(
        overview.contains(r#"<option value="zh-CN" lang="zh-CN" selected"#),
        "the menu shows the choice"
    );
    // Kept with the admin, not the session: another browser signed in as
    // root, reading English, gets Chinese too.
    let elsewhere = signed_in(&app, "root").await;
    assert_eq!(
        html_lang(&elsewhere.get(&url("/admin/pages")).await.body),
        "zh-CN"
    );
    // An admin function's refusal is in the admin's language.
    let (status, body) = post(&admin, &app, "/api/admin/save_lang", &[("lang", "fr")], &[]).await;
    assert_eq!(status, 400, "{body}");
    assert!(message(&body).contains("语言"), "{body}");
    assert_eq!(
        html_lang(&admin.get(&url("/admin")).await.body),
        "zh-CN",
        "a refused choice changes nothing"
    );
    // The page editor's checks, made by the server, too.
    let form = page_form("", "Bad Slug!", "title", "");
    let (status, body) = post_owned(&admin, &app, "/api/admin/save_page", &form).await;
    assert_eq!(status, 400, "{body}");
    assert!(has_chinese(&message(&body)), "{body}");
    assert!(body.contains("\"slug\""), "{body}");

    // WeChat's refusals are worded in it: a refused "Refresh now" and the
    // overview's last upstream error.
    sim.fault(serde_json::json!({ "endpoint": "token", "errcode": 40164, "errmsg": "invalid ip 192.0.2.1", "times": 1 }))
        .await;
    let (status, body) = post(
        &admin,
        &app,
        "/api/admin/refresh",
        &[("kind", "access_token")],
        &[("accept", "application/json")],
    )
    .await;
    // WeChat's refusal puts the credential in backoff, which is what the
    // refresh answers with (503), naming the errcode and its meaning.
    assert_eq!(status, 503, "{body}");
    let said = message(&body);
    assert!(
        said.starts_with(
            "获取 access_token 时微信返回错误 40164（调用方 IP 不在公众号的 IP 白名单中）；"
        ) && said.ends_with(" 秒后再次向微信请求"),
        "{body}"
    );
    let overview = admin.get(&url("/admin")).await.body;
    assert!(
        overview.contains("微信错误 40164（调用方 IP 不在公众号的 IP 白名单中）：invalid ip 192.0.2.1（已连续失败 1 次）"),
        "{overview}"
    );

    // Empty: the browser's language again.
    let (status, _) = post(&admin, &app, "/api/admin/save_lang", &[("lang", "")], &[]).await;
    assert!(status == 200 || status == 302);
    every_page(&app, &admin, "en", ">Overview<").await;
    let overview = admin.get(&url("/admin")).await.body;
    assert!(
        overview.contains("WeChat error 40164 (the calling IP is not in the account&#x27;s IP whitelist): invalid ip 192.0.2.1 (failures in a row: 1)")
            || overview.contains("WeChat error 40164 (the calling IP is not in the account's IP whitelist): invalid ip 192.0.2.1 (failures in a row: 1)"),
        "{overview}"
    );
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'admin.lang' ORDER BY at_ms",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(audited, ["zh-CN", ""], "each choice is audited");
}

/// Every dashboard route (the enumeration the access tests use) answers 200
/// for `admin`, in `lang`, with the navigation's `overview` link.
async fn every_page(app: &App, admin: &Browser, lang: &str, overview: &str) {
    let (_, routes) = wxkit::web::admin_surface();
    for r in &routes {
        let path = r.replace(":slug", "demo").replace("{slug}", "demo");
        let page = admin.get(&format!("{}{path}", app.base())).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(html_lang(&page.body), lang, "{path}");
        if path != "/admin/sign-in" {
            assert!(page.body.contains(overview), "{path}: the navigation");
        }
    }
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_speaks_the_admins_language_sqlite() {
    the_dashboard_speaks_the_admins_language(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_speaks_the_admins_language_postgres() {
    the_dashboard_speaks_the_admins_language(Db::postgres().await).await;
}
