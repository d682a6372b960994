//! The HTTP side: [`AppState`], what every handler shares, and [`router`],
//! the one place where the site's routers are merged and layered. The
//! surfaces, each in its own module:
//!
//! - the Leptos pages and server functions, with `page_api` (the in-app
//!   pages' [`app::backend::Backend`]) and `admin_api` (the dashboard's
//!   [`app::admin::AdminBackend`]) behind them, and the static site files;
//! - `oauth_pages`: the OAuth callback and start, and the sign-in outcome page;
//! - `message_server`: WeChat's message-server URL check;
//! - `/media/{file}` ([`crate::media::serve`]), `/healthz`, and the simulator
//!   under `/_sim` when simulating.
//!
//! The middleware is in `middleware` (and in [`crate::guard`],
//! [`crate::client_ip`], [`crate::sessions`]). Layers added later wrap the
//! ones added before, so a request meets them from the bottom of [`router`]
//! up: (with metrics on) the request counter, the request id and its log
//! span ([`crate::telemetry`]), compression, security headers, timeout,
//! client IP, the heavy-request cap, the body guard, the session, the
//! cross-site check, the domain verification files; then, on the Leptos
//! routes, API error statuses, the dashboard's language and the admin API
//! lock, page authorization and the
//! embedded `wx.config`. The signing endpoint is the exception: the counter
//! and `sign_api::serve`, which does in one step what the stack does for it.

mod admin_api;
mod message_server;
mod middleware;
mod oauth_pages;
mod page_api;
mod sign_api;

pub(crate) use oauth_pages::escape_html;

use crate::jssdk::JsSdk;
use crate::oauth::OAuth;
use app::backend::Backend;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list_with_exclusions, LeptosRoutes};
use secrecy::SecretString;
use sqlx::AnyPool;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;

