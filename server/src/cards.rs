//! Cards (WeChat card holder): the cards pages offer, and the server-side
//! signatures `wx.addCard` (`cardExt`) and `wx.chooseCard` (`cardSign`) need,
//! computed with the wx_card api_ticket (Appendix 4), which never leaves here.

use crate::credentials::{CredentialError, Credentials, Kind};
use crate::signature::{self, CardExtFields, CardSignFields};
use app::cards::{CardInfo, ChooseCardSign};
use sqlx::AnyPool;

/// The card types WeChat has.
pub const CARD_TYPES: &[&str] = &[
    "GENERAL_COUPON",
    "GROUPON",
    "DISCOUNT",
    "GIFT",
    "CASH",
    "MEMBER_CARD",
    "SCENIC_TICKET",
    "MOVIE_TICKET",
    "BOARDING_PASS",
    "MEETING_TICKET",
    "BUS_TICKET",
];

#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Credential(#[from] CredentialError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

fn check(name: &str, value: &str, max: usize, required: bool) -> Result<(), CardError> {
    if required && value.is_empty() {
        return Err(CardError::Invalid(format!("{name} is required")));
    }
    if value.len() > max
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(CardError::Invalid(format!(
            "{name} must be at most {max} characters of A-Z a-z 0-9 _ -"
        )));
    }
    Ok(())
}

/// The cards pages offer.
pub async fn list(db: &AnyPool) -> Result<Vec<CardInfo>, CardError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT card_id, title, card_type FROM cards ORDER BY title")
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(card_id, title, card_type)| CardInfo {
            card_id,
            title,
            card_type,
        })
        .collect())
}

/// Registers a card the pages offer (or updates its title, type and bindings).
pub async fn register(db: &AnyPool, card: &app::admin::CardRow) -> Result<(), CardError> {
    check("card_id", &card.card_id, 64, true)?;
    let title = card.title.trim();
    if title.is_empty() || title.chars().count() > 64 {
        return Err(CardError::Invalid("title: 1 to 64 characters".into()));
    }
    if !CARD_TYPES.contains(&card.card_type.as_str()) {
        return Err(CardError::Invalid(format!(
            "card_type must be one of {}",
            CARD_TYPES.join(", ")
        )));
    }
    sqlx::query(
        "INSERT INTO cards (card_id, title, card_type, code_bound, openid_bound, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (card_id) DO UPDATE SET title = excluded.title, card_type = excluded.card_type,
            code_bound = excluded.code_bound, openid_bound = excluded.openid_bound",
    )
    .bind(&card.card_id)
    .bind(title)
    .bind(&card.card_type)
    .bind(i64::from(card.code_bound))
    .bind(i64::from(card.openid_bound))
    .bind(crate::db::now())
    .execute(db)
    .await?;
    Ok(())
}

/// The `cardExt` JSON string for `wx.addCard`.
pub async fn card_ext(
    creds: &Credentials,
    card_id: &str,
    code: &str,
    openid: &str,
    outer_str: &str,
) -> Result<String, CardError> {
    check("card_id", card_id, 64, true)?;
    check("code", code, 64, false)?;
    check("openid", openid, 64, false)?;
    check("outer_str", outer_str, 64, false)?;
    let ticket = creds.get(Kind::CardTicket).await?;
    let timestamp = crate::db::now();
    let nonce_str = signature::nonce();
    let sig = signature::card_ext_signature(&CardExtFields {
        api_ticket: &ticket,
        timestamp,
        card_id,
        code,
        openid,
        nonce_str: &nonce_str,
    });
    let mut ext = serde_json::json!({
        "code": code,
        "openid": openid,
        "timestamp": timestamp.to_string(),
        "nonce_str": nonce_str,
        "signature": sig,
    });
    if !outer_str.is_empty() {
        ext["outer_str"] = outer_str.into();
    }
    Ok(ext.to_string())
}

/// The `cardSign` and its fields for `wx.chooseCard`.
pub async fn card_sign(
    creds: &Credentials,
    card_id: &str,
    card_type: &str,
    shop_id: &str,
) -> Result<ChooseCardSign, CardError> {
    check("card_id", card_id, 64, false)?;
    check("shop_id", shop_id, 64, false)?;
    if !card_type.is_empty() && !CARD_TYPES.contains(&card_type) {
        return Err(CardError::Invalid(format!(
            "card_type must be one of {}",
            CARD_TYPES.join(", ")
        )));
    }
    let ticket = creds.get(Kind::CardTicket).await?;
    let timestamp = crate::db::now();
    let nonce_str = signature::nonce();
    let app_id = creds.app_id();
    let card_sign = signature::card_sign(&CardSignFields {
        api_ticket: &ticket,
        app_id: &app_id,
        location_id: shop_id,
        timestamp,
        nonce_str: &nonce_str,
        card_id,
        card_type,
    });
    Ok(ChooseCardSign {
        timestamp,
        nonce_str,
        sign_type: "SHA1".into(),
        card_sign,
    })
}

/// How a card failure is told to the browser.
pub fn api_error(e: CardError) -> app::jssdk::ApiError {
    match e {
        CardError::Invalid(m) => app::jssdk::ApiError::bad_request(m),
        CardError::Credential(c) => crate::jssdk::api_error(c),
        CardError::Db(d) => {
            tracing::error!("cards: {d}");
            app::jssdk::ApiError::Internal {
                message: "database error".into(),
            }
        }
    }
}
