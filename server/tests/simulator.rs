//! The simulator behaves like WeChat: checked through its HTTP API.

mod common;

use common::*;
use serde_json::{json, Value};

async fn token(sim: &Sim) -> String {
    let v = sim.token_reply().await;
    assert_eq!(v["expires_in"], 7200);
    v["access_token"].as_str().unwrap().to_string()
}

async fn ticket(sim: &Sim, token: &str) -> Value {
    sim.ticket(token, "jsapi").await
}

#[tokio::test]
async fn wrong_appid_or_secret_is_refused() {
    let sim = Sim::start();
    let v = sim
        .get(
            "/_sim/api/cgi-bin/token",
            &[
                ("grant_type", "client_credential"),
                ("appid", "wxnope"),
                ("secret", "x"),
            ],
        )
        .await;
    assert_eq!(v["errcode"], 40013);
    let v = sim
        .get(
            "/_sim/api/cgi-bin/token",
            &[
                ("grant_type", "client_credential"),
                ("appid", SIM_APP_ID),
                ("secret", "x"),
            ],
        )
        .await;
    assert_eq!(v["errcode"], 40125);
}

#[tokio::test]
async fn a_superseded_token_works_for_the_grace_period_only() {
    let sim = Sim::start();
    let old = token(&sim).await;
    let new = token(&sim).await;
    assert_eq!(
        ticket(&sim, &old).await["errcode"],
        0,
        "within the grace period"
    );
    sim.control("clock", json!({ "advance_secs": 301 })).await;
    assert_eq!(ticket(&sim, &old).await["errcode"], 40001);
    assert_eq!(ticket(&sim, &new).await["errcode"], 0);
    sim.control("clock", json!({ "advance_secs": 7200 })).await;
    assert_eq!(ticket(&sim, &new).await["errcode"], 42001, "expired");
    assert_eq!(ticket(&sim, "").await["errcode"], 41001);
}

#[tokio::test]
async fn tickets_rotate_and_expire() {
    let sim = Sim::start();
    let t = token(&sim).await;
    let a = ticket(&sim, &t).await;
    let b = ticket(&sim, &t).await;
    assert_eq!(a["expires_in"], 7200);
    assert_ne!(a["ticket"], b["ticket"]);
    assert_eq!(sim.tickets("jsapi").await.len(), 2);
    sim.control("clock", json!({ "advance_secs": 7201 })).await;
    assert!(sim.tickets("jsapi").await.is_empty());
}