/// What request handlers share: one [`Services`] behind one `Arc`, so the
/// clone every middleware layer and handler makes per request is a reference
/// count, not a copy of the services' fields.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> AppState {
        AppState(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The services behind [`AppState`].
pub struct Services {
    pub jssdk: Arc<JsSdk>,
    pub db: AnyPool,
    /// `scheme://host[:port]` the pages are served under.
    pub public_origin: String,
    /// What pages are told about the site (simulate mode, the SDK script).
    pub site: app::SiteInfo,
    /// The in-app pages, in memory.
    pub pages: Arc<crate::page_cache::PageCache>,
    /// Uploaded images.
    pub media: Arc<crate::media::MediaStore>,
    /// Web authorization.
    pub oauth: Arc<OAuth>,
    /// The message-server token (`WXKIT_MP_TOKEN`).
    pub mp_token: Option<SecretString>,
    /// Admin sign-in (rate limits included).
    pub sign_in: Arc<crate::admin::SignIn>,
    /// The account the pages belong to (live; an admin may edit it).
    pub account: crate::accounts::Account,
    /// Rate limits on anonymous traffic.
    pub limits: Arc<crate::limits::Limits>,
    /// What anonymous traffic may cost (proxies, quotas, lifetimes).
    pub protection: Arc<crate::config::Protection>,
    /// Whether metrics are recorded (`WXKIT_METRICS_ADDR` is set).
    pub metrics: bool,
    /// Whether `/jssdk` is served (`WXKIT_PLAYGROUND`).
    pub playground: bool,
    /// The domain verification files, served at the root.
    pub verify_files: Arc<crate::verify_files::VerifyFiles>,
}

/// The whole site. `simulator`: mounted under `/_sim` when given.
pub fn router(
    state: AppState,
    options: LeptosOptions,
    simulator: Option<crate::simulator::Simulator>,
) -> Router {
    let backend: Arc<dyn Backend> = Arc::new(state.clone());
    let admin: Arc<dyn app::admin::AdminBackend> = Arc::new(state.clone());
    // The signing endpoint is served by `sign_api`, not by the server function's route.
    let routes = generate_route_list_with_exclusions(app::App, Some(vec![sign_api::PATH.into()]));
    let pages = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || {
                provide_context(backend.clone());
                provide_context(admin.clone());
            },
            {
                let options = options.clone();
                move || app::shell(options.clone())
            },
        )
        .route(
            app::admin::SAVE_VERIFY_FILE,
            post({
                let state = state.clone();
                move |session: tower_sessions::Session, form: axum::extract::Multipart| {
                    admin_api::save_verify_file(state.clone(), session, form)
                }
            }),
        )
        .layer(from_fn_with_state(state.clone(), middleware::embed_config))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::authorize_pages,
        ))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::admin_requests,
        ))
        .layer(from_fn(middleware::api_error_status))
        .fallback(leptos_axum::file_and_error_handler(app::shell))
        .with_state(options);

    let sessions = crate::sessions::layer(state.db.clone(), &state.public_origin);
    let origin: Arc<str> = state.public_origin.as_str().into();
    let proxies = Arc::new(state.protection.trusted_proxies.clone());
    let timeout = state.protection.request_timeout;
    let https = state.public_origin.starts_with("https://");
    let heavy = Arc::new(tokio::sync::Semaphore::new(crate::guard::HEAVY_CONCURRENCY));
    // The signing endpoint, the one every page calls (and calls again on each
    // client-side URL change), does what the site's stack below does in its
    // own handler (`sign_api::serve`); it is merged after that stack.
    let sign = Router::new().route(sign_api::PATH, {
        let guard = Arc::new(sign_api::Guard {
            proxies: proxies.clone(),
            public_origin: origin.clone(),
            https,
            timeout,
        });
        let state = state.clone();
        // Every method: `serve` answers all but POST with a 405 itself, its
        // body read and its headers on.
        axum::routing::any(move |req: axum::extract::Request| {
            sign_api::serve(guard.clone(), state.clone(), req)
        })
    });
    let metrics = state.metrics;
    let verify_files = state.verify_files.clone();
    let mut router = Router::new()
        .route("/media/{file}", get(crate::media::serve::media_file))
        .route("/healthz", get(healthz))
        .merge(oauth_pages::router())
        .merge(message_server::router())
        .with_state(state)
        .merge(pages);
    // Only a mounted simulator's paths are exempt from the cross-site check.
    let sim_mounted = simulator.is_some();
    if let Some(sim) = simulator {
        router = router.merge(sim.router());
    }
    let router = router
        .layer(from_fn_with_state(verify_files, crate::verify_files::serve))
        .layer(from_fn(move |req, next| {
            middleware::refuse_cross_site(origin.clone(), sim_mounted, req, next)
        }))
        .layer(sessions)
        .layer(from_fn(crate::guard::bodies))
        .layer(from_fn(move |req, next| {
            crate::guard::heavy_requests(heavy.clone(), req, next)
        }))
        .layer(from_fn({
            let proxies = proxies.clone();
            move |req, next| crate::client_ip::layer(proxies.clone(), req, next)
        }))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(from_fn(move |req, next| {
            crate::guard::headers(https, req, next)
        }))
        .layer(CompressionLayer::new())
        .layer(from_fn(move |req, next| {
            crate::telemetry::layer(proxies.clone(), req, next)
        }))
        .merge(sign);
    if metrics {
        // Outermost, so a request refused by any layer is counted too.
        router.layer(from_fn(crate::telemetry::metrics::http))
    } else {
        router
    }
}

/// `GET /healthz`: 200 when the database answers within 2 s.
async fn healthz(State(state): State<AppState>) -> Response {
    let check = sqlx::query("SELECT 1").execute(&state.db);
    match tokio::time::timeout(std::time::Duration::from_secs(2), check).await {
        Ok(Ok(_)) => Json(serde_json::json!({ "status": "ok" })).into_response(),
        failed => {
            match failed {
                Ok(Err(e)) => tracing::error!("health check: database unreachable: {e}"),
                _ => tracing::error!("health check: the database did not answer within 2 s"),
            }
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "database unreachable" })),
            )
                .into_response()
        }
    }
}

/// What an anonymous visitor can reach: every server function that is not an
/// admin one (the fuzz test enumerates these, so a new one is fuzzed the day
/// it is added).
pub fn public_functions() -> Vec<String> {
    let mut functions: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .filter(|p| !p.starts_with("/api/admin/"))
        .collect();
    functions.sort();
    functions.dedup();
    functions
}

/// The dashboard's attack surface: every admin server function's path and
/// every `/admin` route the app registers (the access tests enumerate these,
/// so a new one is tested the day it is added).
pub fn admin_surface() -> (Vec<String>, Vec<String>) {
    let mut functions: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .filter(|p| p.starts_with("/api/admin/"))
        .chain([app::admin::SAVE_VERIFY_FILE.to_string()])
        .collect();
    functions.sort();
    let mut routes: Vec<String> = leptos_axum::generate_route_list(app::App)
        .into_iter()
        .map(|r| r.path().to_string())
        .filter(|p| p.starts_with("/admin"))
        .collect();
    routes.sort();
    routes.dedup();
    (functions, routes)
}
