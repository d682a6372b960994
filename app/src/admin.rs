//! The admin dashboard's wire types, the validation of page forms (shared by
//! the editor island and the server), and the admin server functions
//! (`/api/admin/…`). Every admin server function first calls
//! [`require_admin`], which answers 401 without an admin session.

use crate::jssdk::{ApiError, FieldError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A page as the editor shows and saves it (every field a string).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageForm {
    pub slug: String,
    pub title: String,
    pub body: String,
    /// `none`, `snsapi_base` or `snsapi_userinfo`.
    pub auth_scope: String,
    /// Comma-separated.
    pub js_api_list: String,
    pub share_title: String,
    pub share_desc: String,
    pub share_link: String,
    pub share_image: String,
    pub timeline_title: String,
    pub timeline_link: String,
    pub timeline_image: String,
}

/// One line of the page list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageSummary {
    pub slug: String,
    pub title: String,
    pub auth_scope: String,
    pub updated_at: i64,
}

/// What the editor needs besides the page: where links may point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditorContext {
    pub js_domains: Vec<String>,
    pub origin: String,
}

/// A stored upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaItem {
    pub media_id: String,
    pub slug: String,
    pub url: String,
    pub uploader: String,
    pub size: i64,
    pub created_at: i64,
}

/// An authorized user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub openid: String,
    pub nickname: String,
    pub avatar_url: String,
    pub scope: String,
    pub first_seen: i64,
    pub last_seen: i64,
}

/// A page of the user list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsersPage {
    pub users: Vec<UserRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The health of one credential (never its value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialHealth {
    pub kind: String,
    pub present: bool,
    pub expires_in_secs: i64,
    pub fetched_at: i64,
    pub refresh_count: i64,
    pub failures: i64,
    pub last_error: String,
}

/// What the signature debugger shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignDebug {
    pub url: String,
    pub nonce_str: String,
    pub timestamp: i64,
    /// The exact string that is hashed (the account's own ticket is masked).
    pub string_to_sign: String,
    pub signature: String,
    /// Whether the account's current jsapi_ticket was used.
    pub current_ticket: bool,
}

/// A config failure a page reported, with a diagnosis in plain words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailureReport {
    pub page_url: String,
    pub signed_url: String,
    pub user_agent: String,
    pub err_msg: String,
    pub created_at: i64,
    pub diagnosis: String,
    /// How many times this same failure was reported (the last at `last_seen`).
    #[serde(default)]
    pub count: i64,
    #[serde(default)]
    pub last_seen: i64,
}

/// Share outcomes of one page on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareDay {
    pub slug: String,
    pub day: String,
    pub successes: i64,
    pub cancels: i64,
}

/// One admin change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at_ms: i64,
    pub admin: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// A registered card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardRow {
    pub card_id: String,
    pub title: String,
    pub card_type: String,
    pub code_bound: bool,
    pub openid_bound: bool,
    /// Unclaimed codes in its code pool (custom-code cards).
    #[serde(default)]
    pub codes_left: i64,
}

/// What a code-pool upload did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeUpload {
    /// New codes in the pool.
    pub added: i64,
    /// Codes the pool had already (or listed twice), ignored.
    pub ignored: i64,
    /// Unclaimed codes now.
    pub left: i64,
}

/// The account the pages belong to, secrets reduced to whether they are set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub kind: String,
    pub app_id: String,
    pub corp_id: String,
    pub agent_id: String,
    pub js_domains: Vec<String>,
    pub token_mode: String,
    pub app_secret_set: bool,
    pub corp_secret_set: bool,
    pub mp_token_set: bool,
}

/// An edit of the account; an empty secret keeps the current one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountForm {
    /// `official` or `wecom`.
    pub kind: String,
    pub app_id: String,
    #[serde(default)]
    pub app_secret: String,
    #[serde(default)]
    pub corp_id: String,
    #[serde(default)]
    pub corp_secret: String,
    #[serde(default)]
    pub agent_id: String,
    /// Comma-separated.
    pub js_domains: String,
    /// `client_credential` or `stable`.
    pub token_mode: String,
    /// The admin's own password: required when a secret is replaced.
    #[serde(default)]
    pub password: String,
}

