//! The users who authorized (table `users`): one row per account and openid
//! (a WeCom member: userid), with the scope granted and the last profile
//! WeChat gave. The sign-in writes the rows (`oauth::exchange`) and the gate
//! keeps them fresh (`oauth::gate`); this module is how the dashboard lists
//! them.
//!
//! Invariant: a search matches `%`, `_` and `\` literally.

use crate::api_error::DbFailure;
use sqlx::AnyPool;

/// The users of `account` whose nickname or openid contains `query`, most
/// recently seen first, page `page` (from 1) of `per_page`.
pub async fn list_users(
    db: &AnyPool,
    account: &str,
    query: &str,
    page: i64,
    per_page: i64,
) -> Result<app::admin::UsersPage, DbFailure> {
    // LIKE wildcards in the query are matched literally.
    let escaped: String = query
        .trim()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let pattern = format!("%{escaped}%");
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE account = $1
           AND (nickname LIKE $2 ESCAPE '\\' OR openid LIKE $2 ESCAPE '\\')",
    )
    .bind(account)
    .bind(&pattern)
    .fetch_one(db)
    .await?;
    let rows: Vec<(String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT openid, nickname, avatar_url, scope, first_seen, last_seen FROM users
         WHERE account = $1 AND (nickname LIKE $2 ESCAPE '\\' OR openid LIKE $2 ESCAPE '\\')
         ORDER BY last_seen DESC, openid LIMIT $3 OFFSET $4",
    )
    .bind(account)
    .bind(&pattern)
    .bind(per_page)
    .bind((page.max(1) - 1) * per_page)
    .fetch_all(db)
    .await?;
    Ok(app::admin::UsersPage {
        users: rows
            .into_iter()
            .map(
                |(openid, nickname, avatar_url, scope, first_seen, last_seen)| {
                    app::admin::UserRow {
                        openid,
                        nickname,
                        avatar_url,
                        scope,
                        first_seen,
                        last_seen,
                    }
                },
            )
            .collect(),
        total,
        page: page.max(1),
        per_page,
    })
}
