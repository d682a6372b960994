//! The admin dashboard's wire types: what the admin server functions answer
//! and take, serialisable for the browser and implemented against by the
//! server.

use serde::{Deserialize, Serialize};

/// A page as the editor shows and saves it (every field a string).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageForm {
    pub slug: String,
    pub title: String,
    pub body: String,
    /// `none`, `snsapi_base` or `snsapi_userinfo` ([`crate::scope::AUTH_SCOPES`]).
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
    /// Menu items the page hides (comma-separated names of WeChat's list, or
    /// `all_non_base`): see [`crate::wx::parse_hidden`]. A form without it
    /// hides nothing (an empty value cannot be told from an absent one in a
    /// posted form).
    #[serde(default)]
    pub menu_hidden: String,
    /// The language the page is pinned to (`zh-CN`, `en`); empty: the
    /// visitor's. A form without it pins none.
    #[serde(default)]
    pub lang: String,
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
    /// The menu items a page may hide: (name, WeChat's label), from the
    /// official list (sent, so the list is not compiled into the editor).
    #[serde(default)]
    pub menu_items: Vec<(String, String)>,
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
    /// A voice (`wx.uploadVoice`, AMR) rather than an image.
    pub voice: bool,
    /// How long a voice plays.
    pub duration_ms: i64,
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

/// The health of one credential (never its value), as the server's
/// credential store reports it and the overview shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialHealth {
    /// The credential's name (`access_token`, `jsapi_ticket`, …).
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

/// A domain verification file served at the site root (`MP_verify_….txt`,
/// `WW_verify_….txt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyFileRow {
    pub name: String,
    /// Uploaded on the dashboard (else placed in the data folder's `verify/`,
    /// and only removable there).
    pub uploaded: bool,
}
