//! The admin dashboard's server side ([`AdminBackend`], reached through the
//! Leptos context): what each admin server function reads and changes (pages
//! and their share content, cards, media, users, credential health, the
//! signature debugger, reported config failures, share activity, the audit
//! log, the account). Why a config failed is worded in `diagnosis`.
//!
//! Invariants: every change is written to the audit log, by the admin who
//! made it; an admin server function but sign-in is reached only with an
//! admin session (`super::middleware` answers 401 before its arguments are
//! read); replacing a secret asks for the admin's password again; the
//! account's ticket never reaches a page (the signature debugger shows a
//! placeholder); a database failure reaches the browser only as
//! [`db_error`] words it.

mod diagnosis;

use super::AppState;
use crate::admin::{self, AdminError};
use crate::api_error::db_error;
use crate::credentials::Kind;
use app::admin::*;
use app::error::{ApiError, FieldError};
use async_trait::async_trait;
use diagnosis::diagnose;
use http::request::Parts;
use sqlx::AnyPool;
use tower_sessions::Session;

fn session(parts: &Parts) -> Result<Session, ApiError> {
    parts
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| ApiError::Internal {
            message: "no session layer".into(),
        })
}

async fn audit(
    db: &AnyPool,
    who: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), ApiError> {
    admin::audit(db, who, action, target, detail)
        .await
        .map_err(db_error)
}

#[async_trait]
impl AdminBackend for AppState {
    async fn current_admin(&self, parts: &Parts) -> Option<String> {
        let session = parts.extensions.get::<Session>()?;
        self.sign_in.current(session).await
    }

    async fn sign_in(&self, parts: &Parts, username: &str, password: &str) -> Result<(), ApiError> {
        Ok(self
            .sign_in
            .sign_in(
                &session(parts)?,
                crate::client_ip::of(parts),
                username,
                password,
            )
            .await?)
    }

    async fn sign_out(&self, parts: &Parts, who: &str) -> Result<(), ApiError> {
        Ok(self.sign_in.sign_out(&session(parts)?, who).await?)
    }

    async fn sign_out_everywhere(&self, parts: &Parts, who: &str) -> Result<(), ApiError> {
        Ok(self
            .sign_in
            .sign_out_everywhere(&session(parts)?, who)
            .await?)
    }

