//! The HTTP side: assembles the axum router (Leptos pages and server
//! functions, static site files, `/healthz`, the OAuth callback, the
//! message-server check, the simulator when simulating), sends visitors of
//! pages that require authorization to WeChat first, embeds each page's signed
//! `wx.config`, and gives API errors their status.

use crate::jssdk::JsSdk;
use crate::oauth::{CallbackError, Gate, OAuth, Scope};
use crate::share::{self, PageMeta};
use app::backend::Backend;
use app::cards::{CardInfo, ChooseCardSign};
use app::jssdk::{ApiError, EmbeddedConfig, WxConfig};
use app::media::StoredImage;
use app::share::{ConfigFailure, PageContent};
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::Session;

/// What request handlers share.
#[derive(Clone)]
pub struct AppState {
    pub jssdk: Arc<JsSdk>,
    pub db: AnyPool,
    /// `scheme://host[:port]` the pages are served under.
    pub public_origin: String,
    /// What pages are told about the site (simulate mode, the SDK script).
    pub site: app::SiteInfo,
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
}

/// The whole site. `simulator`: mounted under `/_sim` when given.
pub fn router(
    state: AppState,
    options: LeptosOptions,
    simulator: Option<crate::simulator::Simulator>,
) -> Router {
    let backend: Arc<dyn Backend> = Arc::new(state.clone());
    let admin: Arc<dyn app::admin::AdminBackend> = Arc::new(state.clone());
    let routes = generate_route_list(app::App);
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
        .layer(middleware::from_fn_with_state(state.clone(), embed_config))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            authorize_pages,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_admin_api,
        ))
        .layer(middleware::from_fn(api_error_status))
        .fallback(leptos_axum::file_and_error_handler(app::shell))
        .with_state(options);

    let sessions = crate::sessions::layer(state.db.clone(), &state.public_origin);
    let state_origin = state.public_origin.clone();
    let proxies = Arc::new(state.protection.trusted_proxies.clone());
    let timeout = state.protection.request_timeout;
    let https = state.public_origin.starts_with("https://");
    let heavy = Arc::new(tokio::sync::Semaphore::new(crate::guard::HEAVY_CONCURRENCY));
    let mut router = Router::new()
        .route("/media/{file}", get(crate::media::serve::media_file))
        .route("/healthz", get(healthz))
        .route(crate::oauth::CALLBACK_PATH, get(oauth_callback))
        .route(crate::oauth::START_PATH, get(oauth_start))
        .route("/wechat/{account}/messages", get(message_server_check))
        .with_state(state)
        .merge(pages);
    // Only a mounted simulator's paths are exempt from the cross-site check.
    let sim_mounted = simulator.is_some();
    if let Some(sim) = simulator {
        router = router.merge(sim.router());
    }
    let origin = state_origin;
    router
        .layer(middleware::from_fn(move |req, next| {
            refuse_cross_site(origin.clone(), sim_mounted, req, next)
        }))
        .layer(sessions)
        .layer(middleware::from_fn(crate::guard::bodies))
        .layer(middleware::from_fn(move |req, next| {
            crate::guard::heavy_requests(heavy.clone(), req, next)
        }))
        .layer(middleware::from_fn(move |req, next| {
            crate::client_ip::layer(proxies.clone(), req, next)
        }))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(middleware::from_fn(move |req, next| {
            crate::guard::headers(https, req, next)
        }))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// What server functions reach through the Leptos context.
#[async_trait::async_trait]
impl Backend for AppState {
    async fn jssdk_config(
        &self,
        url: &str,
        apis: Option<Vec<String>>,
    ) -> Result<WxConfig, ApiError> {
        self.jssdk.sign(url, apis).await
    }

    async fn page(&self, slug: &str) -> Result<Option<PageContent>, ApiError> {
        self.check_page_access(slug).await?;
        share::load_page(&self.db, &self.public_origin, slug)
            .await
            .map_err(db_error)
    }

