//! The admin server functions (`/api/admin/…`), one per endpoint. Each first
//! calls [`require_admin`](super::require_admin) (sign-in excepted), then asks
//! the [`AdminBackend`](super::AdminBackend). Plain form posts redirect back to
//! the dashboard page they came from.

#[cfg(feature = "ssr")]
use super::backend::{backend, parts, require_admin};
use super::*;
use crate::error::ApiError;
use leptos::prelude::*;

/// Signs an admin in (rate-limited per IP and per username), then goes to the dashboard.
#[server(prefix = "/api/admin", endpoint = "sign_in")]
pub async fn admin_sign_in(username: String, password: String) -> Result<(), ApiError> {
    backend()?.sign_in(&parts()?, &username, &password).await?;
    leptos_axum::redirect("/admin");
    Ok(())
}

/// Signs the admin out.
#[server(prefix = "/api/admin", endpoint = "sign_out")]
pub async fn admin_sign_out() -> Result<(), ApiError> {
    let (admin, who) = require_admin().await?;
    admin.sign_out(&parts()?, &who).await?;
    leptos_axum::redirect("/admin/sign-in");
    Ok(())
}

/// Ends every session of the signed-in admin (every browser, every process).
#[server(prefix = "/api/admin", endpoint = "sign_out_everywhere")]
pub async fn admin_sign_out_everywhere() -> Result<(), ApiError> {
    let (admin, who) = require_admin().await?;
    admin.sign_out_everywhere(&parts()?, &who).await?;
    leptos_axum::redirect("/admin/sign-in");
    Ok(())
}

/// The language the signed-in admin reads the dashboard in: `zh-CN`, `en`,
/// or empty for the browser's; then back to the page the form was on.
#[server(prefix = "/api/admin", endpoint = "save_lang")]
pub async fn admin_save_lang(#[server(default)] lang: String) -> Result<(), ApiError> {
    let (admin, who) = require_admin().await?;
    let chosen = match lang.as_str() {
        "" => None,
        tag => Some(
            crate::i18n::Lang::ALL
                .into_iter()
                .find(|l| l.tag() == tag)
                .ok_or_else(|| ApiError::bad_request(super::t::BAD_LANG.get(crate::lang())))?,
        ),
    };
    admin.set_lang(&who, chosen).await
}

/// The signed-in admin's name.
#[server(prefix = "/api/admin", endpoint = "whoami")]
pub async fn admin_whoami() -> Result<String, ApiError> {
    Ok(require_admin().await?.1)
}

#[server(prefix = "/api/admin", endpoint = "pages")]
pub async fn admin_pages() -> Result<Vec<PageSummary>, ApiError> {
    require_admin().await?.0.pages().await
}

/// A page for the editor (`None`: no such page), with where its links may point.
#[server(prefix = "/api/admin", endpoint = "page")]
pub async fn admin_page(slug: String) -> Result<(Option<PageForm>, EditorContext), ApiError> {
    let (admin, _) = require_admin().await?;
    let page = if slug.is_empty() {
        None
    } else {
        admin.page(&slug).await?
    };
    Ok((page, admin.editor_context().await?))
}

/// Creates (`original` empty) or updates page `original`; 400 with the fields
/// that are wrong.
#[server(prefix = "/api/admin", endpoint = "save_page")]
pub async fn admin_save_page(
    #[server(default)] original: String,
    form: PageForm,
) -> Result<(), ApiError> {
    let (admin, who) = require_admin().await?;
    admin.save_page(&who, &original, form).await
}

#[server(prefix = "/api/admin", endpoint = "delete_page")]
pub async fn admin_delete_page(slug: String) -> Result<(), ApiError> {
    let (admin, who) = require_admin().await?;
    admin.delete_page(&who, &slug).await?;
    leptos_axum::redirect("/admin/pages");
    Ok(())
}

#[server(prefix = "/api/admin", endpoint = "cards")]
pub async fn admin_cards() -> Result<Vec<CardRow>, ApiError> {
    require_admin().await?.0.cards().await
}

/// Registers (or updates) a card.
#[server(prefix = "/api/admin", endpoint = "save_card")]
pub async fn admin_save_card(
    card_id: String,
    title: String,
    card_type: String,
    #[server(default)] code_bound: Option<String>,
    #[server(default)] openid_bound: Option<String>,
) -> Result<(), ApiError> {
    let (admin, who) = require_admin().await?;
    let card = CardRow {
        card_id,
        title,
        card_type,
        code_bound: code_bound.is_some_and(|v| !v.is_empty() && v != "false"),
        openid_bound: openid_bound.is_some_and(|v| !v.is_empty() && v != "false"),
        codes_left: 0,
    };
    admin.save_card(&who, card).await
}

