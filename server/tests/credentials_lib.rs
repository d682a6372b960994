//! The credentials module through its library API, against the simulator.

mod common;

use common::*;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use wxkit::accounts::{Account, AccountSettings};
use wxkit::config::{
    AccountKind, TokenMode, WeComConfig, SIM_AGENT_ID, SIM_CORP_ID, SIM_CORP_SECRET,
};
use wxkit::credentials::{Credentials, Kind, Settings, Upstream};

async fn credentials(sim: &Sim, db: &Db) -> Arc<Credentials> {
    credentials_in(sim, db, TokenMode::ClientCredential).await
}

async fn credentials_in(sim: &Sim, db: &Db, token_mode: TokenMode) -> Arc<Credentials> {
    let pool = wxkit::db::connect(&db.url()).await.unwrap();
    wxkit::db::migrate(&pool).await.unwrap();
    let account = AccountSettings {
        kind: AccountKind::Official,
        app_id: SIM_APP_ID.into(),
        app_secret: SecretString::from(SIM_APP_SECRET.to_string()),
        token_mode,
        wecom: Some(WeComConfig {
            corp_id: SIM_CORP_ID.into(),
            secret: SecretString::from(SIM_CORP_SECRET.to_string()),
            agent_id: SIM_AGENT_ID.into(),
        }),
        js_domains: vec!["127.0.0.1".into()],
    };
    let upstream = Upstream {
        api: Arc::new(wxkit::wechat::Api {
            client: wxkit::wechat::Client::new(Duration::from_secs(5)),
            mp: sim.api(),
            wecom: format!("{}/_sim/qyapi", sim.base()),
            open: format!("{}/_sim/open", sim.base()),
        }),
        account: Account::load(pool.clone(), account).await.unwrap(),
    };
    let settings = Settings {
        margin: Duration::from_secs(300),
        backoff_base: Duration::from_millis(100),
        backoff_max: Duration::from_secs(5),
        lease: Duration::from_secs(20),
        resync: Duration::from_secs(30),
        wait: Duration::from_secs(30),
    };
    Arc::new(Credentials::new(pool, upstream, settings))
}

#[tokio::test(flavor = "multi_thread")]
async fn invalidation_only_hits_the_token_that_failed() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let creds = credentials(&sim, &db).await;
    let t1 = creds.get(Kind::AccessToken).await.unwrap();
    creds
        .invalidate(Kind::AccessToken, "some-older-token")
        .await
        .unwrap();
    assert_eq!(creds.get(Kind::AccessToken).await.unwrap(), t1);
    assert_eq!(
        sim.calls("token").await,
        1,
        "a stale invalidation must not refetch"
    );
    creds.invalidate(Kind::AccessToken, &t1).await.unwrap();
    let t2 = creds.get(Kind::AccessToken).await.unwrap();
    assert_ne!(t1, t2);
    assert_eq!(sim.calls("token").await, 2);
    // A second process that still holds t1 reports it: t2 stays.
    let other = credentials(&sim, &db).await;
    other.invalidate(Kind::AccessToken, &t1).await.unwrap();
    assert_eq!(other.get(Kind::AccessToken).await.unwrap(), t2);
    assert_eq!(sim.calls("token").await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn call_with_token_retries_once_after_40001() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let creds = credentials(&sim, &db).await;
    let first = creds.get(Kind::AccessToken).await.unwrap();
    sim.control("revoke", serde_json::json!({})).await;
    let client = wxkit::wechat::Client::new(Duration::from_secs(5));
    let url = format!("{}/cgi-bin/ticket/getticket", sim.api());
    let used = std::sync::Mutex::new(Vec::new());
    let reply: serde_json::Value = creds
        .call_with_token(Kind::AccessToken, |token| {
            used.lock().unwrap().push(token.clone());
            let (client, url) = (client.clone(), url.clone());
            async move {
                client
                    .get_json(&url, &[("access_token", token.as_str()), ("type", "jsapi")])
                    .await
            }
        })
        .await
        .unwrap();
    assert!(reply["ticket"].is_string());
    let used = used.into_inner().unwrap();
    assert_eq!(used.len(), 2, "one refused call, one retry");
    assert_eq!(used[0], first);
    assert_ne!(used[1], first);
}

#[tokio::test(flavor = "multi_thread")]
async fn wecom_tickets_share_one_corp_token() {
    let sim = Sim::start();
    let db = Db::postgres().await;
    let creds = credentials(&sim, &db).await;
    let jsapi = creds.get(Kind::WeComJsapiTicket).await.unwrap();
    let agent = creds.get(Kind::WeComAgentTicket).await.unwrap();
    assert_ne!(jsapi, agent);
    assert_eq!(sim.calls("wecom_gettoken").await, 1);
    assert_eq!(sim.calls("wecom_jsapi_ticket").await, 1);
    assert_eq!(sim.calls("wecom_ticket:agent_config").await, 1);
    assert_eq!(sim.tickets("corp_jsapi").await, vec![jsapi]);
    assert_eq!(sim.tickets("agent_config").await, vec![agent]);
    let card = creds.get(Kind::CardTicket).await.unwrap();
    assert_eq!(sim.tickets("wx_card").await, vec![card]);
    let health = creds.health(app::i18n::Lang::En).await.unwrap();
    let present: Vec<_> = health
        .iter()
        .filter(|h| h.present)
        .map(|h| h.kind.as_str())
        .collect();
    assert_eq!(
        present,
        [
            "access_token",
            "wx_card_ticket",
            "wecom_access_token",
            "wecom_jsapi_ticket",
            "wecom_agent_ticket"
        ],
        "the jsapi_ticket was never asked for: {health:?}"
    );
    assert!(!format!("{health:?}").contains(SIM_APP_SECRET));
}

/// stable_token in its normal mode hands out the same token while it is
/// valid (WeChat's "获取稳定版接口调用凭据": 普通模式 does not renew it). A
/// refresh inside the margin that gets the same token back must not be
/// repeated until the token expires (asking again would only return the same
/// token with less time left, ever more often); after expiry a new one comes.
#[tokio::test(flavor = "multi_thread")]
async fn stable_mode_asks_once_in_the_margin_then_at_expiry() {
    let sim = Sim::start();
    // Tokens live 8 s; the effective margin is half of that (4 s).
    sim.lifetimes(serde_json::json!({ "token_ttl": 8 })).await;
    let db = Db::sqlite();
    let creds = credentials_in(&sim, &db, TokenMode::Stable).await;
    let first = creds.get(Kind::AccessToken).await.unwrap();
    let started = std::time::Instant::now();
    // Until 7 s: every answer is the first token, fetched once, refreshed once.
    while started.elapsed() < Duration::from_millis(7000) {
        assert_eq!(creds.get(Kind::AccessToken).await.unwrap(), first);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        sim.calls("stable_token").await,
        2,
        "the first fetch and one refresh in the margin, which got the same token"
    );
    // After expiry (8 s, with a second of slack for whole-second clocks).
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let next = creds.get(Kind::AccessToken).await.unwrap();
    assert_ne!(next, first, "a new token once the first expired");
    assert_eq!(sim.calls("stable_token").await, 3);
}
