//! Cards (WeChat card holder): the cards pages offer, and the server-side
//! signatures `wx.addCard` (`cardExt`) and `wx.chooseCard` (`cardSign`) need,
//! computed with the wx_card api_ticket (Appendix 4), which never leaves here.
//! Only registered cards are signed, the server alone chooses a cardExt's
//! openid (the signed-in visitor's, for openid-bound cards) and code (one
//! from the card's pool, for custom-code cards: see `card_codes`), and every
//! signature counts against the caller's rate limits before the ticket is
//! fetched.

use crate::api_error::DbFailure;
use crate::client_ip::ClientIp;
use crate::credentials::{CredentialError, Kind};
use crate::limits::Limited;
use crate::signature::{self, CardExtFields, CardSignFields};
use crate::web::AppState;
use app::cards::{CardInfo, ChooseCardSign, CARD_TYPES};
use sqlx::AnyPool;

#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("{0}")]
    Invalid(String),
    #[error("card `{0}` is not registered: an admin registers the cards pages offer in the dashboard (Cards)")]
    Unknown(String),
    #[error("this card is only given to visitors WeChat has identified: open the page in WeChat to sign in")]
    SignInFirst,
    #[error("no codes left for card `{0}`: an admin adds codes in the dashboard (Cards)")]
    NoCodesLeft(String),
    #[error("the card's code pool is busy: try again")]
    Busy,
    #[error(transparent)]
    Limited(#[from] Limited),
    #[error(transparent)]
    Credential(#[from] CredentialError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<DbFailure> for CardError {
    fn from(DbFailure(e): DbFailure) -> Self {
        CardError::Db(e)
    }
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

/// Every registered card with its bindings and unclaimed codes, for the
/// dashboard.
pub async fn rows(db: &AnyPool) -> Result<Vec<app::admin::CardRow>, DbFailure> {
    let rows: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT card_id, title, card_type, code_bound, openid_bound,
            (SELECT COUNT(*) FROM card_codes k WHERE k.card_id = cards.card_id AND k.openid = '')
         FROM cards ORDER BY title",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(card_id, title, card_type, c, o, left)| app::admin::CardRow {
                card_id,
                title,
                card_type,
                code_bound: c != 0,
                openid_bound: o != 0,
                codes_left: left,
            },
        )
        .collect())
}

/// Unregisters card `card_id` and forgets its code pool.
pub async fn delete(db: &AnyPool, card_id: &str) -> Result<(), DbFailure> {
    sqlx::query("DELETE FROM cards WHERE card_id = $1")
        .bind(card_id)
        .execute(db)
        .await?;
    crate::card_codes::delete_for(db, card_id).await
}

/// Who asks for a card signature: the client IP, and the signed-in visitor.
pub struct Caller {
    pub ip: ClientIp,
    pub visitor: Option<String>,
}

impl Caller {
    /// The caller of the server function running now.
    pub async fn current(state: &AppState) -> Caller {
        let ip = leptos::prelude::with_context::<http::request::Parts, _>(crate::client_ip::of)
            .unwrap_or(ClientIp(std::net::IpAddr::from([0, 0, 0, 0])));
        let session = app::request_extension::<tower_sessions::Session>();
        let visitor = match session {
            Some(s) => state.oauth.signed_in(&s).await.map(|(openid, _)| openid),
            None => None,
        };
        Caller { ip, visitor }
    }

    /// Counts one card signature against the caller's limits (per client IP,
    /// and per visitor when one is signed in).
    fn count(&self, state: &AppState) -> Result<(), Limited> {
        state.limits.write(self.ip)?;
        if let Some(openid) = &self.visitor {
            state.limits.card_signs_per_visitor.check(openid)?;
        }
        Ok(())
    }
}

/// How a registered card's cardExt is bound.
struct Binding {
    code_bound: bool,
    openid_bound: bool,
}

async fn registered(db: &AnyPool, card_id: &str) -> Result<Option<Binding>, sqlx::Error> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT code_bound, openid_bound FROM cards WHERE card_id = $1")
            .bind(card_id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(c, o)| Binding {
        code_bound: c != 0,
        openid_bound: o != 0,
    }))
}

/// Whether some registered card is openid- or code-bound (its cards page then
/// needs a signed-in visitor).
pub async fn any_bound(db: &AnyPool) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM cards WHERE code_bound <> 0 OR openid_bound <> 0")
            .fetch_one(db)
            .await?;
    Ok(n > 0)
}

/// The `cardExt` JSON string for `wx.addCard` of the registered card
/// `card_id`. Its openid and code are chosen here, never by the request: a
/// card bound to an openid gets the signed-in visitor's, a custom-code card
/// the visitor's code from its pool; an unbound card gets neither.
pub async fn card_ext(
    state: &AppState,
    caller: &Caller,
    card_id: &str,
    outer_str: &str,
) -> Result<String, CardError> {
    caller.count(state)?;
    check("card_id", card_id, 64, true)?;
    check("outer_str", outer_str, 64, false)?;
    let Some(binding) = registered(&state.db, card_id).await? else {
        return Err(CardError::Unknown(card_id.to_string()));
    };
    let visitor = caller.visitor.as_deref().unwrap_or_default();
    if (binding.openid_bound || binding.code_bound) && visitor.is_empty() {
        return Err(CardError::SignInFirst);
    }
    let openid = if binding.openid_bound { visitor } else { "" };
    let code = if binding.code_bound {
        crate::card_codes::claim(&state.db, card_id, visitor).await?
    } else {
        String::new()
    };
    let ticket = state.jssdk.credentials.get(Kind::CardTicket).await?;
    let timestamp = crate::db::now();
    let nonce_str = signature::nonce();
    let sig = signature::card_ext_signature(&CardExtFields {
        api_ticket: &ticket,
        timestamp,
        card_id,
        code: &code,
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

/// The `cardSign` and its fields for `wx.chooseCard`; `card_id`, when given,
/// must be a registered card.
pub async fn card_sign(
    state: &AppState,
    caller: &Caller,
    card_id: &str,
    card_type: &str,
    shop_id: &str,
) -> Result<ChooseCardSign, CardError> {
    caller.count(state)?;
    check("card_id", card_id, 64, false)?;
    check("shop_id", shop_id, 64, false)?;
    if !card_type.is_empty() && !CARD_TYPES.contains(&card_type) {
        return Err(CardError::Invalid(format!(
            "card_type must be one of {}",
            CARD_TYPES.join(", ")
        )));
    }
    if !card_id.is_empty() && registered(&state.db, card_id).await?.is_none() {
        return Err(CardError::Unknown(card_id.to_string()));
    }
    let creds = &state.jssdk.credentials;
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

/// How a card failure is told to the browser; a database failure is logged
/// (its detail stays on the server).
impl From<CardError> for app::error::ApiError {
    fn from(e: CardError) -> Self {
        use app::error::ApiError;
        match e {
            CardError::Invalid(_) | CardError::Unknown(_) | CardError::NoCodesLeft(_) => {
                ApiError::bad_request(e.to_string())
            }
            CardError::SignInFirst => ApiError::Unauthorized {
                message: e.to_string(),
            },
            CardError::Busy => ApiError::Unavailable {
                message: e.to_string(),
            },
            CardError::Limited(l) => l.into(),
            CardError::Credential(c) => c.into(),
            CardError::Db(d) => crate::api_error::internal("cards", &d, "database error"),
        }
    }
}
