//! The admin dashboard, black-box: access control (every admin server function
//! and route), cross-site requests, secrets, sign-in limits, the command line,
//! and what the dashboard changes.

mod common;

use common::admin::*;
use common::*;
use serde_json::{json, Value};

async fn pool(db: &Db) -> sqlx::AnyPool {
    wxkit::db::connect(&db.url()).await.unwrap()
}

/// Everything an admin can change, as one comparable value.
async fn snapshot(db: &Db) -> Vec<String> {
    let pool = pool(db).await;
    let mut out = Vec::new();
    for sql in [
        "SELECT slug || '|' || title || '|' || share_title FROM pages ORDER BY slug",
        "SELECT card_id || '|' || title FROM cards ORDER BY card_id",
        "SELECT card_id || '|' || code || '|' || openid FROM card_codes ORDER BY card_id, code",
        "SELECT media_id FROM media ORDER BY media_id",
        "SELECT action || '|' || target FROM audit_log ORDER BY at_ms",
        "SELECT kind || '|' || value FROM credentials ORDER BY kind",
        "SELECT username FROM admins ORDER BY username",
    ] {
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
        out.push(rows.join("\n"));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn every_admin_function_and_route_refuses_an_anonymous_caller() {
    let (functions, routes) = wxkit::web::admin_surface();
    // The enumeration itself must see the dashboard.
    for expected in [
        "/api/admin/save_page",
        "/api/admin/refresh",
        "/api/admin/delete_media",
        "/api/admin/users",
        "/api/admin/save_card_codes",
    ] {
        assert!(
            functions.iter().any(|f| f == expected),
            "{expected} missing from {functions:?}"
        );
    }
    assert!(
        routes
            .iter()
            .any(|r| r == "/admin/pages/:slug" || r == "/admin/pages/{slug}"),
        "{routes:?}"
    );
    assert!(
        functions.len() >= 18 && routes.len() >= 9,
        "{functions:?} {routes:?}"
    );

    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    add_admin(&db, "root").await;
    // A custom-code card, so that a code-pool upload getting through would show.
    sqlx::query("UPDATE cards SET code_bound = 1 WHERE card_id = 'pwxkitDemoCoupon00000000001'")
        .execute(&pool(&db).await)
        .await
        .unwrap();
    let before = snapshot(&db).await;
    let anonymous = Browser::new();
    // Plausible arguments for every function, so only the session can stop it.
    let form = [
        ("slug", "demo"),
        ("original", "demo"),
        ("form[slug]", "demo"),
        ("form[title]", "defaced"),
        ("form[auth_scope]", "none"),
        ("card_id", "pwxkitDemoCoupon00000000001"),
        ("title", "defaced"),
        ("card_type", "CASH"),
        ("codes", "FORGED0001\nFORGED0002"),
        ("media_id", "x"),
        ("kind", "access_token"),
        ("url", "http://127.0.0.1/"),
        ("q", ""),
        ("page", "1"),
    ];
    for f in &functions {
        if f == "/api/admin/sign_in" {
            continue;
        }
        let (status, body) = post(&anonymous, &app, f, &form, &[]).await;
        assert_eq!(status, 401, "{f}: {body}");
        assert!(body.contains("unauthorized"), "{f}: {body}");
    }
    for r in &routes {
        let path = r.replace(":slug", "demo").replace("{slug}", "demo");
        let page = anonymous.get(&format!("{}{path}", app.base())).await;
        if path == "/admin/sign-in" {
            assert_eq!(page.status, 200);
        } else {
            assert_eq!(page.status, 401, "{path}");
        }
        assert!(
            page.body.contains(r#"data-testid="sign-in""#),
            "{path} shows the sign-in form"
        );
        assert!(
            !page.body.contains("admin-who"),
            "{path} shows no dashboard"
        );
    }
    assert_eq!(
        snapshot(&db).await,
        before,
        "anonymous calls changed nothing"
    );
    assert_eq!(sim.calls("token").await, 0, "no refresh reached WeChat");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cross_site_post_is_refused() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (app, admin) = App::with_admin(&sim, &db, &[]).await;
    let card = [
        ("card_id", "pCrossSite0001"),
        ("title", "Cross"),
        ("card_type", "CASH"),
    ];
    let before = snapshot(&db).await;
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("origin", "null")],
    ] {
        let mut req = admin
            .http
            .post(format!("{}/api/admin/save_card", app.base()))
            .form(&card);
        for (k, v) in &headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 403, "{headers:?}");
    }
    // A Referer from elsewhere (no Origin) is refused too.
    let r = admin
        .http
        .post(format!("{}/api/admin/save_card", app.base()))
        .header("referer", "https://evil.example/page")
        .form(&card)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(snapshot(&db).await, before);
    // The same request from the site itself works.
    let (status, body) = post(&admin, &app, "/api/admin/save_card", &card, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(snapshot(&db).await, before);
    // In-app server functions are covered too.
    let r = Browser::new()
        .http
        .post(format!("{}/api/share_event", app.base()))
        .header("origin", "https://evil.example")
        .form(&[
            ("slug", "demo"),
            ("channel", "timeline"),
            ("outcome", "success"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_is_limited_per_username_and_per_ip() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_SIGN_IN_PER_USER", "3"),
            ("WXKIT_SIGN_IN_PER_IP", "6"),
        ],
    )
    .await;
    add_admin(&db, "root").await;
    add_admin(&db, "ops").await;
    // A browser that names no language: the dashboard's default, Chinese.
    let b = Browser::new();
    for _ in 0..3 {
        let (status, body) = post(
            &b,
            &app,
            "/api/admin/sign_in",
            &[("username", "root"), ("password", "guess guess guess")],
            &[],
        )
        .await;
        assert_eq!(status, 401, "{body}");
        assert!(body.contains("用户名或密码错误"), "{body}");
    }
    // The right password no longer helps for this username...
    let (status, body) = post(
        &b,
        &app,
        "/api/admin/sign_in",
        &[("username", "root"), ("password", PASSWORD)],
        &[],
    )
    .await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("登录尝试次数过多"), "{body}");
    // ...another username still signs in (IP budget: 6, 4 used)...
    let (status, _) = post(
        &b,
        &app,
        "/api/admin/sign_in",
        &[("username", "ops"), ("password", PASSWORD)],
        &[],
    )
    .await;
    assert!(signed(status), "{status}");
    // ...until the IP's budget is spent, whatever the username.
    let (status, _) = post(
        &b,
        &app,
        "/api/admin/sign_in",
        &[("username", "nobody"), ("password", "x")],
        &[],
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = post(
        &b,
        &app,
        "/api/admin/sign_in",
        &[("username", "ops"), ("password", PASSWORD)],
        &[],
    )
    .await;
    assert_eq!(status, 429);
    let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in'")
        .fetch_one(&pool(&db).await)
        .await
        .unwrap();
    assert_eq!(audit, 1, "only the successful sign-in is logged as one");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_line_manages_admins_with_argon2id() {
    let db = Db::sqlite();
    let (ok, out) = admin_cli(&db, &["create", "--username", "root"], "short\n");
    assert!(!ok && out.contains("at least 10 characters"), "{out}");
    create_admin(&db, "root");
    let (ok, out) = admin_cli(
        &db,
        &["create", "--username", "root"],
        &format!("{PASSWORD}\n"),
    );
    assert!(!ok && out.contains("exists already"), "{out}");
    let (ok, out) = admin_cli(&db, &["list"], "");
    assert!(ok && out.contains("root"), "{out}");
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM admins WHERE username = 'root'")
            .fetch_one(&pool(&db).await)
            .await
            .unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(PASSWORD));
    let (ok, out) = admin_cli(
        &db,
        &["passwd", "--username", "root"],
        "another long password\n",
    );
    assert!(ok, "{out}");
    let (ok, out) = admin_cli(
        &db,
        &["passwd", "--username", "ghost"],
        "another long password\n",
    );
    assert!(!ok && out.contains("no admin named"), "{out}");

    let sim = Sim::start();
    let app = App::spawn(&sim, &db, &[]);
    let b = Browser::new();
    let (status, _) = post(
        &b,
        &app,
        "/api/admin/sign_in",
        &[("username", "root"), ("password", PASSWORD)],
        &[],
    )
    .await;
    assert_eq!(status, 401, "the old password no longer works");
    let (status, _) = post(
        &b,
        &app,
        "/api/admin/sign_in",
        &[("username", "root"), ("password", "another long password")],
        &[],
    )
    .await;
    assert!(signed(status), "{status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_reaches_a_dashboard_response() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let mp_token = "mpToken0Secret0Value";
    let (app, admin) = App::with_admin(&sim, &db, &[("WXKIT_MP_TOKEN", mp_token)]).await;
    // Make sure there are tokens and tickets to leak.
    app.sign_ok().await;
    let (status, _) = post(
        &admin,
        &app,
        "/api/admin/refresh",
        &[("kind", "wx_card_ticket")],
        &[],
    )
    .await;
    assert_eq!(status, 200);
    let pool = pool(&db).await;
    let mut secrets: Vec<String> =
        sqlx::query_scalar("SELECT value FROM credentials WHERE value <> ''")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(secrets.len() >= 3, "token and tickets: {secrets:?}");
    secrets.extend([
        SIM_APP_SECRET.to_string(),
        wxkit::config::SIM_CORP_SECRET.to_string(),
        mp_token.to_string(),
    ]);
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM admins")
        .fetch_one(&pool)
        .await
        .unwrap();
    secrets.push(hash);

    let (functions, routes) = wxkit::web::admin_surface();
    let mut bodies = Vec::new();
    for r in &routes {
        let path = r.replace(":slug", "demo").replace("{slug}", "demo");
        let page = admin.get(&format!("{}{path}", app.base())).await;
        assert_eq!(page.status, 200, "{path}");
        bodies.push((path, page.body));
    }
    let debug = admin
        .get(&format!(
            "{}/admin/debugger?url={}/p/demo",
            app.base(),
            app.base()
        ))
        .await;
    assert!(debug.body.contains("«current jsapi_ticket»"));
    bodies.push(("debugger".into(), debug.body));
    for f in functions.iter().filter(|f| {
        !f.contains("sign_")
            && !f.contains("delete")
            && !f.contains("save")
            && !f.contains("refresh")
    }) {
        let (status, body) = post(
            &admin,
            &app,
            f,
            &[("slug", "demo"), ("url", "http://127.0.0.1/")],
            &[],
        )
        .await;
        assert_eq!(status, 200, "{f}: {body}");
        bodies.push((f.clone(), body));
    }
    for (what, body) in &bodies {
        for s in &secrets {
            assert!(!body.contains(s.as_str()), "{what} leaks a secret");
        }
    }
    let account = &bodies
        .iter()
        .find(|(p, _)| p == "/admin/account")
        .unwrap()
        .1;
    assert!(account.contains("set (never shown)"));
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_are_edited_with_inline_validation_and_audited() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (app, admin) = App::with_admin(&sim, &db, &[]).await;
    let page = |title: &str, link: &str| {
        vec![
            ("original".to_string(), "demo".to_string()),
            ("form[slug]".into(), "demo".into()),
            ("form[title]".into(), "wxkit 演示页".into()),
            ("form[body]".into(), "Body".into()),
            ("form[auth_scope]".into(), "none".into()),
            (
                "form[js_api_list]".into(),
                "updateAppMessageShareData,onMenuShareAppMessage".into(),
            ),
            ("form[share_title]".into(), title.into()),
            ("form[share_desc]".into(), "desc".into()),
            ("form[share_link]".into(), link.into()),
            ("form[share_image]".into(), String::new()),
            ("form[timeline_title]".into(), String::new()),
            ("form[timeline_link]".into(), String::new()),
            ("form[timeline_image]".into(), String::new()),
        ]
    };
    let send = |form: Vec<(String, String)>| {
        let admin = &admin;
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            post(admin, app, "/api/admin/save_page", &form, &[]).await
        }
    };
    let before = snapshot(&db).await;
    let (status, body) = send(page("新标题", "https://evil.example/x")).await;
    assert_eq!(status, 400, "{body}");
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"], "invalid");
    assert_eq!(error["fields"][0]["field"], "share_link");
    assert_eq!(
        snapshot(&db).await,
        before,
        "a refused save changes nothing"
    );

    let (status, body) = send(page("新标题", "")).await;
    assert_eq!(status, 200, "{body}");
    // The in-app page has it on its next load.
    let (status, stored) = app.post_form("/api/page", &[("slug", "demo")]).await;
    assert_eq!(status, 200);
    assert_eq!(stored["friend"]["title"], "新标题");
    assert_eq!(
        stored["js_api_list"],
        json!([
            "updateAppMessageShareData",
            "onMenuShareAppMessage",
            "checkJsApi"
        ])
    );
    let audit: Vec<(String, String, String)> =
        sqlx::query_as("SELECT admin, action, target FROM audit_log WHERE action LIKE 'page.%'")
            .fetch_all(&pool(&db).await)
            .await
            .unwrap();
    assert_eq!(
        audit,
        vec![("root".into(), "page.update".into(), "demo".into())]
    );

    // A new page, then its deletion.
    let mut new = page("Spring", "");
    new[0].1 = String::new();
    new[1].1 = "spring-sale".into();
    let (status, body) = send(new.clone()).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(new).await;
    assert_eq!(status, 400, "the slug is taken: {body}");
    assert!(app.html("/p/spring-sale").await.contains("wxkit 演示页"));
    let (status, _) = post(
        &admin,
        &app,
        "/api/admin/delete_page",
        &[("slug", "spring-sale")],
        &[],
    )
    .await;
    assert!(status == 200 || status == 302, "{status}");
    let gone = Browser::new()
        .get(&format!("{}/p/spring-sale", app.base()))
        .await;
    assert_eq!(gone.status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_now_goes_through_the_single_flight_path_and_the_debugger_signs_like_wechat() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (app, admin) = App::with_admin(&sim, &db, &[]).await;
    app.sign_ok().await;
    assert_eq!(sim.calls("getticket:jsapi").await, 1);
    let refreshes = (0..5).map(|_| {
        post(
            &admin,
            &app,
            "/api/admin/refresh",
            &[("kind", "jsapi_ticket")],
            &[],
        )
    });
    for (status, body) in futures::future::join_all(refreshes).await {
        assert_eq!(status, 200, "{body}");
    }
    let fetched = sim.calls("getticket:jsapi").await;
    assert!(
        (2..=6).contains(&fetched),
        "each refresh fetches at most once: {fetched}"
    );
    let (status, body) = post(&admin, &app, "/api/admin/health", &[], &[]).await;
    assert_eq!(status, 200);
    let health: Value = serde_json::from_str(&body).unwrap();
    let jsapi = health
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "jsapi_ticket")
        .unwrap();
    assert_eq!(jsapi["present"], true);
    assert!(jsapi["refresh_count"].as_i64().unwrap() >= 2);
    let (status, _) = post(
        &admin,
        &app,
        "/api/admin/refresh",
        &[("kind", "nonsense")],
        &[],
    )
    .await;
    assert_eq!(status, 400);

    // The official vector (PROTOCOL.md §2).
    let (status, body) = post(
        &admin,
        &app,
        "/api/admin/sign_debug",
        &[
            ("url", "http://mp.weixin.qq.com?params=value"),
            ("nonce", "Wm3WZYTPz0wzccnW"),
            ("timestamp", "1414587457"),
            ("ticket", "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["signature"], "0f9de62fce790f9a083d5c99e95740ceb90c27ed");
    assert_eq!(
        d["string_to_sign"],
        "jsapi_ticket=sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg&noncestr=Wm3WZYTPz0wzccnW&timestamp=1414587457&url=http://mp.weixin.qq.com?params=value"
    );
    // With the account's own ticket: verifiable, never shown.
    let (_, body) = post(
        &admin,
        &app,
        "/api/admin/sign_debug",
        &[("url", &format!("{}/p/demo#x", app.base()))],
        &[],
    )
    .await;
    let d: Value = serde_json::from_str(&body).unwrap();
    assert!(d["string_to_sign"]
        .as_str()
        .unwrap()
        .starts_with("jsapi_ticket=«current jsapi_ticket»&noncestr="));
    let config = json!({ "nonceStr": d["nonce_str"], "timestamp": d["timestamp"], "signature": d["signature"] });
    assert!(verifies(
        &sim.tickets("jsapi").await,
        &config,
        &format!("{}/p/demo", app.base())
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn users_are_searchable_and_paginated_media_and_cards_are_managed() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (app, admin) = App::with_admin(&sim, &db, &[]).await;
    let pool = pool(&db).await;
    for i in 0..25 {
        sqlx::query(
            "INSERT INTO users (account, openid, scope, nickname, first_seen, last_seen)
             VALUES ($1, $2, 'snsapi_userinfo', $3, 1, $4)",
        )
        .bind(SIM_APP_ID)
        .bind(format!("oUser{i:02}"))
        .bind(if i % 5 == 0 {
            format!("小明{i}")
        } else {
            format!("user_{i}")
        })
        .bind(100 + i)
        .execute(&pool)
        .await
        .unwrap();
    }
    let users = |q: &'static str, page: &'static str| {
        let admin = &admin;
        let app = &app;
        async move {
            let (status, body) = post(
                admin,
                app,
                "/api/admin/users",
                &[("q", q), ("page", page)],
                &[],
            )
            .await;
            assert_eq!(status, 200, "{body}");
            serde_json::from_str::<Value>(&body).unwrap()
        }
    };
    let first = users("", "1").await;
    assert_eq!(first["total"], 25);
    assert_eq!(first["users"].as_array().unwrap().len(), 20);
    assert_eq!(
        first["users"][0]["openid"], "oUser24",
        "most recently seen first"
    );
    assert_eq!(users("", "2").await["users"].as_array().unwrap().len(), 5);
    let found = users("小明", "1").await;
    assert_eq!(found["total"], 5);
    // LIKE wildcards are literal.
    assert_eq!(users("%", "1").await["total"], 0);
    // user_1, user_11..14 and user_16..19 (10 and 15 are 小明s); `_` is literal.
    assert_eq!(users("user_1", "1").await["total"], 9);
    let page = admin
        .get(&format!("{}/admin/users?q=%E5%B0%8F%E6%98%8E", app.base()))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("小明10") && !page.body.contains("user_3"));

    // Media: listed, deleted (row and audit), unknown ids refused.
    sqlx::query(
        "INSERT INTO media (media_id, slug, file, content_type, size, uploader, created_at, uploaded_ms)
         VALUES ('m1', 'demo', 'm1.jpg', 'image/jpeg', 2048, 'oUser01', 5, 5)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let gallery = admin.get(&format!("{}/admin/media", app.base())).await;
    assert!(gallery.body.contains("/media/m1.jpg") && gallery.body.contains("oUser01"));
    let (status, body) = post(
        &admin,
        &app,
        "/api/admin/delete_media",
        &[("media_id", "m1")],
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = post(
        &admin,
        &app,
        "/api/admin/delete_media",
        &[("media_id", "m1")],
        &[],
    )
    .await;
    assert_eq!(status, 400);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);

    // Cards: registered with their bindings, offered by the card page.
    let (status, body) = post(
        &admin,
        &app,
        "/api/admin/save_card",
        &[
            ("card_id", "pNewMemberCard01"),
            ("title", "会员卡"),
            ("card_type", "MEMBER_CARD"),
            ("code_bound", "true"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(
        &admin,
        &app,
        "/api/admin/save_card",
        &[
            ("card_id", "pBad"),
            ("title", "x"),
            ("card_type", "NOT_A_TYPE"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let bound: (i64, i64) = sqlx::query_as(
        "SELECT code_bound, openid_bound FROM cards WHERE card_id = 'pNewMemberCard01'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(bound, (1, 0));
    // A code-bound card: its cards page is for signed-in visitors.
    let visitor = Browser::new().sign_in(&app, "/p/demo/cards", "小明").await;
    assert!(visitor.body.contains("会员卡"));
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY at_ms")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        actions,
        vec!["admin.create", "sign_in", "media.delete", "card.save"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_account_is_edited_live_and_its_secrets_stay_write_only() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (app, admin) = App::with_admin(&sim, &db, &[]).await;
    let page = admin.get(&format!("{}/admin/account", app.base())).await;
    assert!(page.body.contains("set (never shown)") && !page.body.contains(SIM_APP_SECRET));
    let other_url = "https://h5.example.com/p/demo";
    assert_eq!(app.sign(other_url).await.0, 400, "not a safe domain yet");

    let edit =
        |secret: &'static str, kind: &'static str, domains: &'static str, mode: &'static str| {
            vec![
                ("form[kind]", kind),
                ("form[app_id]", SIM_APP_ID),
                ("form[app_secret]", secret),
                ("form[corp_id]", ""),
                ("form[corp_secret]", ""),
                ("form[agent_id]", ""),
                ("form[js_domains]", domains),
                ("form[token_mode]", mode),
                ("form[password]", PASSWORD),
            ]
        };
    // Replacing a secret asks for the admin's password again.
    for password in ["", "not the password"] {
        let mut form = edit(
            "another0secret0value",
            "official",
            "127.0.0.1",
            "client_credential",
        );
        form.retain(|(k, _)| *k != "form[password]");
        form.push(("form[password]", password));
        let before = snapshot(&db).await;
        let (status, body) = post(&admin, &app, "/api/admin/save_account", &form, &[]).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("password"), "{body}");
        assert_eq!(snapshot(&db).await, before, "nothing saved");
    }
    // An invalid edit changes nothing.
    let before = snapshot(&db).await;
    let (status, body) = post(
        &admin,
        &app,
        "/api/admin/save_account",
        &edit("", "wecom", "127.0.0.1", "stable"),
        &[],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("corp_id"), "{body}");
    assert_eq!(snapshot(&db).await, before);

    // New safe domain and token mode, secret kept: live at once.
    let (status, body) = post(
        &admin,
        &app,
        "/api/admin/save_account",
        &edit("", "official", "127.0.0.1, h5.example.com", "stable"),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        app.sign(other_url).await.0,
        200,
        "the new safe domain is signed"
    );
    assert_eq!(
        sim.calls("stable_token").await,
        1,
        "the stable token was fetched with the kept secret"
    );

    // A wrong secret: write-only, and WeChat's refusal shows with its errcode.
    let wrong = "wrong0secret0value0xyz";
    let (status, _) = post(
        &admin,
        &app,
        "/api/admin/save_account",
        &edit(wrong, "official", "127.0.0.1", "client_credential"),
        &[],
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = post(
        &admin,
        &app,
        "/api/admin/refresh",
        &[("kind", "access_token")],
        &[],
    )
    .await;
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("40125"), "{body}");
    assert!(!body.contains(wrong));
    let (_, health) = post(&admin, &app, "/api/admin/health", &[], &[]).await;
    assert!(
        health.contains("40125") && !health.contains(wrong),
        "{health}"
    );
    for path in ["/admin/account", "/admin/audit", "/admin"] {
        let page = admin.get(&format!("{}{path}", app.base())).await;
        assert!(!page.body.contains(wrong), "{path} shows the secret");
    }
    let (_, account) = post(&admin, &app, "/api/admin/account", &[], &[]).await;
    assert!(!account.contains(wrong) && !account.contains(SIM_APP_SECRET));
    let details: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'account.update'")
            .fetch_all(&pool(&db).await)
            .await
            .unwrap();
    assert_eq!(details.len(), 2);
    assert!(details.iter().any(|d| d.contains("app_secret replaced")));
    assert!(details.iter().all(|d| !d.contains(wrong)));

    // Another server on the same database starts with the edited account
    // (the environment's default domains would be 127.0.0.1,localhost).
    let second = App::start(&sim, &db, &[]).await;
    let b = signed_in(&second, "root").await;
    let page = b.get(&format!("{}/admin/account", second.base())).await;
    assert!(
        page.body
            .contains(r#"name="form[js_domains]" value="127.0.0.1""#),
        "{}",
        page.body
    );
    assert!(!page.body.contains(wrong));
}