#[server(prefix = "/api/admin", endpoint = "delete_card")]
pub async fn admin_delete_card(card_id: String) -> Result<(), ApiError> {
    let (admin, who) = require_admin().await?;
    admin.delete_card(&who, &card_id).await
}

/// Adds codes (one per line) to a custom-code card's pool; duplicates are ignored.
#[server(prefix = "/api/admin", endpoint = "save_card_codes")]
pub async fn admin_save_card_codes(card_id: String, codes: String) -> Result<CodeUpload, ApiError> {
    let (admin, who) = require_admin().await?;
    admin.upload_card_codes(&who, &card_id, &codes).await
}

#[server(prefix = "/api/admin", endpoint = "media")]
pub async fn admin_media() -> Result<Vec<MediaItem>, ApiError> {
    require_admin().await?.0.media().await
}

#[server(prefix = "/api/admin", endpoint = "delete_media")]
pub async fn admin_delete_media(media_id: String) -> Result<(), ApiError> {
    let (admin, who) = require_admin().await?;
    admin.delete_media(&who, &media_id).await
}

/// Authorized users matching `q` (nickname or openid), 20 per page.
#[server(prefix = "/api/admin", endpoint = "users")]
pub async fn admin_users(
    #[server(default)] q: String,
    #[server(default)] page: i64,
) -> Result<UsersPage, ApiError> {
    require_admin().await?.0.users(&q, page.max(1)).await
}

#[server(prefix = "/api/admin", endpoint = "health")]
pub async fn admin_health() -> Result<Vec<CredentialHealth>, ApiError> {
    require_admin().await?.0.health().await
}

/// Refreshes one credential now, through the same single-flight path as any use.
#[server(prefix = "/api/admin", endpoint = "refresh")]
pub async fn admin_refresh(kind: String) -> Result<(), ApiError> {
    let (admin, who) = require_admin().await?;
    admin.refresh(&who, &kind).await
}

/// The jsapi signature of `url`, step by step.
#[server(prefix = "/api/admin", endpoint = "sign_debug")]
pub async fn admin_sign_debug(
    url: String,
    #[server(default)] nonce: String,
    #[server(default)] timestamp: String,
    #[server(default)] ticket: String,
) -> Result<SignDebug, ApiError> {
    require_admin()
        .await?
        .0
        .sign_debug(&url, &nonce, &timestamp, &ticket)
        .await
}

#[server(prefix = "/api/admin", endpoint = "failures")]
pub async fn admin_failures() -> Result<Vec<FailureReport>, ApiError> {
    require_admin().await?.0.failures().await
}

#[server(prefix = "/api/admin", endpoint = "share_activity")]
pub async fn admin_share_activity() -> Result<Vec<ShareDay>, ApiError> {
    require_admin().await?.0.share_activity().await
}

#[server(prefix = "/api/admin", endpoint = "audit")]
pub async fn admin_audit() -> Result<Vec<AuditEntry>, ApiError> {
    require_admin().await?.0.audit().await
}

#[server(prefix = "/api/admin", endpoint = "account")]
pub async fn admin_account() -> Result<AccountInfo, ApiError> {
    require_admin().await?.0.account().await
}

/// Edits the account (secrets are write-only: empty keeps the current one).
#[server(prefix = "/api/admin", endpoint = "save_account")]
pub async fn admin_save_account(form: AccountForm) -> Result<(), ApiError> {
    let (admin, who) = require_admin().await?;
    admin.save_account(&parts()?, &who, form).await
}

/// The domain verification files served at the site root.
#[server(prefix = "/api/admin", endpoint = "verify_files")]
pub async fn admin_verify_files() -> Result<Vec<VerifyFileRow>, ApiError> {
    require_admin().await?.0.verify_files().await
}

/// Removes an uploaded verification file. (Uploading one is a multipart form
/// post to [`SAVE_VERIFY_FILE`], which the server serves itself.)
#[server(prefix = "/api/admin", endpoint = "delete_verify_file")]
pub async fn admin_delete_verify_file(name: String) -> Result<(), ApiError> {
    let (admin, who) = require_admin().await?;
    admin.delete_verify_file(&who, &name).await
}

/// Where the Account page's upload form posts a verification file
/// (`multipart/form-data`, field `file`); the server answers with a redirect
/// to the Account page, with `?verify_error=<reason>` when it was refused.
pub const SAVE_VERIFY_FILE: &str = "/api/admin/save_verify_file";
