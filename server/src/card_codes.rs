//! The code pools of custom-code cards (卡券 "自定义code": the merchant decides
//! each card's code, and `wx.addCard`'s cardExt must carry it, Appendix 4):
//! the admin uploads codes (validated, deduplicated, bounded per upload), and
//! each signed-in visitor is handed one unused code per card, once. The claim
//! is one atomic `UPDATE` (retried when another request took the same code),
//! and a unique index keeps one code per visitor and card even when the same
//! visitor's requests race; it runs unchanged on SQLite and PostgreSQL.

use crate::api_error::DbFailure;
use crate::cards::CardError;
use sqlx::AnyPool;
use std::collections::BTreeSet;

/// Codes one upload may carry at most.
pub const MAX_CODES_PER_UPLOAD: usize = 10_000;
/// The longest code (WeChat's custom codes are short; cardExt checks 64).
pub const MAX_CODE_LEN: usize = 64;
/// Claim attempts before giving up when other requests keep winning the race.
const CLAIM_ATTEMPTS: usize = 20;
/// Codes per `INSERT` statement of an upload (2 parameters each).
const INSERT_BATCH: usize = 200;

/// Whether `code` is a code wxkit hands out: 1–64 of A-Z a-z 0-9 _ -.
pub fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_CODE_LEN
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The distinct codes of an upload (one per line; blank lines and
/// surrounding spaces ignored), and how many lines repeated one.
pub fn parse(text: &str) -> Result<(BTreeSet<String>, usize), CardError> {
    let mut codes = BTreeSet::new();
    let mut repeated = 0;
    let mut lines = 0;
    for (n, line) in text.lines().enumerate() {
        let code = line.trim();
        if code.is_empty() {
            continue;
        }
        lines += 1;
        if lines > MAX_CODES_PER_UPLOAD {
            return Err(CardError::Invalid(format!(
                "at most {MAX_CODES_PER_UPLOAD} codes per upload: split the list"
            )));
        }
        if !is_code(code) {
            let shown: String = code.chars().take(20).collect();
            return Err(CardError::Invalid(format!(
                "line {}: `{shown}` is not a code: 1 to {MAX_CODE_LEN} characters of A-Z a-z 0-9 _ -",
                n + 1
            )));
        }
        if !codes.insert(code.to_string()) {
            repeated += 1;
        }
    }
    if codes.is_empty() {
        return Err(CardError::Invalid(
            "no codes: give one code per line".into(),
        ));
    }
    Ok((codes, repeated))
}

/// Adds `codes` to the pool of `card_id` (which must be a registered
/// custom-code card): (added, ignored as already there or repeated).
pub async fn upload(db: &AnyPool, card_id: &str, text: &str) -> Result<(i64, i64), CardError> {
    let (codes, repeated) = parse(text)?;
    let bound: Option<(i64,)> = sqlx::query_as("SELECT code_bound FROM cards WHERE card_id = $1")
        .bind(card_id)
        .fetch_optional(db)
        .await?;
    match bound {
        None => return Err(CardError::Unknown(card_id.to_string())),
        Some((0,)) => {
            return Err(CardError::Invalid(format!(
                "card `{card_id}` takes no code: register it with \"A code is bound\" first"
            )))
        }
        Some(_) => {}
    }
    let codes: Vec<String> = codes.into_iter().collect();
    let mut tx = db.begin().await?;
    let mut added = 0;
    for batch in codes.chunks(INSERT_BATCH) {
        let values: Vec<String> = (0..batch.len())
            .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO card_codes (card_id, code) VALUES {} ON CONFLICT (card_id, code) DO NOTHING",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for code in batch {
            q = q.bind(card_id).bind(code.as_str());
        }
        added += q.execute(&mut *tx).await?.rows_affected() as i64;
    }
    tx.commit().await?;
    let ignored = (codes.len() as i64 - added) + repeated as i64;
    Ok((added, ignored))
}

/// Unclaimed codes of `card_id`.
pub async fn left(db: &AnyPool, card_id: &str) -> Result<i64, DbFailure> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM card_codes WHERE card_id = $1 AND openid = ''")
            .bind(card_id)
            .fetch_one(db)
            .await?,
    )
}

/// The code `openid` holds for `card_id`, if any.
async fn held(db: &AnyPool, card_id: &str, openid: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT code FROM card_codes WHERE card_id = $1 AND openid = $2")
        .bind(card_id)
        .bind(openid)
        .fetch_optional(db)
        .await
}

/// Whether `e` is a unique-constraint violation (the visitor's other request
/// claimed a code first).
fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// The code of card `card_id` for visitor `openid`: the one they hold, else a
/// free one, claimed for them now. Two requests never get the same code.
pub async fn claim(db: &AnyPool, card_id: &str, openid: &str) -> Result<String, CardError> {
    if openid.is_empty() {
        return Err(CardError::SignInFirst);
    }
    for _ in 0..CLAIM_ATTEMPTS {
        if let Some(code) = held(db, card_id, openid).await? {
            return Ok(code);
        }
        // One statement: under PostgreSQL a racing UPDATE of the same row
        // re-checks `openid = ''` after the winner commits and updates nothing.
        let claimed = sqlx::query(
            "UPDATE card_codes SET openid = $1, claimed_at = $2
             WHERE card_id = $3 AND openid = '' AND code = (
                SELECT code FROM card_codes WHERE card_id = $4 AND openid = '' ORDER BY code LIMIT 1)",
        )
        .bind(openid)
        .bind(crate::db::now())
        .bind(card_id)
        .bind(card_id)
        .execute(db)
        .await;
        match claimed {
            Ok(done) if done.rows_affected() > 0 => {}
            Ok(_) if left(db, card_id).await? == 0 => {
                // Perhaps the visitor's own racing request took the last one.
                return match held(db, card_id, openid).await? {
                    Some(code) => Ok(code),
                    None => Err(CardError::NoCodesLeft(card_id.to_string())),
                };
            }
            // Another request took that code first: try the next one.
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
    match held(db, card_id, openid).await? {
        Some(code) => Ok(code),
        None => Err(CardError::Busy),
    }
}

/// Forgets the pool of a card that is no longer registered.
pub async fn delete_for(db: &AnyPool, card_id: &str) -> Result<(), DbFailure> {
    sqlx::query("DELETE FROM card_codes WHERE card_id = $1")
        .bind(card_id)
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_validated_deduplicated_and_bounded() {
        let (codes, repeated) = parse(" A1 \n\nb-2\nA1\r\nc_3\n").unwrap();
        assert_eq!(codes.into_iter().collect::<Vec<_>>(), ["A1", "b-2", "c_3"]);
        assert_eq!(repeated, 1);
        let e = parse("ok\nnot a code\n").unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(parse(&"x".repeat(65)).is_err());
        assert!(parse("中文").is_err());
        assert!(parse("\n \n").is_err());
        let many: String = (0..=MAX_CODES_PER_UPLOAD)
            .map(|i| format!("c{i}\n"))
            .collect();
        assert!(parse(&many).unwrap_err().to_string().contains("at most"));
        let max: String = (0..MAX_CODES_PER_UPLOAD)
            .map(|i| format!("c{i}\n"))
            .collect();
        assert_eq!(parse(&max).unwrap().0.len(), MAX_CODES_PER_UPLOAD);
    }
}
