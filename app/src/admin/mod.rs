//! The admin dashboard's wire types, the validation of page forms (shared by
//! the editor island and the server), and the admin server functions
//! (`/api/admin/…`). Every admin server function first calls
//! [`require_admin`], which answers 401 without an admin session.
//!
//! - `wire`: the types the dashboard and the server exchange.
//! - `validate`: [`validate_page`], run by the editor as one types and by the
//!   server before it saves.
//! - `backend` (server only): [`AdminBackend`], what the server implements,
//!   and [`require_admin`].
//! - `api`: the server functions, one per endpoint.
//! - `t`: the texts of the errors the admin server functions answer with, in
//!   the admin's language (the server's own errors are its business).

mod api;
#[cfg(feature = "ssr")]
mod backend;
mod validate;
mod wire;

pub use api::*;
#[cfg(feature = "ssr")]
pub use backend::{require_admin, AdminBackend};
pub use validate::*;
pub use wire::*;

/// The admin server functions' own error texts.
pub mod t {
    crate::texts! {
        SIGN_IN_FIRST: "请先以管理员身份登录", "sign in as an admin first";
        BAD_LANG: "语言只能是空（跟随浏览器）、zh-CN 或 en", "the language must be empty (the browser's), zh-CN or en";
    }
}