    async fn pages(&self) -> Result<Vec<PageSummary>, ApiError> {
        let rows: Vec<(String, String, String, i64)> =
            sqlx::query_as("SELECT slug, title, auth_scope, updated_at FROM pages ORDER BY slug")
                .fetch_all(&self.db)
                .await
                .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(slug, title, auth_scope, updated_at)| PageSummary {
                slug,
                title,
                auth_scope,
                updated_at,
            })
            .collect())
    }

    async fn page(&self, slug: &str) -> Result<Option<PageForm>, ApiError> {
        crate::share::page_form(&self.db, slug)
            .await
            .map_err(db_error)
    }

    async fn editor_context(&self) -> Result<EditorContext, ApiError> {
        Ok(EditorContext {
            js_domains: self.account.get().js_domains.clone(),
            origin: self.public_origin.clone(),
        })
    }

    async fn save_page(&self, who: &str, original: &str, form: PageForm) -> Result<(), ApiError> {
        let errors = validate_page(&form, &self.account.get().js_domains);
        if !errors.is_empty() {
            return Err(ApiError::Invalid {
                message: format!("{} field(s) need fixing", errors.len()),
                fields: errors,
            });
        }
        let saved = crate::share::save_page(&self.db, original, &form)
            .await
            .map_err(db_error)?;
        match saved {
            crate::share::Saved::Ok => {}
            crate::share::Saved::SlugTaken => {
                return Err(ApiError::Invalid {
                    message: "the slug is taken".into(),
                    fields: vec![FieldError {
                        field: "slug".into(),
                        message: format!("a page `{}` exists already", form.slug.trim()),
                    }],
                })
            }
            crate::share::Saved::Missing => {
                return Err(ApiError::bad_request(format!(
                    "there is no page `{original}`"
                )))
            }
        }
        let action = if original.is_empty() {
            "page.create"
        } else {
            "page.update"
        };
        let detail = serde_json::json!({
            "title": form.title, "share_title": form.share_title, "share_link": form.share_link,
            "share_image": form.share_image, "timeline_title": form.timeline_title, "auth_scope": form.auth_scope,
        })
        .to_string();
        audit(&self.db, who, action, form.slug.trim(), &detail).await
    }

    async fn delete_page(&self, who: &str, slug: &str) -> Result<(), ApiError> {
        let id: Option<String> = sqlx::query_scalar("SELECT id FROM pages WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.db)
            .await
            .map_err(db_error)?;
        let done = sqlx::query("DELETE FROM pages WHERE slug = $1")
            .bind(slug)
            .execute(&self.db)
            .await
            .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(ApiError::bad_request(format!("there is no page `{slug}`")));
        }
        // Its images go with it (rows and files): they belong to its id.
        let images = self.media.delete_page(&id.unwrap_or_default()).await?;
        let detail = serde_json::json!({ "images_deleted": images }).to_string();
        audit(&self.db, who, "page.delete", slug, &detail).await
    }

    async fn cards(&self) -> Result<Vec<CardRow>, ApiError> {
        let rows: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT card_id, title, card_type, code_bound, openid_bound,
                (SELECT COUNT(*) FROM card_codes k WHERE k.card_id = cards.card_id AND k.openid = '')
             FROM cards ORDER BY title",
        )
        .fetch_all(&self.db)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(card_id, title, card_type, c, o, left)| CardRow {
                card_id,
                title,
                card_type,
                code_bound: c != 0,
                openid_bound: o != 0,
                codes_left: left,
            })
            .collect())
    }

    async fn save_card(&self, who: &str, card: CardRow) -> Result<(), ApiError> {
        crate::cards::register(&self.db, &card).await?;
        audit(&self.db, who, "card.save", &card.card_id, &card.card_type).await
    }

    async fn delete_card(&self, who: &str, card_id: &str) -> Result<(), ApiError> {
        sqlx::query("DELETE FROM cards WHERE card_id = $1")
            .bind(card_id)
            .execute(&self.db)
            .await
            .map_err(db_error)?;
        crate::card_codes::delete_for(&self.db, card_id)
            .await
            .map_err(db_error)?;
        audit(&self.db, who, "card.delete", card_id, "").await
    }

    async fn upload_card_codes(
        &self,
        who: &str,
        card_id: &str,
        codes: &str,
    ) -> Result<CodeUpload, ApiError> {
        let (added, ignored) = crate::card_codes::upload(&self.db, card_id, codes).await?;
        let left = crate::card_codes::left(&self.db, card_id)
            .await
            .map_err(db_error)?;
        let detail = format!("{added} added, {ignored} ignored, {left} left");
        audit(&self.db, who, "card.codes", card_id, &detail).await?;
        Ok(CodeUpload {
            added,
            ignored,
            left,
        })
    }

    async fn media(&self) -> Result<Vec<MediaItem>, ApiError> {
        Ok(self.media.all().await?)
    }

    async fn delete_media(&self, who: &str, media_id: &str) -> Result<(), ApiError> {
        if !self.media.delete(media_id).await? {
            return Err(ApiError::bad_request(format!(
                "there is no upload `{media_id}`"
            )));
        }
        audit(&self.db, who, "media.delete", media_id, "").await
    }

    async fn users(&self, query: &str, page: i64) -> Result<UsersPage, ApiError> {
        crate::oauth::list_users(&self.db, &self.oauth.account_id(), query, page, 20)
            .await
            .map_err(db_error)
    }

    async fn health(&self) -> Result<Vec<CredentialHealth>, ApiError> {
        Ok(self.jssdk.credentials.health().await?)
    }

    async fn refresh(&self, who: &str, kind: &str) -> Result<(), ApiError> {
        let k = Kind::from_name(kind)
            .ok_or_else(|| ApiError::bad_request(format!("unknown credential `{kind}`")))?;
        let result = self.jssdk.credentials.refresh_now(k).await;
        audit(
            &self.db,
            who,
            "credential.refresh",
            kind,
            if result.is_ok() { "ok" } else { "failed" },
        )
        .await?;
        Ok(result?)
    }

    async fn sign_debug(
        &self,
        url: &str,
        nonce: &str,
        timestamp: &str,
        ticket: &str,
    ) -> Result<SignDebug, ApiError> {
        let url = url.trim();
        if url.is_empty() || url.len() > 4096 {
            return Err(ApiError::bad_request("enter the page URL (at most 4 KiB)"));
        }
        let url = url.split('#').next().unwrap_or_default();
        let nonce_str = if nonce.trim().is_empty() {
            crate::signature::nonce()
        } else {
            nonce.trim().to_string()
        };
        let timestamp = if timestamp.trim().is_empty() {
            crate::db::now()
        } else {
            timestamp
                .trim()
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request("the timestamp is Unix seconds, digits only"))?
        };
        let (ticket, current) = if ticket.trim().is_empty() {
            let kind = match self.account.get().kind {
                crate::config::AccountKind::WeCom => Kind::WeComJsapiTicket,
                crate::config::AccountKind::Official => Kind::JsapiTicket,
            };
            let t = self.jssdk.credentials.get(kind).await?;
            (t, true)
        } else {
            (ticket.trim().to_string(), false)
        };
        let signature = crate::signature::jsapi_signature(&ticket, &nonce_str, timestamp, url);
        let mut string_to_sign =
            crate::signature::jsapi_string(&ticket, &nonce_str, timestamp, url);
        if current {
            // The account's ticket never reaches a page.
            string_to_sign = string_to_sign.replacen(&ticket, "«current jsapi_ticket»", 1);
        }
        Ok(SignDebug {
            url: url.to_string(),
            nonce_str,
            timestamp,
            string_to_sign,
            signature,
            current_ticket: current,
        })
    }

    async fn failures(&self) -> Result<Vec<FailureReport>, ApiError> {
        let rows: Vec<(String, String, String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT page_url, signed_url, user_agent, err_msg, created_at, count, last_seen
             FROM config_failures ORDER BY last_seen DESC, fingerprint LIMIT 100",
        )
        .fetch_all(&self.db)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(
                |(page_url, signed_url, user_agent, err_msg, created_at, count, last_seen)| {
                    FailureReport {
                        diagnosis: diagnose(&page_url, &signed_url, &user_agent, &err_msg),
                        page_url,
                        signed_url,
                        user_agent,
                        err_msg,
                        created_at,
                        count,
                        last_seen,
                    }
                },
            )
            .collect())
    }

    async fn share_activity(&self) -> Result<Vec<ShareDay>, ApiError> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT slug, day,
                    SUM(CASE WHEN outcome = 'success' THEN count ELSE 0 END),
                    SUM(CASE WHEN outcome = 'cancel' THEN count ELSE 0 END)
             FROM share_events GROUP BY slug, day ORDER BY slug, day",
        )
        .fetch_all(&self.db)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(slug, day, successes, cancels)| ShareDay {
                slug,
                day,
                successes,
                cancels,
            })
            .collect())
    }

    async fn audit(&self) -> Result<Vec<AuditEntry>, ApiError> {
        let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT at_ms, admin, action, target, detail FROM audit_log ORDER BY at_ms DESC LIMIT 200",
        )
        .fetch_all(&self.db)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(at_ms, admin, action, target, detail)| AuditEntry {
                at_ms,
                admin,
                action,
                target,
                detail,
            })
            .collect())
    }

    async fn account(&self) -> Result<AccountInfo, ApiError> {
        Ok(self.account.info(self.mp_token.is_some()))
    }

    async fn save_account(
        &self,
        parts: &Parts,
        who: &str,
        form: AccountForm,
    ) -> Result<(), ApiError> {
        // Replacing a secret asks for the admin's password again.
        if !form.app_secret.is_empty() || !form.corp_secret.is_empty() {
            if form.password.is_empty() {
                return Err(ApiError::Invalid {
                    message: "enter your password to replace a secret".into(),
                    fields: vec![FieldError {
                        field: "password".into(),
                        message: "required to replace a secret".into(),
                    }],
                });
            }
            self.sign_in
                .confirm(crate::client_ip::of(parts), who, &form.password)
                .await
                .map_err(|e| match e {
                    AdminError::WrongCredentials => ApiError::Invalid {
                        message: "your password is not right".into(),
                        fields: vec![FieldError {
                            field: "password".into(),
                            message: "not your password".into(),
                        }],
                    },
                    other => other.into(),
                })?;
        }
        let detail = self.account.save(&form).await?;
        audit(&self.db, who, "account.update", "default", &detail).await
    }
}
