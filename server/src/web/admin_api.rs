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
//! [`DbFailure`](crate::api_error::DbFailure) words it.

mod diagnosis;

use super::AppState;
use crate::admin::{self, AdminError};
use crate::credentials::Kind;
use crate::share::{self, Saved};
use app::admin::*;
use app::error::{ApiError, FieldError};
use async_trait::async_trait;
use axum::response::IntoResponse;
use diagnosis::diagnose;
use http::request::Parts;
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
        Ok(share::page_summaries(&self.db).await?)
    }

    async fn page(&self, slug: &str) -> Result<Option<PageForm>, ApiError> {
        Ok(share::page_form(&self.db, slug).await?)
    }

    async fn editor_context(&self) -> Result<EditorContext, ApiError> {
        Ok(EditorContext {
            js_domains: self.account.get().js_domains.clone(),
            origin: self.public_origin.clone(),
            menu_items: app::wx::MenuItem::ALL
                .iter()
                .filter(|m| m.category() != app::wx::MenuCategory::Basic)
                .map(|m| (m.name().to_string(), m.label().to_string()))
                .collect(),
        })
    }

    async fn save_page(&self, who: &str, original: &str, form: PageForm) -> Result<(), ApiError> {
        let mut errors = validate_page(&form, &self.account.get().js_domains);
        // Checked here, not in `validate_page`: the official list stays out
        // of the WASM the editor is part of (it gets the list as props).
        let menu_hidden = form.menu_hidden.as_str();
        if menu_hidden.len() > 1024 {
            errors.push(FieldError {
                field: "menu_hidden".into(),
                message: "at most 1024 characters".into(),
            });
        } else if let Err(message) = app::wx::parse_hidden(menu_hidden) {
            errors.push(FieldError {
                field: "menu_hidden".into(),
                message,
            });
        }
        let lang = form.lang.trim();
        if !lang.is_empty() && !app::i18n::Lang::ALL.iter().any(|l| l.tag() == lang) {
            errors.push(FieldError {
                field: "lang".into(),
                message: "empty (the visitor's language), zh-CN or en".into(),
            });
        }
        if !errors.is_empty() {
            return Err(ApiError::Invalid {
                message: format!("{} field(s) need fixing", errors.len()),
                fields: errors,
            });
        }
        match share::save_page(&self.db, original, &form).await? {
            Saved::Ok => self.reload_pages().await,
            Saved::SlugTaken => {
                return Err(ApiError::Invalid {
                    message: "the slug is taken".into(),
                    fields: vec![FieldError {
                        field: "slug".into(),
                        message: format!("a page `{}` exists already", form.slug.trim()),
                    }],
                })
            }
            Saved::Missing => {
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
        Ok(admin::audit(&self.db, who, action, form.slug.trim(), &detail).await?)
    }

    async fn delete_page(&self, who: &str, slug: &str) -> Result<(), ApiError> {
        let Some(id) = share::delete_page(&self.db, slug).await? else {
            return Err(ApiError::bad_request(format!("there is no page `{slug}`")));
        };
        self.reload_pages().await;
        // Its images go with it (rows and files): they belong to its id.
        let images = self.media.delete_page(&id).await?;
        let detail = serde_json::json!({ "images_deleted": images }).to_string();
        Ok(admin::audit(&self.db, who, "page.delete", slug, &detail).await?)
    }

    async fn cards(&self) -> Result<Vec<CardRow>, ApiError> {
        Ok(crate::cards::rows(&self.db).await?)
    }

    async fn save_card(&self, who: &str, card: CardRow) -> Result<(), ApiError> {
        crate::cards::register(&self.db, &card).await?;
        let (id, kind) = (&card.card_id, &card.card_type);
        Ok(admin::audit(&self.db, who, "card.save", id, kind).await?)
    }

    async fn delete_card(&self, who: &str, card_id: &str) -> Result<(), ApiError> {
        crate::cards::delete(&self.db, card_id).await?;
        Ok(admin::audit(&self.db, who, "card.delete", card_id, "").await?)
    }

    async fn upload_card_codes(
        &self,
        who: &str,
        card_id: &str,
        codes: &str,
    ) -> Result<CodeUpload, ApiError> {
        let (added, ignored) = crate::card_codes::upload(&self.db, card_id, codes).await?;
        let left = crate::card_codes::left(&self.db, card_id).await?;
        let detail = format!("{added} added, {ignored} ignored, {left} left");
        admin::audit(&self.db, who, "card.codes", card_id, &detail).await?;
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
        Ok(admin::audit(&self.db, who, "media.delete", media_id, "").await?)
    }

    async fn users(&self, query: &str, page: i64) -> Result<UsersPage, ApiError> {
        let account = self.oauth.account_id();
        Ok(crate::users::list_users(&self.db, &account, query, page, 20).await?)
    }

    async fn health(&self) -> Result<Vec<CredentialHealth>, ApiError> {
        Ok(self.jssdk.credentials.health().await?)
    }

    async fn refresh(&self, who: &str, kind: &str) -> Result<(), ApiError> {
        let k = Kind::from_name(kind)
            .ok_or_else(|| ApiError::bad_request(format!("unknown credential `{kind}`")))?;
        let result = self.jssdk.credentials.refresh_now(k).await;
        let outcome = if result.is_ok() { "ok" } else { "failed" };
        admin::audit(&self.db, who, "credential.refresh", kind, outcome).await?;
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
        let mut reports = share::config_failures(&self.db).await?;
        for r in &mut reports {
            r.diagnosis = diagnose(&r.page_url, &r.signed_url, &r.user_agent, &r.err_msg);
        }
        Ok(reports)
    }

    async fn share_activity(&self) -> Result<Vec<ShareDay>, ApiError> {
        Ok(share::share_activity(&self.db).await?)
    }

    async fn audit(&self) -> Result<Vec<AuditEntry>, ApiError> {
        Ok(admin::audit_log(&self.db).await?)
    }

    async fn account(&self) -> Result<AccountInfo, ApiError> {
        Ok(self.account.info(self.mp_token.is_some()))
    }

    async fn verify_files(&self) -> Result<Vec<VerifyFileRow>, ApiError> {
        Ok(self
            .verify_files
            .list()
            .into_iter()
            .map(|(name, source)| VerifyFileRow {
                name,
                uploaded: source == crate::verify_files::Source::Uploaded,
            })
            .collect())
    }

    async fn delete_verify_file(&self, who: &str, name: &str) -> Result<(), ApiError> {
        let name = crate::verify_files::file_name(name)
            .ok_or_else(|| verify_error(crate::verify_files::VerifyError::BadName))?;
        if !self.verify_files.delete(name).await.map_err(verify_error)? {
            return Err(ApiError::bad_request(
                "there is no uploaded verification file of that name",
            ));
        }
        Ok(admin::audit(&self.db, who, "verify_file.delete", name, "").await?)
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
        Ok(admin::audit(&self.db, who, "account.update", "default", &detail).await?)
    }
}

impl AppState {
    /// After a page was saved or deleted: this process shows it at once
    /// (the others within [`crate::page_cache::RELOAD_EVERY`]).
    async fn reload_pages(&self) {
        if let Err(e) = self.pages.reload().await {
            tracing::warn!("could not read the pages again after an edit: {e}");
        }
    }
}

fn verify_error(e: crate::verify_files::VerifyError) -> ApiError {
    use crate::verify_files::VerifyError;
    match e {
        VerifyError::Db(e) => crate::api_error::DbFailure(e).into(),
        other => ApiError::bad_request(other.to_string()),
    }
}

/// `POST /api/admin/save_verify_file` (multipart, field `file`): keeps an
/// uploaded domain verification file, then back to the Account page (with
/// `?verify_error=<reason>` when refused). Reached only with an admin
/// session (`super::middleware`, like the server functions); the body is
/// bounded by the admin body limit ([`crate::guard`]).
pub(super) async fn save_verify_file(
    state: AppState,
    session: Session,
    mut form: axum::extract::Multipart,
) -> axum::response::Response {
    use crate::verify_files::VerifyError;
    use axum::response::Redirect;
    let Some(who) = state.sign_in.current(&session).await else {
        return http::StatusCode::UNAUTHORIZED.into_response();
    };
    let mut file = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            file = field.bytes().await.ok().map(|bytes| (name, bytes));
            break;
        }
    }
    let refused = |reason: &str| {
        Redirect::to(&format!("/admin/account?verify_error={reason}")).into_response()
    };
    let Some((name, bytes)) = file.filter(|(name, _)| !name.is_empty()) else {
        return refused("missing");
    };
    match state.verify_files.save(&name, &bytes).await {
        Ok(()) => {
            if let Err(e) = admin::audit(&state.db, &who, "verify_file.upload", &name, "").await {
                tracing::warn!("could not write the audit log: {e}");
            }
            Redirect::to("/admin/account").into_response()
        }
        Err(VerifyError::BadName) => refused("name"),
        Err(VerifyError::BadContent) => refused("content"),
        Err(VerifyError::TooMany) => refused("too_many"),
        Err(VerifyError::Db(e)) => {
            tracing::error!("could not keep a verification file: {e}");
            refused("db")
        }
    }
}