#[tokio::test]
async fn stable_token_is_stable_unless_forced() {
    let sim = Sim::start();
    let body = json!({ "grant_type": "client_credential", "appid": SIM_APP_ID, "secret": SIM_APP_SECRET, "force_refresh": false });
    let url = format!("{}/_sim/api/cgi-bin/stable_token", sim.base());
    let a: Value = sim
        .http
        .post(&url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let b: Value = sim
        .http
        .post(&url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a["access_token"], b["access_token"]);
    let mut forced = body.clone();
    forced["force_refresh"] = json!(true);
    let c: Value = sim
        .http
        .post(&url)
        .json(&forced)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(a["access_token"], c["access_token"]);
}

/// Walks the authorize page's form as a user would; returns the redirect target.
async fn authorize(sim: &Sim, scope: &str, decision: &str) -> url::Url {
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirect
        .post(format!(
            "{}/_sim/open/connect/oauth2/authorize/confirm",
            sim.base()
        ))
        .form(&[
            ("appid", SIM_APP_ID),
            ("redirect_uri", "http://127.0.0.1:9/cb?x=1"),
            ("scope", scope),
            ("state", "abc123"),
            ("nickname", "Tester"),
            ("decision", decision),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap()
}

#[tokio::test]
async fn oauth_codes_work_once_and_expire() {
    let sim = Sim::start();
    let target = authorize(&sim, "snsapi_userinfo", "allow").await;
    let q: std::collections::HashMap<_, _> = target.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "abc123");
    assert_eq!(q["x"], "1");
    let exchange = |code: String| {
        let sim = &sim;
        async move {
            sim.get(
                "/_sim/api/sns/oauth2/access_token",
                &[
                    ("appid", SIM_APP_ID),
                    ("secret", SIM_APP_SECRET),
                    ("code", &code),
                    ("grant_type", "authorization_code"),
                ],
            )
            .await
        }
    };
    let v = exchange(q["code"].clone()).await;
    assert_eq!(v["scope"], "snsapi_userinfo");
    let (web_token, openid) = (
        v["access_token"].as_str().unwrap().to_string(),
        v["openid"].as_str().unwrap().to_string(),
    );
    assert_eq!(
        exchange(q["code"].clone()).await["errcode"],
        40163,
        "a code works once"
    );
    let info = sim
        .get(
            "/_sim/api/sns/userinfo",
            &[
                ("access_token", &web_token),
                ("openid", &openid),
                ("lang", "zh_CN"),
            ],
        )
        .await;
    assert_eq!(info["nickname"], "Tester");
    assert_eq!(
        sim.get(
            "/_sim/api/sns/auth",
            &[("access_token", &web_token), ("openid", &openid)]
        )
        .await["errcode"],
        0
    );
    let refreshed = sim
        .get(
            "/_sim/api/sns/oauth2/refresh_token",
            &[
                ("appid", SIM_APP_ID),
                ("grant_type", "refresh_token"),
                ("refresh_token", v["refresh_token"].as_str().unwrap()),
            ],
        )
        .await;
    assert!(refreshed["access_token"].is_string());

    let late = authorize(&sim, "snsapi_base", "allow").await;
    let code = late
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .to_string();
    sim.control("clock", json!({ "advance_secs": 301 })).await;
    assert_eq!(
        exchange(code).await["errcode"],
        40029,
        "codes expire after 5 minutes"
    );

    let refused = authorize(&sim, "snsapi_userinfo", "deny").await;
    assert!(
        refused.query_pairs().all(|(k, _)| k != "code"),
        "no code when the user refuses"
    );
}

#[tokio::test]
async fn the_authorize_page_checks_parameter_order() {
    let sim = Sim::start();
    let cb = "http%3A%2F%2F127.0.0.1%3A9%2Fcb";
    let good = format!(
        "appid={SIM_APP_ID}&redirect_uri={cb}&response_type=code&scope=snsapi_base&state=s1"
    );
    let bad_order = format!(
        "redirect_uri={cb}&appid={SIM_APP_ID}&response_type=code&scope=snsapi_base&state=s1"
    );
    let bad_scope = format!(
        "appid={SIM_APP_ID}&redirect_uri={cb}&response_type=code&scope=snsapi_all&state=s1"
    );
    let bad_state = format!(
        "appid={SIM_APP_ID}&redirect_uri={cb}&response_type=code&scope=snsapi_base&state=a-b"
    );
    let page = |q: String| {
        let sim = &sim;
        async move {
            sim.http
                .get(format!(
                    "{}/_sim/open/connect/oauth2/authorize?{q}",
                    sim.base()
                ))
                .send()
                .await
                .unwrap()
        }
    };
    let r = page(good).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("#wechat_redirect"),
        "the page checks the fragment"
    );
    // The form posts to the confirm route (relative to .../oauth2/authorize).
    assert!(html.contains(r#"action="authorize/confirm""#), "{html}");
    for q in [bad_order, bad_scope, bad_state] {
        assert_eq!(page(q.clone()).await.status(), 400, "{q}");
    }
}

#[tokio::test]
async fn media_is_served_with_a_token_and_expires() {
    let sim = Sim::start();
    let r: Value = sim
        .http
        .post(format!(
            "{}/_sim/control/media?owner={SIM_APP_ID}&content_type=image/png",
            sim.base()
        ))
        .body(vec![137u8, 80, 78, 71])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let media_id = r["media_id"].as_str().unwrap().to_string();
    let t = token(&sim).await;
    let ok = sim
        .http
        .get(format!("{}/_sim/api/cgi-bin/media/get", sim.base()))
        .query(&[("access_token", t.as_str()), ("media_id", &media_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.headers()["content-type"], "image/png");
    assert_eq!(ok.bytes().await.unwrap().as_ref(), &[137u8, 80, 78, 71]);
    assert_eq!(
        sim.get(
            "/_sim/api/cgi-bin/media/get",
            &[("access_token", &t), ("media_id", "nope")]
        )
        .await["errcode"],
        40007
    );
    sim.control("clock", json!({ "advance_secs": 3 * 86400 }))
        .await;
    let t = token(&sim).await;
    assert_eq!(
        sim.get(
            "/_sim/api/cgi-bin/media/get",
            &[("access_token", &t), ("media_id", &media_id)]
        )
        .await["errcode"],
        40007,
        "media expire after 3 days"
    );
}

#[tokio::test]
async fn wecom_tokens_and_users() {
    let sim = Sim::start();
    let v = sim
        .get(
            "/_sim/qyapi/cgi-bin/gettoken",
            &[
                ("corpid", wxkit::config::SIM_CORP_ID),
                ("corpsecret", "wrong"),
            ],
        )
        .await;
    assert_eq!(v["errcode"], 40001);
    let v = sim
        .get(
            "/_sim/qyapi/cgi-bin/gettoken",
            &[
                ("corpid", wxkit::config::SIM_CORP_ID),
                ("corpsecret", wxkit::config::SIM_CORP_SECRET),
            ],
        )
        .await;
    let token = v["access_token"].as_str().unwrap();
    let t = sim
        .get(
            "/_sim/qyapi/cgi-bin/ticket/get",
            &[("access_token", token), ("type", "agent_config")],
        )
        .await;
    assert_eq!(t["errcode"], 0);
    // An Official Account token is not a corp token.
    let mp = self::token(&sim).await;
    assert_eq!(
        sim.get(
            "/_sim/qyapi/cgi-bin/get_jsapi_ticket",
            &[("access_token", &mp)]
        )
        .await["errcode"],
        40014
    );
}

#[tokio::test]
async fn faults_are_counted_and_run_out() {
    let sim = Sim::start();
    sim.fault(json!({ "endpoint": "token", "errcode": 45009, "times": 2 }))
        .await;
    let q = [
        ("grant_type", "client_credential"),
        ("appid", SIM_APP_ID),
        ("secret", SIM_APP_SECRET),
    ];
    assert_eq!(
        sim.get("/_sim/api/cgi-bin/token", &q).await["errcode"],
        45009
    );
    assert_eq!(
        sim.get("/_sim/api/cgi-bin/token", &q).await["errcode"],
        45009
    );
    assert!(sim.get("/_sim/api/cgi-bin/token", &q).await["access_token"].is_string());
    assert_eq!(sim.calls("token").await, 3);
}