/// The page auth scopes.
pub const AUTH_SCOPES: &[&str] = &["none", "snsapi_base", "snsapi_userinfo"];

fn host_allowed(host: &str, domains: &[String]) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    domains
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// The (scheme, host) of an absolute URL, as a browser parses it (the WHATWG
/// URL standard: a `\\` in the authority, `user@host`, percent-encoding and IDN
/// are resolved as WeChat's webview resolves them). In the browser the
/// browser's own parser (no extra KB of WASM); on the server the `url` crate.
fn scheme_and_host(url: &str) -> Option<(String, String)> {
    #[cfg(target_arch = "wasm32")]
    {
        let u = web_sys::Url::new(url).ok()?;
        let scheme = u.protocol().trim_end_matches(':').to_string();
        let host = u.hostname();
        (!host.is_empty()).then_some((scheme, host))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let u = url::Url::parse(url).ok()?;
        let host = u.host_str()?.to_string();
        Some((u.scheme().to_string(), host))
    }
}

/// Checks a page form; every problem is named with its field.
pub fn validate_page(form: &PageForm, js_domains: &[String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut bad = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_string(),
            message,
        })
    };
    let slug = form.slug.trim();
    if slug.is_empty() || slug.len() > 64 {
        bad("slug", "1 to 64 characters".into());
    } else if !slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || slug.starts_with('-')
    {
        bad("slug", "lower-case letters, digits and `-` only".into());
    }
    for (field, value, max, required) in [
        ("title", &form.title, 64, true),
        ("body", &form.body, 4000, false),
        ("share_title", &form.share_title, 64, false),
        ("share_desc", &form.share_desc, 120, false),
        ("timeline_title", &form.timeline_title, 64, false),
    ] {
        let n = value.chars().count();
        if required && value.trim().is_empty() {
            bad(field, "required".into());
        } else if n > max {
            bad(field, format!("at most {max} characters (now {n})"));
        }
    }
    if !AUTH_SCOPES.contains(&form.auth_scope.as_str()) {
        bad("auth_scope", "none, snsapi_base or snsapi_userinfo".into());
    }
    let unknown: Vec<&str> = form
        .js_api_list
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty() && !crate::backend::is_known_api(a))
        .collect();
    if !unknown.is_empty() {
        bad(
            "js_api_list",
            format!("not JS-SDK APIs: {}", unknown.join(", ")),
        );
    }
    for field in ["share_link", "timeline_link"] {
        let value = if field == "share_link" {
            &form.share_link
        } else {
            &form.timeline_link
        };
        if value.is_empty() {
            continue;
        }
        let parsed = scheme_and_host(value);
        match parsed.as_ref().map(|(s, h)| (s.as_str(), h.as_str())) {
            _ if value.len() > 1024 => bad(field, "at most 1024 characters".into()),
            Some(("http" | "https", host)) if host_allowed(host, js_domains) => {}
            Some(("http" | "https", host)) => bad(
                field,
                format!(
                    "the link's host `{host}` is not a JS interface safe domain ({})",
                    js_domains.join(", ")
                ),
            ),
            _ => bad(field, "an absolute http(s) URL".into()),
        }
    }
    for field in ["share_image", "timeline_image"] {
        let value = if field == "share_image" {
            &form.share_image
        } else {
            &form.timeline_image
        };
        if value.is_empty() {
            continue;
        }
        match scheme_and_host(value).as_ref().map(|(s, _)| s.as_str()) {
            _ if value.len() > 1024 => bad(field, "at most 1024 characters".into()),
            Some("http" | "https") => {}
            _ => bad(field, "an absolute http(s) image URL".into()),
        }
    }
    errors
}

