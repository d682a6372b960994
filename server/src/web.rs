//! The HTTP side: assembles the axum router (Leptos pages and server
//! functions, static site files, `/healthz`, the simulator when simulating),
//! embeds each page's signed `wx.config`, and gives API errors their status.

use crate::jssdk::JsSdk;
use crate::share;
use app::backend::Backend;
use app::cards::{CardInfo, ChooseCardSign};
use app::jssdk::{ApiError, EmbeddedConfig, WxConfig};
use app::media::StoredImage;
use app::share::{ConfigFailure, PageContent};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::AnyPool;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

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
}

/// The whole site. `simulator`: mounted under `/_sim` when given.
pub fn router(
    state: AppState,
    options: LeptosOptions,
    simulator: Option<crate::simulator::Simulator>,
) -> Router {
    let backend: Arc<dyn Backend> = Arc::new(state.clone());
    let routes = generate_route_list(app::App);
    let pages = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || provide_context(backend.clone()),
            {
                let options = options.clone();
                move || app::shell(options.clone())
            },
        )
        .layer(middleware::from_fn_with_state(state.clone(), embed_config))
        .layer(middleware::from_fn(api_error_status))
        .fallback(leptos_axum::file_and_error_handler(app::shell))
        .with_state(options);

    let media_dir = state.media.dir.clone();
    let mut router = Router::new()
        .nest_service("/media", tower_http::services::ServeDir::new(media_dir))
        .route("/healthz", get(healthz))
        .with_state(state)
        .merge(pages);
    if let Some(sim) = simulator {
        router = router.merge(sim.router());
    }
    router
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
        share::load_page(&self.db, &self.public_origin, slug)
            .await
            .map_err(db_error)
    }

    async fn record_share(&self, slug: &str, channel: &str, outcome: &str) -> Result<(), ApiError> {
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
        self.media
            .save(slug, &server_ids, "")
            .await
            .map_err(crate::media::api_error)
    }

    async fn list_images(&self, slug: &str) -> Result<Vec<StoredImage>, ApiError> {
        self.media.list(slug).await.map_err(crate::media::api_error)
    }

    async fn list_cards(&self) -> Result<Vec<CardInfo>, ApiError> {
        crate::cards::list(&self.db)
            .await
            .map_err(crate::cards::api_error)
    }

    async fn card_ext(
        &self,
        card_id: &str,
        code: &str,
        openid: &str,
        outer_str: &str,
    ) -> Result<String, ApiError> {
        crate::cards::card_ext(&self.jssdk.credentials, card_id, code, openid, outer_str)
            .await
            .map_err(crate::cards::api_error)
    }

    async fn card_sign(
        &self,
        card_id: &str,
        card_type: &str,
        shop_id: &str,
    ) -> Result<ChooseCardSign, ApiError> {
        crate::cards::card_sign(&self.jssdk.credentials, card_id, card_type, shop_id)
            .await
            .map_err(crate::cards::api_error)
    }

    async fn report_config_failure(&self, report: ConfigFailure) -> Result<(), ApiError> {
        tracing::warn!(page = %report.page_url, signed = %report.signed_url, err = %report.err_msg, "a page reported a config failure");
        share::store_config_failure(&self.db, &report)
            .await
            .map_err(db_error)
    }
}

fn db_error(e: sqlx::Error) -> ApiError {
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
    if req.method() == Method::GET && !path.starts_with("/api/") {
        let path_and_query = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let url = format!("{}{}", state.public_origin, path_and_query);
        // An in-app page asks for exactly the APIs it lists.
        let apis = share::page_apis(&state.db, path).await.unwrap_or_else(|e| {
            tracing::error!("database error: {e}");
            None
        });
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
    if !response.headers().contains_key("serverfnerror") {
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
