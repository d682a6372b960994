//! Card signatures on the public internet, black-box: only registered cards
//! are signed, the request never chooses a cardExt's openid or code, bound
//! cards need a signed-in visitor (and put the cards page behind sign-in),
//! custom-code cards hand each visitor one code from the admin's pool, and
//! every signature counts against the caller's rate limits.

mod common;

use common::*;
use serde_json::Value;
use sha1::{Digest, Sha1};
use std::collections::BTreeSet;

const DEMO_CARD: &str = "pwxkitDemoCoupon00000000001";

async fn pool(db: &Db) -> sqlx::AnyPool {
    wxkit::db::connect(&db.url()).await.unwrap()
}

/// Registers `card_id` straight in the database.
async fn register(db: &Db, card_id: &str, code_bound: bool, openid_bound: bool) {
    sqlx::query(
        "INSERT INTO cards (card_id, title, card_type, code_bound, openid_bound)
         VALUES ($1, $2, 'GIFT', $3, $4)",
    )
    .bind(card_id)
    .bind(format!("Card {card_id}"))
    .bind(i64::from(code_bound))
    .bind(i64::from(openid_bound))
    .execute(&pool(db).await)
    .await
    .unwrap();
}

/// `POST path` from `b` (same site): (status, JSON body or null).
async fn post(b: &Browser, app: &App, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let r = b
        .http
        .post(format!("{}{path}", app.base()))
        .header("origin", app.base())
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The openid the simulated WeChat gives the person called `nickname`.
fn openid_of(nickname: &str) -> String {
    let digest = hex::encode(Sha1::digest(format!("{SIM_APP_ID}:{nickname}").as_bytes()));
    format!("o{}", &digest[..27])
}

/// A visitor WeChat identified as `nickname`.
async fn visitor(app: &App, nickname: &str) -> Browser {
    let b = Browser::new();
    let page = b.sign_in(app, "/p/demo-userinfo", nickname).await;
    assert_eq!(page.status, 200, "{}", page.body);
    b
}

/// A cardExt's fields, after checking its signature as WeChat does (Appendix
/// 4: the non-empty values of api_ticket, timestamp, card_id, code, openid and
/// nonce_str, sorted, concatenated, SHA-1) with one of the wx_card tickets.
async fn verified_ext(sim: &Sim, card_id: &str, ext: &Value) -> Value {
    let ext: Value = serde_json::from_str(ext.as_str().expect("cardExt is a JSON string")).unwrap();
    let s = |k: &str| ext[k].as_str().unwrap_or_default().to_string();
    let ok = sim.tickets("wx_card").await.iter().any(|ticket| {
        let mut values: Vec<String> = [
            ticket.clone(),
            s("timestamp"),
            card_id.to_string(),
            s("code"),
            s("openid"),
            s("nonce_str"),
        ]
        .into_iter()
        .filter(|v| !v.is_empty())
        .collect();
        values.sort();
        hex::encode(Sha1::digest(values.concat().as_bytes())) == s("signature")
    });
    assert!(ok, "the cardExt verifies with a wx_card ticket: {ext}");
    ext
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_cards_are_never_signed() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let anyone = Browser::new();
    for (path, form) in [
        ("/api/card_ext", vec![("card_id", "pNotRegistered0001")]),
        ("/api/card_sign", vec![("card_id", "pNotRegistered0001")]),
    ] {
        let (status, body) = post(&anyone, &app, path, &form).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("not registered"),
            "{path}: {body}"
        );
    }
    assert_eq!(
        sim.calls("getticket:wx_card").await,
        0,
        "no ticket fetched for an unknown card"
    );
    // Choosing among all cards (no card_id), or a registered one, is signed.
    for form in [
        vec![("card_type", "DISCOUNT")],
        vec![("card_id", DEMO_CARD)],
    ] {
        let (status, body) = post(&anyone, &app, "/api/card_sign", &form).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(sim.calls("getticket:wx_card").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_request_never_chooses_the_openid_or_the_code() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let forged = [("openid", "oForgedOpenid000"), ("code", "forged-code")];
    let anyone = Browser::new();

    // An unbound card: neither, whoever asks.
    let mut form = vec![("card_id", DEMO_CARD)];
    form.extend(forged);
    let (status, ext) = post(&anyone, &app, "/api/card_ext", &form).await;
    assert_eq!(status, 200, "{ext}");
    let fields = verified_ext(&sim, DEMO_CARD, &ext).await;
    assert_eq!(fields["openid"], "");
    assert_eq!(fields["code"], "");

    // An openid-bound card: without a signed-in visitor, nothing is signed.
    register(&db, "pOpenidBound0001", false, true).await;
    let fetched = sim.calls("getticket:wx_card").await;
    let mut form = vec![("card_id", "pOpenidBound0001")];
    form.extend(forged);
    let (status, body) = post(&anyone, &app, "/api/card_ext", &form).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("sign in"),
        "{body}"
    );
    assert_eq!(sim.calls("getticket:wx_card").await, fetched);

    // Signed in: the visitor's own openid, whatever the request says.
    let jing = visitor(&app, "阿静").await;
    let (status, ext) = post(&jing, &app, "/api/card_ext", &form).await;
    assert_eq!(status, 200, "{ext}");
    let fields = verified_ext(&sim, "pOpenidBound0001", &ext).await;
    assert_eq!(fields["openid"], openid_of("阿静"));
    assert_eq!(fields["code"], "");
    let verdict = sim
        .client_post(
            "card_ext",
            serde_json::json!({ "appId": SIM_APP_ID, "cardId": "pOpenidBound0001", "cardExt": ext }),
        )
        .await;
    assert_eq!(verdict["ok"], true, "{verdict}");
    // The signed-in visitor's unbound card carries no openid either.
    let mut form = vec![("card_id", DEMO_CARD)];
    form.extend(forged);
    let (_, ext) = post(&jing, &app, "/api/card_ext", &form).await;
    assert_eq!(verified_ext(&sim, DEMO_CARD, &ext).await["openid"], "");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bound_card_puts_the_cards_page_behind_sign_in() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(&sim, &db, &[]).await;
    let anyone = Browser::new();
    let cards = format!("{}/p/demo/cards", app.base());
    assert_eq!(anyone.get(&cards).await.status, 200, "no bound card yet");

    register(&db, "pCodeBound00001", true, false).await;
    let page = anyone.get(&cards).await;
    assert_eq!(page.status, 302, "{}", page.body);
    let to = page.location.unwrap();
    assert!(
        to.starts_with(&format!(
            "{}/_sim/open/connect/oauth2/authorize?",
            sim.base()
        )) && to.contains("scope=snsapi_base"),
        "{to}"
    );
    // The page itself still needs no sign-in; the cards page shows once signed in.
    assert_eq!(
        anyone.get(&format!("{}/p/demo", app.base())).await.status,
        200
    );
    let landing = Browser::new().sign_in(&app, "/p/demo/cards", "小红").await;
    assert_eq!(landing.status, 200);
    assert!(
        landing.body.contains("Card pCodeBound00001"),
        "{}",
        landing.body
    );
}

/// Visitor A gets code X (twice), B gets Y, C gets none; uploads are
/// deduplicated and shown per card; deleting the card deletes its pool.
async fn each_visitor_gets_one_code(db: Db) {
    let sim = Sim::start();
    let (app, root) = App::with_admin(&sim, &db, &[]).await;
    let (status, body) = post(
        &root,
        &app,
        "/api/admin/save_card",
        &[
            ("card_id", "pCodeCard00001"),
            ("title", "Gift"),
            ("card_type", "GIFT"),
            ("code_bound", "true"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, up) = post(
        &root,
        &app,
        "/api/admin/save_card_codes",
        &[
            ("card_id", "pCodeCard00001"),
            ("codes", "CODE-Y\r\n CODE-X \n\nCODE-Y\n"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{up}");
    assert_eq!(
        (up["added"].as_i64(), up["ignored"].as_i64()),
        (Some(2), Some(1))
    );

    let mut got = Vec::new();
    for name in ["甲", "乙"] {
        let b = visitor(&app, name).await;
        let (status, first) = post(
            &b,
            &app,
            "/api/card_ext",
            &[("card_id", "pCodeCard00001"), ("code", "CODE-X")],
        )
        .await;
        assert_eq!(status, 200, "{first}");
        let first = verified_ext(&sim, "pCodeCard00001", &first).await;
        let (_, again) = post(&b, &app, "/api/card_ext", &[("card_id", "pCodeCard00001")]).await;
        let again = verified_ext(&sim, "pCodeCard00001", &again).await;
        assert_eq!(first["code"], again["code"], "{name} keeps the same code");
        assert_eq!(first["openid"], "", "the card is not openid-bound");
        got.push(first["code"].as_str().unwrap().to_string());
    }
    assert_eq!(
        got,
        ["CODE-X", "CODE-Y"],
        "lowest free code first, one each"
    );
    let c = visitor(&app, "丙").await;
    let (status, body) = post(&c, &app, "/api/card_ext", &[("card_id", "pCodeCard00001")]).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("no codes left"),
        "{body}"
    );
    let (status, _) = post(
        &Browser::new(),
        &app,
        "/api/card_ext",
        &[("card_id", "pCodeCard00001")],
    )
    .await;
    assert_eq!(status, 401, "a code-bound card needs a signed-in visitor");

    let (_, cards) = post(&root, &app, "/api/admin/cards", &[]).await;
    let row = cards
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["card_id"] == "pCodeCard00001")
        .unwrap()
        .clone();
    assert_eq!(row["codes_left"], 0, "{row}");
    let page = root.get(&format!("{}/admin/cards", app.base())).await;
    assert!(
        page.body.contains("codes-left-pCodeCard00001"),
        "{}",
        page.body
    );

    let (status, _) = post(
        &root,
        &app,
        "/api/admin/delete_card",
        &[("card_id", "pCodeCard00001")],
    )
    .await;
    assert_eq!(status, 200);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM card_codes")
        .fetch_one(&pool(&db).await)
        .await
        .unwrap();
    assert_eq!(left, 0, "deleting a card deletes its codes");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_visitor_gets_one_code_sqlite() {
    each_visitor_gets_one_code(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_visitor_gets_one_code_postgres() {
    each_visitor_gets_one_code(Db::postgres().await).await;
}

/// Many concurrent claims: every code goes to one visitor, every visitor gets
/// at most one code (even when their own requests race), the rest hear "no
/// codes left".
async fn concurrent_claims_never_share_a_code(db: Db) {
    use wxkit::card_codes::claim;
    use wxkit::cards::CardError;
    migrate(&db);
    register(&db, "pRaceCard00001", true, false).await;
    let pool = pool(&db).await;
    let codes: Vec<String> = (0..6).map(|i| format!("R{i:02}")).collect();
    for code in &codes {
        sqlx::query("INSERT INTO card_codes (card_id, code) VALUES ('pRaceCard00001', $1)")
            .bind(code)
            .execute(&pool)
            .await
            .unwrap();
    }
    // 10 visitors, each asking 3 times at once.
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let who = format!("oVisitor{:02}", i % 10);
                (who.clone(), claim(&pool, "pRaceCard00001", &who).await)
            })
        })
        .collect();
    let mut by_visitor = std::collections::BTreeMap::<String, BTreeSet<String>>::new();
    let mut refused = BTreeSet::new();
    for t in tasks {
        match t.await.unwrap() {
            (who, Ok(code)) => {
                by_visitor.entry(who).or_default().insert(code);
            }
            (who, Err(CardError::NoCodesLeft(_))) => {
                refused.insert(who);
            }
            (_, Err(e)) => panic!("{e}"),
        }
    }
    assert!(by_visitor.values().all(|c| c.len() == 1), "{by_visitor:?}");
    let handed: BTreeSet<String> = by_visitor.values().flatten().cloned().collect();
    assert_eq!(
        handed.len(),
        by_visitor.len(),
        "no code given twice: {by_visitor:?}"
    );
    assert_eq!(handed, codes.into_iter().collect(), "every code handed out");
    assert!(
        by_visitor.keys().all(|w| !refused.contains(w)),
        "{refused:?}"
    );
    assert_eq!(refused.len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_claims_never_share_a_code_sqlite() {
    concurrent_claims_never_share_a_code(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_claims_never_share_a_code_postgres() {
    concurrent_claims_never_share_a_code(Db::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn card_signatures_are_limited_per_ip_and_per_visitor() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let app = App::start(
        &sim,
        &db,
        &[
            ("WXKIT_WRITES_PER_IP", "5"),
            ("WXKIT_CARD_SIGNS_PER_VISITOR", "2"),
        ],
    )
    .await;
    let jing = visitor(&app, "阿静").await;
    let ext = [("card_id", DEMO_CARD)];
    for _ in 0..2 {
        assert_eq!(post(&jing, &app, "/api/card_ext", &ext).await.0, 200);
    }
    let (status, body) = post(&jing, &app, "/api/card_sign", &[]).await;
    assert_eq!(status, 429, "the visitor's limit: {body}");
    assert!(
        body["message"].as_str().unwrap().contains("too many"),
        "{body}"
    );
    // That IP has 2 left: anyone else there gets them, then 429 too.
    let anyone = Browser::new();
    assert_eq!(post(&anyone, &app, "/api/card_sign", &[]).await.0, 200);
    assert_eq!(post(&anyone, &app, "/api/card_ext", &ext).await.0, 200);
    let fetched = sim.calls("getticket:wx_card").await;
    for path in ["/api/card_ext", "/api/card_sign"] {
        let (status, body) = post(&anyone, &app, path, &ext).await;
        assert_eq!(status, 429, "{path}: {body}");
    }
    assert_eq!(sim.calls("getticket:wx_card").await, fetched);
}

#[tokio::test(flavor = "multi_thread")]
async fn code_uploads_are_validated_bounded_and_audited() {
    let sim = Sim::start();
    let db = Db::sqlite();
    let (app, root) = App::with_admin(&sim, &db, &[]).await;
    register(&db, "pCodeCard00002", true, false).await;
    let upload = |card_id: &'static str, codes: String| {
        let (root, app) = (&root, &app);
        async move {
            post(
                root,
                app,
                "/api/admin/save_card_codes",
                &[("card_id", card_id), ("codes", &codes)],
            )
            .await
        }
    };
    for (card_id, codes, why) in [
        (
            "pCodeCard00002",
            "GOOD1\nnot a code\n".to_string(),
            "line 2",
        ),
        ("pCodeCard00002", format!("{}\n", "x".repeat(65)), "line 1"),
        ("pCodeCard00002", "优惠码\n".into(), "line 1"),
        ("pCodeCard00002", " \n".into(), "no codes"),
        (DEMO_CARD, "GOOD1\n".into(), "takes no code"),
        ("pNotRegistered0001", "GOOD1\n".into(), "not registered"),
    ] {
        let (status, body) = upload(card_id, codes).await;
        assert_eq!(status, 400, "{why}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(why),
            "{why}: {body}"
        );
    }
    let too_many: String = (0..=10_000).map(|i| format!("c{i}\n")).collect();
    let (status, body) = upload("pCodeCard00002", too_many).await;
    assert!(status == 400 || status == 413, "{status} {body}");
    let pool = pool(&db).await;
    let pool = &pool;
    let count = move || async move {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM card_codes")
            .fetch_one(pool)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 0, "a refused upload adds nothing");

    let (status, body) = upload("pCodeCard00002", "A1\nB2\n".into()).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = upload("pCodeCard00002", "B2\nC3\n".into()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["added"].as_i64(),
            body["ignored"].as_i64(),
            body["left"].as_i64()
        ),
        (Some(1), Some(1), Some(3))
    );
    assert_eq!(count().await, 3);
    let audit: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT target, detail, admin FROM audit_log WHERE action = 'card.codes' ORDER BY at_ms",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(audit[1].0, "pCodeCard00002");
    assert!(
        audit[1].1.contains("1 added") && audit[1].1.contains("3 left"),
        "{audit:?}"
    );
    assert_eq!(audit[1].2, "root");
}