/// What the admin server functions need from the server. Every method is
/// called only after [`require_admin`] succeeded.
#[cfg(feature = "ssr")]
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
    async fn save_account(
        &self,
        parts: &http::request::Parts,
        who: &str,
        form: AccountForm,
    ) -> Result<(), ApiError>;
}

#[cfg(feature = "ssr")]
fn backend() -> Result<std::sync::Arc<dyn AdminBackend>, ApiError> {
    use_context::<std::sync::Arc<dyn AdminBackend>>().ok_or_else(|| ApiError::Internal {
        message: "admin backend missing from context".into(),
    })
}

#[cfg(feature = "ssr")]
fn parts() -> Result<http::request::Parts, ApiError> {
    use_context::<http::request::Parts>().ok_or_else(|| ApiError::Internal {
        message: "request missing from context".into(),
    })
}

/// The admin backend and the signed-in admin's name; 401 without an admin session.
#[cfg(feature = "ssr")]
pub async fn require_admin() -> Result<(std::sync::Arc<dyn AdminBackend>, String), ApiError> {
    let backend = backend()?;
    match backend.current_admin(&parts()?).await {
        Some(who) => Ok((backend, who)),
        None => {
            if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
                resp.set_status(http::StatusCode::UNAUTHORIZED);
            }
            Err(ApiError::Unauthorized {
                message: "sign in as an admin first".into(),
            })
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PageForm {
        PageForm {
            slug: "spring-sale".into(),
            title: "Spring sale".into(),
            auth_scope: "none".into(),
            js_api_list: "updateAppMessageShareData,checkJsApi".into(),
            ..PageForm::default()
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_good_form_passes() {
        let mut f = form();
        f.share_link = "https://h5.example.com/p/spring-sale?x=1".into();
        f.timeline_link = "https://m.h5.example.com:8443/x".into();
        f.share_image = "https://cdn.other.example/a.png".into();
        assert_eq!(validate_page(&f, &["h5.example.com".into()]), vec![]);
    }

    #[test]
    fn each_problem_is_named_with_its_field() {
        let mut f = form();
        f.slug = "Spring Sale".into();
        f.title = "".into();
        f.share_title = "长".repeat(65);
        f.share_link = "https://evil.example/x".into();
        f.timeline_link = "javascript:alert(1)".into();
        f.share_image = "/relative.png".into();
        f.js_api_list = "updateAppMessageShareData,noSuchApi".into();
        f.auth_scope = "admin".into();
        let errors = validate_page(&f, &["h5.example.com".into()]);
        assert_eq!(
            fields(&errors),
            vec![
                "slug",
                "title",
                "share_title",
                "auth_scope",
                "js_api_list",
                "share_link",
                "timeline_link",
                "share_image"
            ]
        );
        assert!(errors[5].message.contains("evil.example"));
    }

    #[test]
    fn a_lookalike_host_is_not_a_subdomain() {
        let mut f = form();
        f.share_link = "https://evilh5.example.com/".into();
        assert_eq!(
            fields(&validate_page(&f, &["h5.example.com".into()])),
            vec!["share_link"]
        );
        f.share_link = "https://h5.example.com@evil.example/".into();
        assert_eq!(
            fields(&validate_page(&f, &["h5.example.com".into()])),
            vec!["share_link"]
        );
    }

    #[test]
    fn a_backslash_in_the_authority_cannot_smuggle_another_host() {
        // A browser reads `\` as `/`: the host of these is evil.example.
        for link in [
            "https://evil.example\\@h5.example.com/",
            "https://evil.example\\.h5.example.com/",
            "https:\\\\evil.example/h5.example.com",
        ] {
            let mut f = form();
            f.share_link = link.into();
            let errors = validate_page(&f, &["h5.example.com".into()]);
            assert_eq!(fields(&errors), vec!["share_link"], "{link}");
        }
        let mut f = form();
        f.share_link = "https://H5.Example.COM./p".into();
        assert_eq!(
            fields(&validate_page(&f, &["h5.example.com".into()])),
            Vec::<&str>::new()
        );
    }
}