    async fn record_share(&self, slug: &str, channel: &str, outcome: &str) -> Result<(), ApiError> {
        self.limits.write(request_ip())?;
        self.check_page_access(slug).await?;
        match share::record_share(&self.db, slug, channel, outcome).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(ApiError::bad_request(format!("there is no page `{slug}`"))),
            Err(e) => Err(db_error(e)),
        }
    }

    async fn save_images(
        &self,
        slug: &str,
        server_ids: Vec<String>,
    ) -> Result<Vec<StoredImage>, ApiError> {
        // One write per request; each media_id fetched from WeChat counts
        // again, per IP (`save`), after the quotas are checked.
        let ip = request_ip();
        self.limits.write(ip)?;
        let openid = self.check_page_access(slug).await?;
        let who = crate::media::Uploader::new(openid, ip);
        self.media
            .save(slug, &server_ids, &who, &self.limits.media_gets_per_ip)
            .await
            .map_err(crate::media::api_error)
    }

    async fn list_images(&self, slug: &str) -> Result<Vec<StoredImage>, ApiError> {
        self.check_page_access(slug).await?;
        self.media.list(slug).await.map_err(crate::media::api_error)
    }

    async fn list_cards(&self) -> Result<Vec<CardInfo>, ApiError> {
        crate::cards::list(&self.db)
            .await
            .map_err(crate::cards::api_error)
    }

    async fn card_ext(&self, card_id: &str, outer_str: &str) -> Result<String, ApiError> {
        let caller = crate::cards::Caller::current(self).await;
        crate::cards::card_ext(self, &caller, card_id, outer_str)
            .await
            .map_err(crate::cards::api_error)
    }

    async fn card_sign(
        &self,
        card_id: &str,
        card_type: &str,
        shop_id: &str,
    ) -> Result<ChooseCardSign, ApiError> {
        let caller = crate::cards::Caller::current(self).await;
        crate::cards::card_sign(self, &caller, card_id, card_type, shop_id)
            .await
            .map_err(crate::cards::api_error)
    }

    async fn report_config_failure(&self, report: ConfigFailure) -> Result<(), ApiError> {
        self.limits.write(request_ip())?;
        tracing::warn!(page = %report.page_url, signed = %report.signed_url, err = %report.err_msg, "a page reported a config failure");
        share::store_config_failure(&self.db, &report, self.protection.config_failures_max)
            .await
            .map_err(db_error)
    }
}

/// The client IP of the request a server function is answering.
fn request_ip() -> crate::client_ip::ClientIp {
    match use_context::<http::request::Parts>() {
        Some(parts) => crate::client_ip::of(&parts),
        None => crate::client_ip::ClientIp(std::net::IpAddr::from([0, 0, 0, 0])),
    }
}

impl AppState {
    /// A server function about page `slug` may run: the page requires no
    /// authorization, or this session's visitor has the scope it requires.
    /// `Ok` carries the visitor's openid when one is signed in.
    async fn check_page_access(&self, slug: &str) -> Result<Option<String>, ApiError> {
        let session = use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<Session>().cloned());
        let signed_in = match &session {
            Some(s) => self.oauth.signed_in(s).await,
            None => None,
        };
        let meta = share::page_meta(&self.db, slug).await.map_err(db_error)?;
        let required = meta.and_then(|m| Scope::from_page(&m.auth_scope));
        match (required, signed_in) {
            (None, who) => Ok(who.map(|(openid, _)| openid)),
            (Some(scope), Some((openid, granted))) if scope.covered_by(&granted) => Ok(Some(openid)),
            (Some(_), _) => Err(ApiError::Unauthorized {
                message: format!(
                    "page `{slug}` is for visitors WeChat has identified: open the page in WeChat to sign in"
                ),
            }),
        }
    }
}

/// A database failure as the browser hears of it (the details go to the log).
pub(crate) fn db_error(e: sqlx::Error) -> ApiError {
    tracing::error!("database error: {e}");
    ApiError::Internal {
        message: "database error".into(),
    }
}

/// `GET /healthz`: 200 when the database answers.
async fn healthz(State(state): State<AppState>) -> Response {
    match sqlx::query("SELECT 1").execute(&state.db).await {
        Ok(_) => Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(e) => {
            tracing::error!("health check: database unreachable: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "database unreachable" })),
            )
                .into_response()
        }
    }
}

