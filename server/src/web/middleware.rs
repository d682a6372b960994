//! The web layer's own middleware (where each sits is in [`super::router`]):
//! on the Leptos routes, sending a visitor who lacks the scope a page requires
//! to WeChat first ([`authorize_pages`]), embedding each page's signed
//! `wx.config` ([`embed_config`]), choosing the dashboard's language and
//! answering admin server functions 401 without an admin session
//! ([`admin_requests`]) and giving each API error
//! its status ([`api_error_status`]); on every route, refusing cross-site
//! state-changing requests ([`refuse_cross_site`]). The body guard and the
//! security headers are [`crate::guard`]'s.
//!
//! Invariants: `authorize_pages` runs before `embed_config` (it puts the
//! page ([`CachedPage`]: its meta lists the APIs to sign) in the request's
//! extensions); whatever reads the session runs inside the session layer;
//! pages are never cached (each carries its own signature).

use super::oauth_pages::{found_setting, outcome_page};
use super::AppState;
use crate::oauth::{CallbackError, Gate};
use crate::page_cache::CachedPage;
use crate::share;
use app::error::ApiError;
use app::i18n::Lang;
use app::jssdk::EmbeddedConfig;
use app::scope::Scope;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tower_sessions::Session;

/// The language a page is shown in: the one an in-app page is pinned to,
/// else the visitor's, as WeChat's user agent or the browser says
/// ([`Lang::of_request`]).
fn page_lang(page: Option<&CachedPage>, req: &Request) -> Lang {
    page.and_then(|p| p.meta.lang)
        .unwrap_or_else(|| Lang::of_request(req.headers()))
}

