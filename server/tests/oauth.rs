//! Web authorization (OAuth), WeCom identity and agentConfig, and the
//! message-server check, black-box against the simulator.

mod common;

use common::*;
use serde_json::{json, Value};

const CORP_ID: &str = wxkit::config::SIM_CORP_ID;
const AGENT_ID: &str = wxkit::config::SIM_AGENT_ID;

fn query(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn has_visitor(html: &str, nickname: &str) -> bool {
    html.contains(r#"data-testid="visitor""#) && html.contains(nickname)
}

async fn pool(db: &Db) -> sqlx::AnyPool {
    wxkit::db::connect(&db.url()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_authorize_url_is_built_exactly_and_the_landing_page_signs_itself() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let browser = Browser::new();

    let first = browser
        .get(&format!("{}/p/demo-base?from=timeline", app.base()))
        .await;
    assert_eq!(first.status, 302);
    let authorize = first.location.clone().unwrap();
    let state = query(&authorize)["state"].clone();
    assert!(state.len() <= 128 && state.chars().all(|c| c.is_ascii_alphanumeric()));
    let redirect: String =
        url::form_urlencoded::byte_serialize(format!("{}/oauth/callback", app.base()).as_bytes())
            .collect();
    assert_eq!(
        authorize,
        format!(
            "{}/_sim/open/connect/oauth2/authorize?appid={SIM_APP_ID}&redirect_uri={redirect}&response_type=code&scope=snsapi_base&state={state}#wechat_redirect",
            sim.base()
        )
    );
    // The simulated WeChat accepts it as the real one would.
    let page = browser.get(&authorize).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("sim-consent"), "{}", page.body);

    let back = browser.consent(&authorize, "阿静", true).await;
    assert!(back.starts_with(&format!("{}/oauth/callback?code=", app.base())));
    let callback = browser.get(&back).await;
    assert_eq!(callback.status, 302);
    assert_eq!(
        callback.location.as_deref(),
        Some("/p/demo-base?from=timeline")
    );
    let landing = browser
        .get(&format!("{}/p/demo-base?from=timeline", app.base()))
        .await;
    assert_eq!(landing.status, 200);
    assert!(landing.body.contains(r#"data-testid="visitor""#));
    assert!(landing.body.contains(r#"data-scope="snsapi_base""#));

    // The landing page's config is for its own URL: never the authorize or callback URL.
    let config = embedded_config(&landing.body);
    let tickets = sim.tickets("jsapi").await;
    assert!(verifies(
        &tickets,
        &config,
        &format!("{}/p/demo-base?from=timeline", app.base())
    ));
    assert!(!verifies(&tickets, &config, &back));
    assert_eq!(sim.calls("oauth_access_token").await, 1);
    assert_eq!(sim.calls("userinfo").await, 0, "snsapi_base has no profile");
}

async fn userinfo_flow(db: Db) {
    let sim = Sim::start();
    let app = App::start(&sim, &db, &[]).await;
    let browser = Browser::new();
    let landing = browser.sign_in(&app, "/p/demo-userinfo", "小明").await;
    assert_eq!(landing.status, 200);
    assert!(has_visitor(&landing.body, "小明"), "{}", landing.body);
    assert!(landing.body.contains("/_sim/open/avatar/"));
    assert_eq!(sim.calls("userinfo").await, 1);

    let pool = pool(&db).await;
    let (openid, scope, nickname, avatar, first, last): (String, String, String, String, i64, i64) =
        sqlx::query_as(
            "SELECT openid, scope, nickname, avatar_url, first_seen, last_seen FROM users WHERE account = $1",
        )
        .bind(SIM_APP_ID)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(openid.starts_with('o'));
    assert_eq!(scope, "snsapi_userinfo");
    assert_eq!(nickname, "小明");
    assert!(avatar.contains("/_sim/open/avatar/"));
    assert!(first > 0 && last >= first);
    let tokens: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM web_tokens WHERE openid = $1")
        .bind(&openid)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(tokens, 1);
    // The web token stays on the server.
    let token: String = sqlx::query_scalar("SELECT access_token FROM web_tokens")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!landing.body.contains(&token));

    // The session remembers the visitor: no second trip to WeChat.
    let again = browser
        .get(&format!("{}/p/demo-userinfo", app.base()))
        .await;
    assert_eq!(again.status, 200);
    assert!(has_visitor(&again.body, "小明"));
    // A userinfo session also covers base pages.
    let base = browser.get(&format!("{}/p/demo-base", app.base())).await;
    assert_eq!(base.status, 200);
    assert_eq!(sim.calls("oauth_access_token").await, 1);
    // Another browser is a stranger.
    let stranger = Browser::new()
        .get(&format!("{}/p/demo-userinfo", app.base()))
        .await;
    assert_eq!(stranger.status, 302);
}

#[tokio::test(flavor = "multi_thread")]
async fn userinfo_flow_on_sqlite() {
    userinfo_flow(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn userinfo_flow_on_postgres() {
    userinfo_flow(Db::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_session_cookie_is_http_only_and_lax() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/p/demo-base", app.base()))
        .send()
        .await
        .unwrap();
    // Sent to WeChat: only the attempt's own cookie, no session.
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let attempt = &cookies[0];
    assert!(attempt.starts_with("wxkit_oauth="), "{attempt}");
    assert!(
        attempt.contains("HttpOnly") && attempt.contains("SameSite=Lax"),
        "{attempt}"
    );
    assert!(attempt.contains("Path=/oauth/callback"), "{attempt}");
    assert!(!attempt.contains("Secure"), "plain http origin: {attempt}");
    // Back from WeChat: the session cookie.
    let browser = Browser::new();
    let first = browser.get(&format!("{}/p/demo-base", app.base())).await;
    let back = browser
        .consent(first.location.as_deref().unwrap(), "饼干", true)
        .await;
    let r = browser.http.get(&back).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("wxkit_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http origin: {cookie}");
    // Pages without authorization set no cookie.
    let open = reqwest::get(format!("{}/p/demo", app.base()))
        .await
        .unwrap();
    assert!(open.headers().get("set-cookie").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_states_are_refused_before_any_exchange() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let alice = Browser::new();
    let mallory = Browser::new();

    // Missing and forged states.
    let missing = alice
        .get(&format!("{}/oauth/callback?code=abc", app.base()))
        .await;
    assert_eq!(missing.status, 400);
    assert!(missing.body.contains(r#"data-kind="missing_state""#));
    let forged = alice
        .get(&format!(
            "{}/oauth/callback?code=abc&state=forged0state0123",
            app.base()
        ))
        .await;
    assert_eq!(forged.status, 400);
    assert!(forged.body.contains(r#"data-kind="unknown_state""#));

    // A state from another cookie: Mallory's attempt, completed in Alice's browser.
    let start = mallory.get(&format!("{}/p/demo-base", app.base())).await;
    let back = mallory
        .consent(start.location.as_deref().unwrap(), "Mallory", true)
        .await;
    let crossed = alice.get(&back).await;
    assert_eq!(crossed.status, 403);
    assert!(crossed.body.contains(r#"data-kind="other_session""#));

    assert_eq!(
        sim.calls("oauth_access_token").await,
        0,
        "no code exchange for a bad state"
    );

    // The crossed state was not used up: Mallory, whose attempt it is, still
    // completes it (WeChat's webview may load the redirect once without the
    // cookie, then again with it).
    let mallory_in = mallory.get(&back).await;
    assert_eq!(mallory_in.status, 302, "{}", mallory_in.body);
    assert_eq!(mallory_in.location.as_deref(), Some("/p/demo-base"));
    assert_eq!(sim.calls("oauth_access_token").await, 1);

    // A replayed callback: in the same, signed-in browser it returns to the
    // page (no second exchange); in another browser it is refused.
    let again = mallory.get(&back).await;
    assert_eq!(again.status, 302);
    assert_eq!(again.location.as_deref(), Some("/p/demo-base"));
    let page = mallory.get(&format!("{}/p/demo-base", app.base())).await;
    assert_eq!(page.status, 200, "the signed-in visitor sees the page");
    let stranger = Browser::new().get(&back).await;
    assert_eq!(stranger.status, 403);
    assert!(stranger.body.contains(r#"data-kind="other_session""#));
    assert_eq!(sim.calls("oauth_access_token").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_attempt_expires() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[("WXKIT_OAUTH_ATTEMPT_SECS", "1")]).await;
    let alice = Browser::new();
    let start = alice.get(&format!("{}/p/demo-base", app.base())).await;
    let back = alice
        .consent(start.location.as_deref().unwrap(), "Alice", true)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let expired = alice.get(&back).await;
    assert_eq!(expired.status, 400);
    assert!(expired.body.contains(r#"data-kind="expired_state""#));
    assert_eq!(sim.calls("oauth_access_token").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn anonymous_page_views_write_nothing() {
    for db in [Db::sqlite(), Db::postgres().await] {
        let sim = Sim::start();
        let app = App::start(&sim, &db, &[]).await;
        let pool = pool(&db).await;
        let rows = |table: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        let before = (rows("sessions").await, rows("oauth_states").await);
        for i in 0..300 {
            // Cookieless, like a crawler or a flood: each is sent to WeChat.
            let r = Browser::new()
                .get(&format!("{}/p/demo-userinfo?n={i}", app.base()))
                .await;
            assert_eq!(r.status, 302);
        }
        assert_eq!(
            (rows("sessions").await, rows("oauth_states").await),
            before,
            "cookieless GETs of a protected page stored nothing"
        );
        // A sign-in stores exactly one session and one used state.
        Browser::new()
            .sign_in(&app, "/p/demo-userinfo", "一位访客")
            .await;
        assert_eq!(rows("sessions").await, before.0 + 1);
        assert_eq!(rows("oauth_states").await, before.1 + 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_offers_to_try_again() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let browser = Browser::new();
    let start = browser
        .get(&format!("{}/p/demo-userinfo", app.base()))
        .await;
    let back = browser
        .consent(start.location.as_deref().unwrap(), "", false)
        .await;
    assert!(!back.contains("code="));
    let refused = browser.get(&back).await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains(r#"data-kind="refused""#));
    assert!(refused.body.contains(r#"href="/p/demo-userinfo""#));
    assert_eq!(sim.calls("oauth_access_token").await, 0);
    let landing = browser.sign_in(&app, "/p/demo-userinfo", "回心转意").await;
    assert!(has_visitor(&landing.body, "回心转意"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reused_code_is_explained_then_a_fresh_attempt_succeeds() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let first = Browser::new();
    let start = first.get(&format!("{}/p/demo-userinfo", app.base())).await;
    let back = first
        .consent(start.location.as_deref().unwrap(), "小红", true)
        .await;
    let code = query(&back)["code"].clone();
    assert_eq!(first.get(&back).await.status, 302);

    // The same code with a fresh, valid state of another attempt (in an
    // English browser: the page explains in English).
    let second = Browser::with_headers(&[("accept-language", "en-GB,en;q=0.9")]);
    let start = second.get(&format!("{}/p/demo-userinfo", app.base())).await;
    let state = query(start.location.as_deref().unwrap())["state"].clone();
    let reused = second
        .get(&format!(
            "{}/oauth/callback?code={code}&state={state}",
            app.base()
        ))
        .await;
    assert_eq!(reused.status, 502);
    assert!(
        reused.body.contains(r#"data-errcode="40163""#),
        "{}",
        reused.body
    );
    assert!(reused.body.contains("the OAuth code has been used already"));
    assert!(reused.body.contains(r#"href="/p/demo-userinfo""#));
    // Trying again works.
    let landing = second.sign_in(&app, "/p/demo-userinfo", "小红").await;
    assert!(has_visitor(&landing.body, "小红"));
}

#[tokio::test(flavor = "multi_thread")]
async fn return_targets_never_leave_the_site() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    for next in [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "https:evil.example",
    ] {
        let browser = Browser::new();
        let enc: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
        let start = browser
            .get(&format!(
                "{}/oauth/start?scope=snsapi_base&next={enc}",
                app.base()
            ))
            .await;
        assert_eq!(start.status, 302);
        let back = browser
            .consent(start.location.as_deref().unwrap(), "x", true)
            .await;
        // An extra `next` on the callback changes nothing either.
        let done = browser.get(&format!("{back}&next={enc}")).await;
        assert_eq!(done.status, 302);
        assert_eq!(done.location.as_deref(), Some("/"), "next={next}");
    }
    // A page URL carrying `next` returns to that page on this site.
    let browser = Browser::new();
    let start = browser
        .get(&format!("{}/p/demo-base?next=//evil.example", app.base()))
        .await;
    let back = browser
        .consent(start.location.as_deref().unwrap(), "y", true)
        .await;
    let done = browser.get(&back).await;
    let to = done.location.unwrap();
    assert!(to.starts_with("/p/demo-base?"), "{to}");
}

#[tokio::test(flavor = "multi_thread")]
async fn web_tokens_are_refreshed_then_authorization_starts_again() {
    let sim = Sim::start();
    let db = Db::sqlite();
    // Fetch the profile on every visit, so every visit uses the web token.
    let app = App::start(&sim, &db, &[("WXKIT_PROFILE_TTL_SECS", "0")]).await;
    let browser = Browser::new();
    let page = format!("{}/p/demo-userinfo", app.base());
    assert!(has_visitor(
        &browser.sign_in(&app, "/p/demo-userinfo", "老王").await.body,
        "老王"
    ));

    // The landing visit and this one: each checks the token with sns/auth, then uses it.
    let visit = browser.get(&page).await;
    assert_eq!(visit.status, 200);
    assert_eq!(sim.calls("sns_auth").await, 2);
    assert_eq!(sim.calls("oauth_refresh_token").await, 0);
    assert_eq!(sim.calls("userinfo").await, 3);

    // WeChat expired it (its clock moved on): sns/auth refuses, the token is refreshed.
    sim.control("clock", json!({ "advance_secs": 7300 })).await;
    let visit = browser.get(&page).await;
    assert_eq!(visit.status, 200, "{}", visit.body);
    assert!(has_visitor(&visit.body, "老王"));
    assert_eq!(sim.calls("sns_auth").await, 3);
    assert_eq!(sim.calls("oauth_refresh_token").await, 1);
    assert_eq!(sim.calls("userinfo").await, 4);

    // The refresh_token expired too (30 days): the visitor is sent to WeChat again.
    sim.control("clock", json!({ "advance_secs": 31 * 86400 }))
        .await;
    let visit = browser.get(&page).await;
    assert_eq!(visit.status, 302);
    assert!(visit
        .location
        .unwrap()
        .contains("/_sim/open/connect/oauth2/authorize?"));
    assert_eq!(sim.calls("oauth_refresh_token").await, 2);
    // ...and signing in again works.
    assert!(has_visitor(
        &browser.sign_in(&app, "/p/demo-userinfo", "老王").await.body,
        "老王"
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_expired_by_our_clock_is_refreshed_without_a_check() {
    let sim = Sim::start();
    let db = Db::sqlite();
    sim.lifetimes(json!({ "web_token_ttl": 30 })).await;
    let app = App::start(&sim, &db, &[("WXKIT_PROFILE_TTL_SECS", "0")]).await;
    let browser = Browser::new();
    // The landing visit and the next one each refresh: the token WeChat gave
    // lives 30 s, inside the 60 s safety margin.
    browser.sign_in(&app, "/p/demo-userinfo", "小李").await;
    let visit = browser
        .get(&format!("{}/p/demo-userinfo", app.base()))
        .await;
    assert_eq!(visit.status, 200);
    assert!(has_visitor(&visit.body, "小李"));
    assert_eq!(sim.calls("sns_auth").await, 0);
    assert_eq!(sim.calls("oauth_refresh_token").await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn server_functions_of_protected_pages_need_a_session() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let (status, body) = app
        .post_form("/api/page", &[("slug", "demo-userinfo")])
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "unauthorized");
    let (status, _) = app
        .post_form(
            "/api/share_event",
            &[
                ("slug", "demo-base"),
                ("channel", "timeline"),
                ("outcome", "success"),
            ],
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = app.post_form("/api/page", &[("slug", "demo")]).await;
    assert_eq!(status, 200);

    let browser = Browser::new();
    browser.sign_in(&app, "/p/demo-userinfo", "有权").await;
    let r = browser
        .http
        .post(format!("{}/api/page", app.base()))
        .form(&[("slug", "demo-userinfo")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["slug"], "demo-userinfo");
}

#[tokio::test(flavor = "multi_thread")]
async fn wecom_members_sign_in_and_pages_get_a_corp_and_agent_config() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[("WXKIT_ACCOUNT_KIND", "wecom")]).await;
    let browser = Browser::new();
    let start = browser.get(&format!("{}/p/demo-wecom", app.base())).await;
    assert_eq!(start.status, 302);
    let authorize = start.location.clone().unwrap();
    assert!(
        authorize.contains(&format!("?appid={CORP_ID}&redirect_uri="))
            && authorize.ends_with(&format!("&agentid={AGENT_ID}#wechat_redirect")),
        "{authorize}"
    );
    // The simulated WeCom accepts the URL.
    assert_eq!(browser.get(&authorize).await.status, 200);
    let landing = browser.sign_in(&app, "/p/demo-wecom", "张工").await;
    assert_eq!(landing.status, 200);
    assert!(
        landing.body.contains(r#"data-openid="sim."#),
        "{}",
        landing.body
    );
    assert!(has_visitor(&landing.body, "张工"));
    assert_eq!(sim.calls("wecom_getuserinfo").await, 1);
    assert_eq!(sim.calls("wecom_user_get").await, 1);
    assert_eq!(sim.calls("oauth_access_token").await, 0);

    let config = embedded_config(&landing.body);
    let url = format!("{}/p/demo-wecom", app.base());
    assert_eq!(config["appId"], CORP_ID);
    assert!(verifies(&sim.tickets("corp_jsapi").await, &config, &url));
    let agent = &config["agent"];
    assert_eq!(agent["corpid"], CORP_ID);
    assert_eq!(agent["agentid"], AGENT_ID);
    assert_eq!(
        agent["jsApiList"],
        json!(["selectEnterpriseContact", "openUserProfile"])
    );
    assert!(verifies(&sim.tickets("agent_config").await, agent, &url));
    assert!(!config["jsApiList"]
        .as_array()
        .unwrap()
        .contains(&json!("selectEnterpriseContact")));
    // The simulated client agrees, and refuses a tampered agent signature.
    let check = |signature: &Value| {
        json!({ "corpid": agent["corpid"], "agentid": agent["agentid"], "timestamp": agent["timestamp"].to_string(),
                "nonceStr": agent["nonceStr"], "signature": signature, "url": url })
    };
    assert_eq!(
        sim.client_post("verify_agent", check(&agent["signature"]))
            .await,
        json!({ "ok": true })
    );
    let bad = sim
        .client_post("verify_agent", check(&json!("0".repeat(40))))
        .await;
    assert_eq!(bad["error"], "invalid signature");

    // An Official Account page never gets an agentConfig.
    let official_db = Db::sqlite();
    let official = App::start(&sim, &official_db, &[]).await;
    let html = official.html("/p/demo").await;
    assert!(embedded_config(&html).get("agent").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_message_server_answers_echostr_only_to_a_good_signature() {
    use sha1::{Digest, Sha1};
    let sim = Sim::start();
    let db = Db::sqlite();
    let token = "wxkitMpToken2026";
    let app = App::start(&sim, &db, &[("WXKIT_MP_TOKEN", token)]).await;
    let (timestamp, nonce, echostr) = ("1714000000", "8237645", "6598430947561230789");
    let mut parts = [token, timestamp, nonce];
    parts.sort();
    let good = hex::encode(Sha1::digest(parts.concat().as_bytes()));
    let url = |sig: &str, account: &str| {
        format!(
            "{}/wechat/{account}/messages?signature={sig}&timestamp={timestamp}&nonce={nonce}&echostr={echostr}",
            app.base()
        )
    };
    let ok = reqwest::get(url(&good, SIM_APP_ID)).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), echostr);
    let bad = reqwest::get(url(&"f".repeat(40), SIM_APP_ID))
        .await
        .unwrap();
    assert_eq!(bad.status(), 403);
    assert!(!bad.text().await.unwrap().contains(echostr));
    let other = reqwest::get(url(&good, "wxanotheraccount")).await.unwrap();
    assert_eq!(other.status(), 404);

    // Without a token nothing verifies.
    let plain_db = Db::sqlite();
    let plain = App::start(&sim, &plain_db, &[]).await;
    let r = reqwest::get(format!(
        "{}/wechat/{SIM_APP_ID}/messages?signature={good}&timestamp={timestamp}&nonce={nonce}&echostr={echostr}",
        plain.base()
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn outcome_pages_speak_the_visitors_language() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let (zh, en) = (wechat_ua("zh_CN"), wechat_ua("en"));
    for (ua, lang, texts) in [
        (&zh, "zh-CN", ["你拒绝了授权", "重试", "返回首页"]),
        (
            &en,
            "en",
            ["You did not sign in", "Try again", "Back to the start"],
        ),
    ] {
        let browser = Browser::with_headers(&[("user-agent", ua.as_str())]);
        let refused = browser.decline(&app, "/p/demo-userinfo").await;
        assert!(refused.body.contains(r#"data-kind="refused""#));
        assert!(
            refused.body.contains(&format!("<html lang=\"{lang}\">")),
            "{}",
            refused.body
        );
        for text in texts {
            assert!(
                refused.body.contains(text),
                "{lang}: {text} in {}",
                refused.body
            );
        }
    }
    // A WeChat error: its meaning in the visitor's language, WeChat's own
    // errmsg as WeChat wrote it.
    let browser = Browser::with_headers(&[("user-agent", zh.as_str())]);
    let start = browser
        .get(&format!("{}/p/demo-userinfo", app.base()))
        .await;
    let state = query(start.location.as_deref().unwrap())["state"].clone();
    let made_up = browser
        .get(&format!(
            "{}/oauth/callback?code=madeUpCode&state={state}",
            app.base()
        ))
        .await;
    assert!(
        made_up.body.contains(r#"data-errcode="40029""#),
        "{}",
        made_up.body
    );
    assert!(
        made_up.body.contains("微信错误码 40029：OAuth code 无效"),
        "{}",
        made_up.body
    );
    assert!(
        made_up.body.contains("微信返回：invalid code"),
        "{}",
        made_up.body
    );
    // A link that is not one the site issued, to a browser that prefers English.
    let english = Browser::with_headers(&[("accept-language", "en-US,en;q=0.9,zh;q=0.8")]);
    let forged = english
        .get(&format!(
            "{}/oauth/callback?code=c&state=forged",
            app.base()
        ))
        .await;
    assert!(
        forged.body.contains(r#"<html lang="en">"#),
        "{}",
        forged.body
    );
    assert!(
        forged.body.contains("open the page again"),
        "{}",
        forged.body
    );
}