/// Signs the URL of every page request (`WXKIT_PUBLIC_ORIGIN` + path + query)
/// and hands the result to the shell through the request's extensions.
async fn embed_config(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
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
        let apis = req.extensions().get::<PageMeta>().map(|m| m.apis.clone());
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
async fn api_error_status(req: Request, next: Next) -> Response {
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
/// extensions (for the page), along with the page's [`PageMeta`].
async fn authorize_pages(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let slug = match share::page_slug(req.uri().path()) {
        Some(slug) if req.method() == Method::GET => slug.to_string(),
        _ => return next.run(req).await,
    };
    let meta = match share::page_meta(&state.db, &slug).await {
        Ok(Some(meta)) => meta,
        Ok(None) => return next.run(req).await,
        Err(e) => return outcome_page(&CallbackError::from(e)),
    };
    let mut required = Scope::from_page(&meta.auth_scope);
    // A cards page hands out openid- or code-bound cards only to signed-in visitors.
    let cards_page = req.uri().path().trim_end_matches('/') == format!("/p/{slug}/cards");
    if required.is_none() && cards_page {
        match crate::cards::any_bound(&state.db).await {
            Ok(true) => required = Some(Scope::Base),
            Ok(false) => {}
            Err(e) => return outcome_page(&CallbackError::from(e)),
        }
    }
    if let Some(scope) = required {
        let Some(session) = req.extensions().get::<Session>().cloned() else {
            return outcome_page(&CallbackError::Internal("no session layer".into()));
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
            Err(e) => return outcome_page(&e),
        }
    }
    req.extensions_mut().insert(meta);
    next.run(req).await
}

/// A `302 Found` that is never cached.
fn found(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = header::HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// A `302 Found` that also sets the OAuth attempt cookie.
fn found_setting(location: &str, cookie: &str) -> Response {
    let mut response = found(location);
    if let Ok(value) = header::HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /oauth/callback?code=…&state=…`: WeChat sends the visitor back here.
async fn oauth_callback(
    State(state): State<AppState>,
    session: Session,
    headers: http::HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let code = q.get("code").map(String::as_str);
    let st = q.get("state").map(String::as_str);
    let cookies = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    let attempt = state.oauth.sealer.open(cookies);
    match state.oauth.callback(&session, attempt, code, st).await {
        Ok(path) => found(&path),
        Err(e) => {
            tracing::info!("sign-in refused: {e}");
            outcome_page(&e)
        }
    }
}

#[derive(Deserialize)]
struct StartQuery {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    next: String,
}

/// `GET /oauth/start?scope=snsapi_userinfo&next=/p/demo`: an explicit sign-in
/// that returns to `next` (a path on this site; anything else returns to `/`).
async fn oauth_start(State(state): State<AppState>, Query(q): Query<StartQuery>) -> Response {
    let Some(scope) = Scope::from_page(&q.scope) else {
        return page_html(
            StatusCode::BAD_REQUEST,
            "bad_scope",
            "Cannot sign in",
            "scope must be snsapi_base or snsapi_userinfo",
            "",
            None,
        );
    };
    let next = if q.next.is_empty() { "/" } else { &q.next };
    let (url, cookie) = state.oauth.begin(scope, next);
    found_setting(&url, &cookie)
}

/// The page a failed sign-in shows: what happened in plain words, the WeChat
/// errcode when there is one, and a way to try again.
fn outcome_page(e: &CallbackError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (kind, heading) = match e {
        CallbackError::MissingState => ("missing_state", "This sign-in link is incomplete"),
        CallbackError::UnknownState => ("unknown_state", "This sign-in link is not valid"),
        CallbackError::ExpiredState => ("expired_state", "This sign-in link expired"),
        CallbackError::OtherSession => ("other_session", "This sign-in belongs to another browser"),
        CallbackError::Refused { .. } => ("refused", "You did not sign in"),
        CallbackError::WeChat { .. } => ("wechat_error", "WeChat could not sign you in"),
        CallbackError::Unavailable { .. } => ("unavailable", "WeChat could not be reached"),
        CallbackError::Internal(_) => ("internal", "Something went wrong on our side"),
    };
    let detail = match e {
        CallbackError::WeChat { errcode, errmsg, meaning, .. } => format!(
            "<p class=\"errcode\" data-testid=\"errcode\" data-errcode=\"{errcode}\">errcode {errcode}: {}<br>WeChat said: {}</p>",
            escape_html(meaning),
            escape_html(errmsg)
        ),
        _ => String::new(),
    };
    let message = match e {
        CallbackError::Refused { .. } => {
            "The page needs to know who you are. You can try again; WeChat will ask you once more."
                .to_string()
        }
        other => other.to_string(),
    };
    page_html(status, kind, heading, &message, &detail, e.retry())
}

fn page_html(
    status: StatusCode,
    kind: &str,
    heading: &str,
    message: &str,
    detail: &str,
    retry: Option<&str>,
) -> Response {
    let retry = retry
        .map(|path| {
            format!(
                "<p><a class=\"button\" data-testid=\"try-again\" href=\"{}\">Try again</a></p>",
                escape_html(&crate::oauth::safe_return(path))
            )
        })
        .unwrap_or_default();
    let html = format!(
        r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{heading} · wxkit</title><link rel="stylesheet" href="/pkg/wxkit.css"></head>
<body><main class="page"><section class="card outcome" data-testid="oauth-outcome" data-kind="{kind}"><h1>{heading}</h1><p data-testid="oauth-message">{message}</p>{detail}{retry}<p><a href="/">Back to the start</a></p></section></main></body></html>"#,
        heading = escape_html(heading),
        message = escape_html(message),
    );
    let mut response = (status, axum::response::Html(html)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// Text made safe inside HTML (element content and quoted attributes).
pub(crate) fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[derive(Deserialize)]
struct EchoQuery {
    #[serde(default)]
    signature: String,
    #[serde(default)]
    timestamp: String,
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    echostr: String,
}

/// `GET /wechat/{appid}/messages`: WeChat's message-server URL check. Answers
/// `echostr` verbatim only when the signature verifies against `WXKIT_MP_TOKEN`.
async fn message_server_check(
    State(state): State<AppState>,
    Path(account): Path<String>,
    Query(q): Query<EchoQuery>,
) -> Response {
    if account != state.oauth.app_id() {
        return (StatusCode::NOT_FOUND, "no such account").into_response();
    }
    let Some(token) = &state.mp_token else {
        return (
            StatusCode::FORBIDDEN,
            "the message server is off: WXKIT_MP_TOKEN is not set",
        )
            .into_response();
    };
    if crate::signature::check_echostr(token.expose_secret(), &q.timestamp, &q.nonce, &q.signature)
    {
        ([(header::CONTENT_TYPE, "text/plain")], q.echostr).into_response()
    } else {
        tracing::warn!("message-server check with a bad signature");
        (StatusCode::FORBIDDEN, "signature does not verify").into_response()
    }
}

/// Every admin server function but sign-in answers 401 without an admin
/// session, before its arguments are even read. (Each also checks the session
/// itself: this is the second lock on the same door.)
async fn require_admin_api(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/api/admin/") || path == "/api/admin/sign_in" {
        return next.run(req).await;
    }
    let signed_in = match req.extensions().get::<Session>() {
        Some(session) => state.sign_in.current(session).await.is_some(),
        None => false,
    };
    if signed_in {
        return next.run(req).await;
    }
    let body = serde_json::to_string(&ApiError::Unauthorized {
        message: "sign in as an admin first".into(),
    })
    .unwrap_or_default();
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// Refuses a state-changing request (anything but GET, HEAD, OPTIONS) that a
/// browser sent from another site: `Sec-Fetch-Site: cross-site`/`same-site`,
/// or an `Origin` (else a `Referer`) that is not this site's. Server functions
/// and form posts included; the simulator (another "site") is exempt, when it
/// is mounted (`sim_mounted`) and only then.
async fn refuse_cross_site(
    public_origin: String,
    sim_mounted: bool,
    req: Request,
    next: Next,
) -> Response {
    let m = req.method();
    if m == Method::GET
        || m == Method::HEAD
        || m == Method::OPTIONS
        || (sim_mounted && req.uri().path().starts_with("/_sim/"))
    {
        return next.run(req).await;
    }
    let headers = req.headers();
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let host_origin = text(header::HOST).map(|h| format!("http://{h}"));
    let ours = |origin: &str| {
        let origin = origin.trim_end_matches('/');
        origin == public_origin
            || Some(origin) == host_origin.as_deref()
            || Some(origin.replacen("https://", "http://", 1)) == host_origin
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
    if refused {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        let body = serde_json::to_string(&ApiError::bad_request(
            "cross-site request refused: send it from this site",
        ))
        .unwrap_or_default();
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
    }
    next.run(req).await
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
        .collect();
    functions.sort();
    let mut routes: Vec<String> = generate_route_list(app::App)
        .into_iter()
        .map(|r| r.path().to_string())
        .filter(|p| p.starts_with("/admin"))
        .collect();
    routes.sort();
    routes.dedup();
    (functions, routes)
}