/// Signs the URL of every page request (`WXKIT_PUBLIC_ORIGIN` + path + query)
/// and hands the result to the shell through the request's extensions, with
/// the language the page is shown in.
pub(super) async fn embed_config(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let page_request = matches!(*req.method(), Method::GET | Method::HEAD);
    // The dashboard's language is `admin_requests`' call.
    if page_request
        && !req.uri().path().starts_with("/api/")
        && req.extensions().get::<Lang>().is_none()
    {
        let page = req.extensions().get::<Arc<CachedPage>>().map(Arc::as_ref);
        let lang = page_lang(page, &req);
        req.extensions_mut().insert(lang);
    }
    let path = req.uri().path();
    // The dashboard is not opened in WeChat: it needs no wx.config.
    if req.method() == Method::GET && !path.starts_with("/api/") && !path.starts_with("/admin") {
        let path_and_query = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let url = format!("{}{}", state.public_origin, path_and_query);
        // An in-app page asks for exactly the APIs it lists.
        let page = req.extensions().get::<Arc<CachedPage>>().cloned();
        let apis = page.as_ref().map(|p| p.meta.apis.as_slice());
        let embedded = match state.jssdk.sign(&url, apis).await {
            Ok(config) => EmbeddedConfig::Ready(config),
            Err(error) => {
                tracing::warn!("could not sign {url}: {error}");
                EmbeddedConfig::Failed { error }
            }
        };
        req.extensions_mut().insert(embedded);
        req.extensions_mut().insert(state.site.clone());
    }
    let mut response = next.run(req).await;
    // Each response carries its own signature: never cache pages.
    if response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
    {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    response
}

/// Server functions answer errors with 500; give each [`ApiError`] its own status.
pub(super) async fn api_error_status(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    // A browser's form post comes back as a redirect carrying the error: keep it.
    if !response.headers().contains_key("serverfnerror")
        || response.headers().contains_key(header::LOCATION)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<ApiError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        parts.headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        );
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Sends a visitor without the scope a page requires to WeChat's authorize
/// page; lets a signed-in one through, with who they are in the request's
/// extensions (for the page), along with the page ([`CachedPage`], [`app::share::ServedPage`]).
/// `/jssdk` is a 404 unless the playground is on (`WXKIT_PLAYGROUND`).
pub(super) async fn authorize_pages(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if req.uri().path().trim_end_matches('/') == "/jssdk" && !state.playground {
        return StatusCode::NOT_FOUND.into_response();
    }
    let slug = match share::page_slug(req.uri().path()) {
        Some(slug) if matches!(*req.method(), Method::GET | Method::HEAD) => slug.to_string(),
        _ => return next.run(req).await,
    };
    let Some(page) = state.pages.get(&slug) else {
        return next.run(req).await;
    };
    // An outcome page below speaks the page's language.
    let lang = page_lang(Some(&*page), &req);
    let mut required = Scope::from_page(&page.meta.auth_scope);
    // A cards page hands out openid- or code-bound cards only to signed-in visitors.
    let cards_page = req.uri().path().trim_end_matches('/') == format!("/p/{slug}/cards");
    if required.is_none() && cards_page {
        match crate::cards::any_bound(&state.db).await {
            Ok(true) => required = Some(Scope::Base),
            Ok(false) => {}
            Err(e) => return outcome_page(&CallbackError::from(e), lang),
        }
    }
    if let Some(scope) = required {
        let Some(session) = req.extensions().get::<Session>().cloned() else {
            return outcome_page(&CallbackError::Internal("no session layer".into()), lang);
        };
        let return_to = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        match state.oauth.gate(&session, scope, &return_to).await {
            Ok(Gate::Allow(Some(visitor))) => {
                req.extensions_mut().insert(visitor);
            }
            Ok(Gate::Allow(None)) => {}
            Ok(Gate::Authorize { url, cookie }) => return found_setting(&url, &cookie),
            Err(e) => return outcome_page(&e, lang),
        }
    }
    // The page as this request shows it: its render reads it from here (no
    // second lookup, no copy), and `embed_config` signs for its APIs.
    req.extensions_mut().insert(page.served.clone());
    req.extensions_mut().insert(page);
    next.run(req).await
}

/// The dashboard's requests (`/admin…` pages and `/api/admin/…`): the
/// language they are answered in (the signed-in admin's choice, else the
/// browser's), and the lock: every admin server function but sign-in answers
/// 401 without an admin session, before its arguments are even read. (Each
/// also checks the session itself: this is the second lock on the same door.)
/// One session read for both.
pub(super) async fn admin_requests(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let api = path.starts_with("/api/admin/");
    if !api && !path.starts_with("/admin") {
        return next.run(req).await;
    }
    let locked = api && path != "/api/admin/sign_in";
    let admin = match req.extensions().get::<Session>() {
        Some(session) => state.sign_in.current_admin(session).await,
        None => None,
    };
    let lang = admin
        .as_ref()
        .and_then(|a| a.lang)
        .unwrap_or_else(|| Lang::of_request(req.headers()));
    if locked && admin.is_none() {
        let body = serde_json::to_string(&ApiError::Unauthorized {
            message: app::admin::t::SIGN_IN_FIRST.get(lang).into(),
        })
        .unwrap_or_default();
        return (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
    }
    let chosen = app::i18n::ChosenLang(admin.and_then(|a| a.lang));
    req.extensions_mut().insert(lang);
    req.extensions_mut().insert(chosen);
    next.run(req).await
}

/// Refuses a state-changing request (anything but GET, HEAD, OPTIONS) that a
/// browser sent from another site: `Sec-Fetch-Site: cross-site`/`same-site`,
/// or an `Origin` (else a `Referer`) that is not this site's. Server functions
/// and form posts included; the simulator (another "site") is exempt, when it
/// is mounted (`sim_mounted`) and only then.
pub(super) async fn refuse_cross_site(
    public_origin: Arc<str>,
    sim_mounted: bool,
    req: Request,
    next: Next,
) -> Response {
    match cross_site_refusal(&public_origin, sim_mounted, &req) {
        Some(refusal) => refusal,
        None => next.run(req).await,
    }
}

/// The 403 [`refuse_cross_site`] answers `req` with, if it refuses it.
pub(super) fn cross_site_refusal(
    public_origin: &str,
    sim_mounted: bool,
    req: &Request,
) -> Option<Response> {
    let m = req.method();
    if m == Method::GET
        || m == Method::HEAD
        || m == Method::OPTIONS
        || (sim_mounted && req.uri().path().starts_with("/_sim/"))
    {
        return None;
    }
    let headers = req.headers();
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    // This site: the public origin, or http(s):// and the Host it was sent to.
    let ours = |origin: &str| {
        let origin = origin.trim_end_matches('/');
        origin == public_origin
            || host.is_some_and(|host| {
                let rest = origin
                    .strip_prefix("http://")
                    .or_else(|| origin.strip_prefix("https://"));
                rest == Some(host)
            })
    };
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_of = |url: &str| -> Option<String> {
        let u = url::Url::parse(url).ok()?;
        Some(u.origin().ascii_serialization())
    };
    let refused = if matches!(fetch_site, "cross-site" | "same-site") {
        true
    } else if let Some(origin) = text(header::ORIGIN) {
        !ours(&origin)
    } else if let Some(referer) = text(header::REFERER) {
        !origin_of(&referer).is_some_and(|o| ours(&o))
    } else {
        false
    };
    if !refused {
        return None;
    }
    tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
    let body = serde_json::to_string(&ApiError::bad_request(
        "cross-site request refused: send it from this site",
    ))
    .unwrap_or_default();
    Some(
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
    )
}
