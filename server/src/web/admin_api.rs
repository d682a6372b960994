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
//! [`DbFailure`](crate::api_error::DbFailure) words it. What an admin is told
//! is in the admin's language ([`app::lang`], texts in `t`).

mod diagnosis;
mod texts;

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
use texts as t;
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

    async fn set_lang(&self, who: &str, lang: Option<app::i18n::Lang>) -> Result<(), ApiError> {
        Ok(admin::set_lang(&self.db, who, lang).await?)
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
        let ui = app::lang();
        let mut errors = validate_page(
            &form,
            &self.account.get().js_domains,
            &app::admin::check_t::texts(ui),
        );
        // Checked here, not in `validate_page`: the official list stays out
        // of the WASM the editor is part of (it gets the list as props).
        let menu_hidden = form.menu_hidden.as_str();
        if menu_hidden.len() > 1024 {
            errors.push(FieldError {
                field: "menu_hidden".into(),
                message: t::TOO_LONG.fill(ui, &[("max", "1024")]),
            });
        } else if let Err(message) = app::wx::parse_hidden(menu_hidden) {
            errors.push(FieldError {
                field: "menu_hidden".into(),
                message: hidden_error(menu_hidden, ui).unwrap_or(message),
            });
        }
        let lang = form.lang.trim();
        if !lang.is_empty() && !app::i18n::Lang::ALL.iter().any(|l| l.tag() == lang) {
            errors.push(FieldError {
                field: "lang".into(),
                message: t::BAD_PAGE_LANG.get(ui).into(),
            });
        }
        if !errors.is_empty() {
            return Err(ApiError::Invalid {
                message: t::FIELDS_TO_FIX.fill(ui, &[("n", &errors.len().to_string())]),
                fields: errors,
            });
        }
        match share::save_page(&self.db, original, &form).await? {
            Saved::Ok => self.reload_pages().await,
            Saved::SlugTaken => {
                return Err(ApiError::Invalid {
                    message: t::SLUG_TAKEN.get(ui).into(),
                    fields: vec![FieldError {
                        field: "slug".into(),
                        message: t::PAGE_EXISTS.fill(ui, &[("slug", form.slug.trim())]),
                    }],
                })
            }
            Saved::Missing => {
                return Err(ApiError::bad_request(
                    t::NO_PAGE.fill(ui, &[("slug", original)]),
                ))
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
            return Err(ApiError::bad_request(
                t::NO_PAGE.fill(app::lang(), &[("slug", slug)]),
            ));
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
            return Err(ApiError::bad_request(
                t::NO_UPLOAD.fill(app::lang(), &[("id", media_id)]),
            ));
        }
        Ok(admin::audit(&self.db, who, "media.delete", media_id, "").await?)
    }

    async fn users(&self, query: &str, page: i64) -> Result<UsersPage, ApiError> {
        let account = self.oauth.account_id();
        Ok(crate::users::list_users(&self.db, &account, query, page, 20).await?)
    }

    async fn health(&self) -> Result<Vec<CredentialHealth>, ApiError> {
        let lang = app::lang();
        (self.jssdk.credentials.health(lang).await).map_err(|e| e.told(lang))
    }

    async fn refresh(&self, who: &str, kind: &str) -> Result<(), ApiError> {
        let k = Kind::from_name(kind).ok_or_else(|| {
            ApiError::bad_request(t::UNKNOWN_CREDENTIAL.fill(app::lang(), &[("kind", kind)]))
        })?;
        let result = self.jssdk.credentials.refresh_now(k).await;
        let outcome = if result.is_ok() { "ok" } else { "failed" };
        admin::audit(&self.db, who, "credential.refresh", kind, outcome).await?;
        result.map_err(|e| e.told(app::lang()))
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
            return Err(ApiError::bad_request(t::ENTER_URL.get(app::lang())));
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
                .map_err(|_| ApiError::bad_request(t::BAD_TIMESTAMP.get(app::lang())))?
        };
        let (ticket, current) = if ticket.trim().is_empty() {
            let kind = match self.account.get().kind {
                crate::config::AccountKind::WeCom => Kind::WeComJsapiTicket,
                crate::config::AccountKind::Official => Kind::JsapiTicket,
            };
            let t = self
                .jssdk
                .credentials
                .get(kind)
                .await
                .map_err(|e| e.told(app::lang()))?;
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
        let lang = app::lang();
        for r in &mut reports {
            r.diagnosis = diagnose(&r.page_url, &r.signed_url, &r.user_agent, &r.err_msg, lang);
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
            return Err(ApiError::bad_request(t::NO_VERIFY_FILE.get(app::lang())));
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
            let ui = app::lang();
            if form.password.is_empty() {
                return Err(ApiError::Invalid {
                    message: t::PASSWORD_FOR_SECRET.get(ui).into(),
                    fields: vec![FieldError {
                        field: "password".into(),
                        message: t::PASSWORD_REQUIRED.get(ui).into(),
                    }],
                });
            }
            self.sign_in
                .confirm(crate::client_ip::of(parts), who, &form.password)
                .await
                .map_err(|e| match e {
                    AdminError::WrongCredentials => ApiError::Invalid {
                        message: t::WRONG_PASSWORD.get(ui).into(),
                        fields: vec![FieldError {
                            field: "password".into(),
                            message: t::NOT_YOUR_PASSWORD.get(ui).into(),
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

/// Why `list` is not a list of menu items a page may hide, in `lang`
/// ([`app::wx::parse_hidden`] words it in English); `None` if it is one.
fn hidden_error(list: &str, lang: app::i18n::Lang) -> Option<String> {
    use app::wx::{MenuCategory, MenuItem, ALL_NON_BASE};
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty() && *name != ALL_NON_BASE)
        .find_map(|name| match MenuItem::from_name(name) {
            None => Some(t::NOT_A_MENU_ITEM.fill(lang, &[("name", name)])),
            Some(m) if m.category() == MenuCategory::Basic => {
                Some(t::BASIC_MENU_ITEM.fill(lang, &[("name", name)]))
            }
            Some(_) => None,
        })
}

fn verify_error(e: crate::verify_files::VerifyError) -> ApiError {
    use crate::verify_files::{VerifyError, MAX_CONTENT, MAX_FILES};
    let lang = app::lang();
    match e {
        VerifyError::Db(e) => crate::api_error::DbFailure(e).into(),
        VerifyError::BadName => ApiError::bad_request(t::VERIFY_BAD_NAME.get(lang)),
        VerifyError::BadContent => ApiError::bad_request(
            t::VERIFY_BAD_CONTENT.fill(lang, &[("max", &MAX_CONTENT.to_string())]),
        ),
        VerifyError::TooMany => {
            ApiError::bad_request(t::VERIFY_TOO_MANY.fill(lang, &[("max", &MAX_FILES.to_string())]))
        }
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

#[cfg(test)]
mod tests {
    use super::{hidden_error, t};
    use app::i18n::Lang;

    #[test]
    fn every_text_is_written_in_both_languages() {
        let problems = app::i18n::check_catalogue("admin_api", t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn a_bad_menu_item_is_named_in_the_admins_language() {
        assert_eq!(
            hidden_error("menuItem:copyUrl,all_non_base", Lang::En),
            None
        );
        let unknown = hidden_error("menuItem:copyUrl, nope", Lang::ZhCn).unwrap();
        assert_eq!(unknown, "`nope` 不在微信的菜单项列表中");
        let basic = hidden_error("menuItem:refresh", Lang::En).unwrap();
        assert!(basic.contains("basic menu item"), "{basic}");
        // The same verdict as the check itself.
        for list in [
            "menuItem:copyUrl,all_non_base",
            "menuItem:copyUrl, nope",
            "menuItem:refresh",
            " , ",
        ] {
            assert_eq!(
                hidden_error(list, Lang::En).is_some(),
                app::wx::parse_hidden(list).is_err(),
                "{list}"
            );
        }
    }
}
