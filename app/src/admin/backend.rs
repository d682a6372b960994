//! What the admin server functions need from the server ([`AdminBackend`]),
//! how they reach it, and [`require_admin`], the check every one of them makes
//! first. Server only.

use super::*;
use crate::error::ApiError;
use leptos::prelude::*;

/// What the admin server functions need from the server. Every method is
/// called only after [`require_admin`] succeeded.
#[async_trait::async_trait]
pub trait AdminBackend: Send + Sync + 'static {
    /// The admin signed in on this request's session.
    async fn current_admin(&self, parts: &http::request::Parts) -> Option<String>;
    async fn sign_in(
        &self,
        parts: &http::request::Parts,
        username: &str,
        password: &str,
    ) -> Result<(), ApiError>;
    async fn sign_out(&self, parts: &http::request::Parts, who: &str) -> Result<(), ApiError>;
    async fn sign_out_everywhere(
        &self,
        parts: &http::request::Parts,
        who: &str,
    ) -> Result<(), ApiError>;
    /// Sets the language `who` reads the dashboard in (`None`: the browser's).
    async fn set_lang(&self, who: &str, lang: Option<crate::i18n::Lang>) -> Result<(), ApiError>;
    async fn pages(&self) -> Result<Vec<PageSummary>, ApiError>;
    async fn page(&self, slug: &str) -> Result<Option<PageForm>, ApiError>;
    async fn editor_context(&self) -> Result<EditorContext, ApiError>;
    async fn save_page(&self, who: &str, original: &str, form: PageForm) -> Result<(), ApiError>;
    async fn delete_page(&self, who: &str, slug: &str) -> Result<(), ApiError>;
    async fn cards(&self) -> Result<Vec<CardRow>, ApiError>;
    async fn save_card(&self, who: &str, card: CardRow) -> Result<(), ApiError>;
    async fn delete_card(&self, who: &str, card_id: &str) -> Result<(), ApiError>;
    /// Adds `codes` (one per line) to the code pool of card `card_id`.
    async fn upload_card_codes(
        &self,
        who: &str,
        card_id: &str,
        codes: &str,
    ) -> Result<CodeUpload, ApiError>;
    async fn media(&self) -> Result<Vec<MediaItem>, ApiError>;
    async fn delete_media(&self, who: &str, media_id: &str) -> Result<(), ApiError>;
    async fn users(&self, query: &str, page: i64) -> Result<UsersPage, ApiError>;
    async fn health(&self) -> Result<Vec<CredentialHealth>, ApiError>;
    async fn refresh(&self, who: &str, kind: &str) -> Result<(), ApiError>;
    async fn sign_debug(
        &self,
        url: &str,
        nonce: &str,
        timestamp: &str,
        ticket: &str,
    ) -> Result<SignDebug, ApiError>;
    async fn failures(&self) -> Result<Vec<FailureReport>, ApiError>;
    async fn share_activity(&self) -> Result<Vec<ShareDay>, ApiError>;
    async fn audit(&self) -> Result<Vec<AuditEntry>, ApiError>;
    async fn account(&self) -> Result<AccountInfo, ApiError>;
    async fn verify_files(&self) -> Result<Vec<VerifyFileRow>, ApiError>;
    async fn delete_verify_file(&self, who: &str, name: &str) -> Result<(), ApiError>;
    async fn save_account(
        &self,
        parts: &http::request::Parts,
        who: &str,
        form: AccountForm,
    ) -> Result<(), ApiError>;
}

pub(super) fn backend() -> Result<std::sync::Arc<dyn AdminBackend>, ApiError> {
    use_context::<std::sync::Arc<dyn AdminBackend>>().ok_or_else(|| ApiError::Internal {
        message: "admin backend missing from context".into(),
    })
}

pub(super) fn parts() -> Result<http::request::Parts, ApiError> {
    use_context::<http::request::Parts>().ok_or_else(|| ApiError::Internal {
        message: "request missing from context".into(),
    })
}

/// The admin backend and the signed-in admin's name; 401 without an admin session.
pub async fn require_admin() -> Result<(std::sync::Arc<dyn AdminBackend>, String), ApiError> {
    let backend = backend()?;
    match backend.current_admin(&parts()?).await {
        Some(who) => Ok((backend, who)),
        None => {
            if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
                resp.set_status(http::StatusCode::UNAUTHORIZED);
            }
            Err(ApiError::Unauthorized {
                message: super::t::SIGN_IN_FIRST.get(crate::lang()).into(),
            })
        }
    }
}
