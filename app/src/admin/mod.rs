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
