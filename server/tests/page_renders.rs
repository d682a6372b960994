//! How in-app pages render: the language they speak, the tab they open on,
//! and the part every visitor sees alike, kept once rendered
//! (`app::fragments`) yet always what a render would show. Black-box.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_page_pinned_to_a_language_is_shown_in_it() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (app, admin) = App::with_admin(&sim, &db, &[]).await;
    let shown = |ua: String| {
        let app = &app;
        async move {
            let r = reqwest::Client::new()
                .get(format!("{}/p/demo", app.base()))
                .header("user-agent", ua)
                .send()
                .await
                .unwrap();
            let html = r.text().await.unwrap();
            let lang = html
                .split("<html lang=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or_default()
                .to_string();
            (
                lang,
                html.contains(">Photos</a>"),
                html.contains(">照片</a>"),
            )
        }
    };
    let pin = |lang: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            let mut form =
                common::admin::page_form("demo", "demo", "Demo", "chooseImage,uploadImage");
            form.push(("form[lang]".into(), lang.into()));
            common::admin::post_owned(admin, app, "/api/admin/save_page", &form).await
        }
    };
    // Not pinned: the visitor's.
    assert_eq!(shown(wechat_ua("en")).await, ("en".into(), true, false));
    // Pinned to English: a Chinese-speaking visitor sees English.
    assert_eq!(pin("en").await.0, 200);
    assert_eq!(shown(wechat_ua("zh_CN")).await, ("en".into(), true, false));
    // Pinned to Simplified Chinese.
    assert_eq!(pin("zh-CN").await.0, 200);
    assert_eq!(shown(wechat_ua("en")).await, ("zh-CN".into(), false, true));
    // The editor shows the pin.
    let (status, body) =
        common::admin::post(&admin, &app, "/api/admin/page", &[("slug", "demo")], &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""lang":"zh-CN""#), "{body}");
    // A language wxkit does not speak is refused next to the field.
    let (status, body) = pin("fr").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains(r#""field":"lang""#), "{body}");
    // Unpinned again: the visitor's.
    assert_eq!(pin("").await.0, 200);
    assert_eq!(shown(wechat_ua("en")).await, ("en".into(), true, false));

    // A page for signed-in visitors pinned to English: a declined sign-in is
    // explained in English to a visitor who reads Chinese.
    let mut form = common::admin::page_form("demo-userinfo", "demo-userinfo", "Who", "chooseImage");
    for (k, v) in form.iter_mut() {
        if k == "form[auth_scope]" {
            *v = "snsapi_userinfo".into();
        }
    }
    form.push(("form[lang]".into(), "en".into()));
    let (status, body) =
        common::admin::post_owned(&admin, &app, "/api/admin/save_page", &form).await;
    assert_eq!(status, 200, "{body}");
    let visitor = Browser::with_headers(&[("user-agent", &wechat_ua("zh_CN"))]);
    let refused = visitor.decline(&app, "/p/demo-userinfo").await;
    assert!(
        refused.body.contains(r#"data-kind="refused""#),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(r#"<html lang="en">"#),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("You did not sign in"),
        "{}",
        refused.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn not_found_pages_speak_the_visitors_language() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    for (path, accept, lang, text) in [
        ("/no-such-thing", "en-US", "en", "Page not found"),
        ("/no-such-thing", "zh-CN", "zh-CN", "页面不存在"),
        ("/p/demo/no-such-part", "en", "en", "Page not found"),
        ("/admin/no-such-thing", "zh-CN", "zh-CN", "页面不存在"),
        ("/admin/no-such-thing", "en", "en", "Page not found"),
    ] {
        let r = reqwest::Client::new()
            .get(format!("{}{path}", app.base()))
            .header("accept-language", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("<html lang=\"{lang}\"")),
            "{path} {accept}: {html}"
        );
        assert!(html.contains(text), "{path} {accept}: {html}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tab_opens_the_page_on_that_tab_without_the_island() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let tab_of = |html: &str| {
        let at = html.find("data-tab=\"").expect("the page has tabs") + "data-tab=\"".len();
        html[at..].split('"').next().unwrap().to_string()
    };
    let html = app.html("/p/demo").await;
    assert_eq!(tab_of(&html), "story", "the first tab by default");
    // The tabs submit a GET form, so a tap works before the island loads.
    let form = html
        .find("<form method=\"get\"")
        .expect("the tabs are in a form");
    let tab = html
        .find("name=\"tab\" value=\"about\"")
        .expect("a tab submits its id");
    assert!(form < tab && !html[form..tab].contains("</form>"));
    assert_eq!(tab_of(&app.html("/p/demo?tab=about").await), "about");
    assert_eq!(
        tab_of(&app.html("/p/demo?from=timeline&tab=about").await),
        "about"
    );
    // Only a tab the page has; anything else is not reflected.
    let html = app.html("/p/demo?tab=%3Cscript%3Ex").await;
    assert_eq!(tab_of(&html), "story");
    assert!(!html.contains("<script>x") && !html.contains("script&gt;x"));
}

/// What every visitor sees of a page is rendered once per version of the
/// page and kept: still each language and each tab its own, each signed-in
/// visitor's card theirs, and a saved page shown at once.
#[tokio::test(flavor = "multi_thread")]
async fn kept_renders_follow_the_language_the_tab_the_visitor_and_saves() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (app, admin) = App::with_admin(&sim, &db, &[]).await;
    let shown = |lang: &'static str, path: &'static str| {
        let app = &app;
        async move {
            let html = Browser::with_headers(&[("user-agent", &wechat_ua(lang))])
                .get(&format!("{}{path}", app.base()))
                .await
                .body;
            // What a request adds around the kept part (the signed config,
            // nonces) differs each time: the body from the page's title on.
            let body = &html[html.find("<article").expect("the page's article")..];
            let body = &body[..body.find("</main>").unwrap()];
            body.to_string()
        }
    };
    let mut first = Vec::new();
    for round in 0..2 {
        let en = shown("en", "/p/demo").await;
        let zh = shown("zh_CN", "/p/demo").await;
        let about = shown("en", "/p/demo?tab=about").await;
        assert!(en.contains(">Photos</a>") && !en.contains("照片"), "{en}");
        assert!(
            zh.contains(">照片</a>") && !zh.contains(">Photos</a>"),
            "{zh}"
        );
        assert!(en.contains(r#"data-tab="story""#), "{en}");
        assert!(about.contains(r#"data-tab="about""#) && about.contains(">Photos</a>"));
        if round == 0 {
            first = vec![en, zh, about];
        } else {
            assert_eq!(first, vec![en, zh, about], "kept, the same HTML");
        }
    }

    // Signed-in visitors on the same page: each sees their own card.
    let (alice, bob) = (Browser::new(), Browser::new());
    let page = alice.sign_in(&app, "/p/demo-userinfo", "Alice").await;
    assert!(page.body.contains("Alice"), "{}", page.body);
    let page = bob.sign_in(&app, "/p/demo-userinfo", "Bob").await;
    assert!(page.body.contains("Bob") && !page.body.contains("Alice"));
    let page = alice.get(&format!("{}/p/demo-userinfo", app.base())).await;
    assert!(page.body.contains("Alice") && !page.body.contains("Bob"));

    // Saved: the new page at once, in every language and on every tab.
    common::admin::save_page(&admin, &app, "demo", "demo", "Spring sale").await;
    for (lang, path) in [
        ("en", "/p/demo"),
        ("zh_CN", "/p/demo"),
        ("en", "/p/demo?tab=about"),
    ] {
        let body = shown(lang, path).await;
        assert!(body.contains("Spring sale"), "{lang} {path}: {body}");
    }
}

/// The in-app page's head preloads the tabs island's WASM at low priority,
/// after the scripts `wx.config` needs (Leptos hydrates islands one after the
/// other in document order: the runtime and share islands after the tabs
/// would otherwise wait for its chunks); pages without tabs preload none.
#[tokio::test(flavor = "multi_thread")]
async fn the_page_with_tabs_preloads_their_chunks_after_the_sdk() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let tabs_chunk = r#"<link rel="preload" href="/pkg/split_section_tabs_loader_"#;
    for path in ["/p/demo", "/p/demo?tab=about"] {
        let html = app.html(path).await;
        let head = &html[..html.find("</head>").unwrap()];
        let preload = head.find(tabs_chunk).expect("the tabs' chunk is preloaded");
        let link = &head[preload..];
        let link = &link[..link.find('>').unwrap()];
        assert!(
            link.contains(r#"as="fetch""#)
                && link.contains(" crossorigin")
                && link.contains(r#"fetchpriority="low""#),
            "{link}"
        );
        let sdk = head.find("jweixin").expect("the JS-SDK script");
        assert!(sdk < preload, "the JS-SDK is asked for first: {head}");
        // The script that loads the chunks.
        assert!(head.contains(r#"<link rel="modulepreload" href="/pkg/__wasm_split."#));
    }
    for path in ["/", "/p/demo/photos", "/p/demo/cards", "/p/no-such-page"] {
        let html = app.html(path).await;
        assert!(!html.contains("split_section_tabs_loader_"), "{path}");
    }
}
