//! Prometheus metrics, on a listener of their own (`WXKIT_METRICS_ADDR`;
//! unset, nothing is recorded and no layer is added). The recorder is
//! `metrics-exporter-prometheus`; every name starts with `wxkit_`.
//!
//! Recorded where it happens: HTTP requests ([`http`], by route template
//! and status), WeChat calls ([`wechat_call`], by endpoint and errcode),
//! credential refreshes and failures, signatures, config failures reported
//! by pages, OAuth callbacks, uploads. Read when scraped ([`Scrape`]): each
//! credential's seconds to expiry, the bytes of stored media, the database
//! pool. Every label has a bounded set of values: routes are the router's
//! templates (never a raw path), errcodes outside the documented list are
//! `other`, so nothing a visitor or WeChat sends grows the number of series.

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Histogram buckets for every duration, in seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once; later calls share it).
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .expect("the buckets are not empty")
                .install_recorder()
                .expect("no other metrics recorder is installed");
            describe();
            metrics::gauge!("wxkit_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            handle
        })
        .clone()
}

/// The `# HELP` line of every metric.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        "wxkit_http_requests_total",
        "HTTP requests answered, by route template and status"
    );
    describe_histogram!(
        "wxkit_http_request_duration_seconds",
        Unit::Seconds,
        "time to answer an HTTP request, by route template"
    );
    describe_counter!(
        "wxkit_wechat_requests_total",
        "calls to WeChat and WeCom, by endpoint and errcode (0: success)"
    );
    describe_histogram!(
        "wxkit_wechat_request_duration_seconds",
        Unit::Seconds,
        "latency of calls to WeChat and WeCom, by endpoint"
    );
    describe_gauge!(
        "wxkit_credential_expiry_seconds",
        Unit::Seconds,
        "seconds until the stored credential expires"
    );
    describe_counter!(
        "wxkit_credential_refreshes_total",
        "credentials fetched and stored by this process"
    );
    describe_counter!(
        "wxkit_credential_refresh_failures_total",
        "failed credential fetches, by errcode"
    );
    describe_counter!(
        "wxkit_signatures_total",
        "wx.config and wx.agentConfig signatures issued"
    );
    describe_counter!(
        "wxkit_config_failures_total",
        "wx.config failures reported by pages"
    );
    describe_counter!(
        "wxkit_oauth_callbacks_total",
        "web authorization callbacks, by outcome"
    );
    describe_counter!(
        "wxkit_uploads_total",
        "image uploads fetched from WeChat, by outcome"
    );
    describe_counter!(
        "wxkit_uploaded_bytes_total",
        Unit::Bytes,
        "bytes of images stored"
    );
    describe_gauge!(
        "wxkit_media_stored_bytes",
        Unit::Bytes,
        "bytes of all stored images"
    );
    describe_gauge!(
        "wxkit_db_pool_connections",
        "database pool connections, idle or in use"
    );
    describe_gauge!(
        "wxkit_db_pool_acquire_seconds",
        Unit::Seconds,
        "time to get a database connection, measured at the scrape"
    );
    describe_gauge!("wxkit_build_info", "the running version");
    describe_counter!("wxkit_scrape_read_failures_total", "database reads of a scrape that failed or took over 2 s (their gauges keep the previous value)");
}

/// What is read at each scrape, rather than recorded as it happens.
#[derive(Clone)]
pub struct Scrape {
    pub credentials: Arc<crate::credentials::Credentials>,
    pub db: sqlx::AnyPool,
    pub handle: PrometheusHandle,
    /// When the database was last read for a scrape: one read at a time,
    /// at most one per [`READ_EVERY`], however often the listener is asked.
    pub last_read: Arc<tokio::sync::Mutex<Option<Instant>>>,
}

/// How long a scrape's database reads are reused.
const READ_EVERY: Duration = Duration::from_secs(5);

impl Scrape {
    /// Binds `addr` and serves `GET /metrics` on it until the process ends.
    pub async fn serve(self, addr: std::net::SocketAddr) -> Result<(), crate::StartError> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| crate::StartError::Bind { addr, source })?;
        let bound = listener.local_addr().map_err(crate::StartError::Serve)?;
        println!("metrics listening on {}", crate::local_base(bound));
        let app = Router::new()
            .route("/metrics", get(metrics))
            .with_state(self);
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("the metrics listener stopped: {e}");
            }
        });
        Ok(())
    }

    /// Sets the gauges read at scrape time, unless another scrape did less
    /// than [`READ_EVERY`] ago; each read has 2 s. A read that fails counts
    /// in `wxkit_scrape_read_failures_total` and leaves the previous value.
    async fn update(&self) {
        let mut last = self.last_read.lock().await;
        if last.is_some_and(|at| at.elapsed() < READ_EVERY) {
            return;
        }
        *last = Some(Instant::now());
        let limit = Duration::from_secs(2);
        let failed = |what: &'static str| {
            metrics::counter!("wxkit_scrape_read_failures_total", "read" => what).increment(1)
        };
        match tokio::time::timeout(limit, self.credentials.health(app::i18n::Lang::En)).await {
            Ok(Ok(health)) => {
                // A credential never fetched has no gauge; one no longer
                // valid (refused by WeChat, expired) is 0.
                for h in health.iter().filter(|h| h.present || h.fetched_at > 0) {
                    let left = if h.present {
                        h.expires_in_secs.max(0)
                    } else {
                        0
                    };
                    metrics::gauge!("wxkit_credential_expiry_seconds", "credential" => h.kind.clone())
                        .set(left as f64);
                }
            }
            _ => failed("credentials"),
        }
        let stored = sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM media",
        )
        .fetch_one(&self.db);
        match tokio::time::timeout(limit, stored).await {
            Ok(Ok(bytes)) => metrics::gauge!("wxkit_media_stored_bytes").set(bytes as f64),
            _ => failed("media"),
        }
        let size = self.db.size();
        let idle = self.db.num_idle() as u32;
        metrics::gauge!("wxkit_db_pool_connections", "state" => "idle").set(idle as f64);
        metrics::gauge!("wxkit_db_pool_connections", "state" => "in_use")
            .set(size.saturating_sub(idle) as f64);
        let started = Instant::now();
        if let Ok(Ok(_connection)) = tokio::time::timeout(limit, self.db.acquire()).await {
            metrics::gauge!("wxkit_db_pool_acquire_seconds").set(started.elapsed().as_secs_f64());
        } else {
            metrics::gauge!("wxkit_db_pool_acquire_seconds").set(limit.as_secs_f64());
            failed("pool");
        }
    }
}

/// `GET /metrics`: the Prometheus text format.
async fn metrics(State(scrape): State<Scrape>) -> Response {
    scrape.update().await;
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        scrape.handle.render(),
    )
        .into_response()
}

/// The route label of a request: the router's template (`/p/{slug}`), the
/// site files' folder, or `other` (a 404, a static file at the root).
fn route_of(req: &Request) -> String {
    if let Some(path) = req.extensions().get::<MatchedPath>() {
        return path.as_str().to_string();
    }
    let path = req.uri().path();
    if path.starts_with("/pkg/") {
        "/pkg/*".into()
    } else if crate::verify_files::file_name(path.trim_start_matches('/')).is_some() {
        "/{verify_file}".into()
    } else {
        "other".into()
    }
}

/// Middleware (only when metrics are on): counts each request by route and
/// status, and its duration by route.
pub async fn http(req: Request, next: Next) -> Response {
    let route = route_of(&req);
    let started = Instant::now();
    let response = next.run(req).await;
    record_http(route, response.status().as_u16(), started);
    response
}

fn record_http(route: String, status: u16, started: Instant) {
    metrics::histogram!("wxkit_http_request_duration_seconds", "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("wxkit_http_requests_total", "route" => route, "status" => status.to_string())
        .increment(1);
}

/// The endpoint label of a WeChat URL: its path from `/cgi-bin/` or `/sns/`
/// on (the query, which holds secrets, is never looked at).
fn endpoint_of(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    ["/cgi-bin/", "/sns/"]
        .iter()
        .find_map(|p| path.find(p).map(|i| path[i..].to_string()))
        .filter(|p| p.len() <= 64)
        .unwrap_or_else(|| "other".into())
}

/// The errcode label of a WeChat call's outcome: `0`, a documented errcode,
/// `other`, or how the call failed without one.
fn errcode_of<T>(result: &Result<T, crate::wechat::WeChatError>) -> String {
    errcode_label(result.as_ref().err())
}

fn errcode_label(error: Option<&crate::wechat::WeChatError>) -> String {
    use crate::wechat::{errcode_meaning, WeChatError};
    match error {
        None => "0".into(),
        Some(WeChatError::Api { errcode, .. }) => {
            if errcode_meaning(*errcode) == errcode_meaning(i64::MIN) {
                "other".into()
            } else {
                errcode.to_string()
            }
        }
        Some(WeChatError::Timeout(_)) => "timeout".into(),
        Some(WeChatError::Transport(_)) => "transport".into(),
        Some(WeChatError::Http(_)) => "http".into(),
        Some(WeChatError::Malformed(_)) => "malformed".into(),
    }
}

/// Records one call to WeChat (or WeCom) at `url`.
pub fn wechat_call<T>(url: &str, started: Instant, result: &Result<T, crate::wechat::WeChatError>) {
    let endpoint = endpoint_of(url);
    metrics::histogram!("wxkit_wechat_request_duration_seconds", "endpoint" => endpoint.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("wxkit_wechat_requests_total", "endpoint" => endpoint, "errcode" => errcode_of(result))
        .increment(1);
}

/// A credential was fetched and stored.
pub fn credential_refreshed(kind: &'static str) {
    metrics::counter!("wxkit_credential_refreshes_total", "credential" => kind).increment(1);
}

/// Fetching a credential failed.
pub fn credential_failed(kind: &'static str, error: &crate::wechat::WeChatError) {
    metrics::counter!("wxkit_credential_refresh_failures_total", "credential" => kind, "errcode" => errcode_label(Some(error)))
        .increment(1);
}

/// A `wx.config` was signed. (Literal labels here and below: the metric's
/// key is built at compile time, not on every signature.)
pub fn signed_config() {
    metrics::counter!("wxkit_signatures_total", "config" => "config").increment(1);
}

/// A `wx.agentConfig` was signed.
pub fn signed_agent_config() {
    metrics::counter!("wxkit_signatures_total", "config" => "agent_config").increment(1);
}

/// A page reported that its `wx.config` failed.
pub fn config_failure_reported() {
    metrics::counter!("wxkit_config_failures_total").increment(1);
}

/// An OAuth callback ended with `outcome` (`signed_in` or the error's kind).
pub fn oauth_callback(outcome: &'static str) {
    metrics::counter!("wxkit_oauth_callbacks_total", "outcome" => outcome).increment(1);
}

/// An uploaded image was stored (`bytes`) or refused.
pub fn upload(outcome: &'static str, bytes: usize) {
    metrics::counter!("wxkit_uploads_total", "outcome" => outcome).increment(1);
    if bytes > 0 {
        metrics::counter!("wxkit_uploaded_bytes_total").increment(bytes as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wechat::WeChatError;

    #[test]
    fn labels_come_from_bounded_sets() {
        assert_eq!(
            endpoint_of("http://127.0.0.1:1/_sim/api/cgi-bin/ticket/getticket?access_token=SECRET"),
            "/cgi-bin/ticket/getticket"
        );
        assert_eq!(
            endpoint_of("https://api.weixin.qq.com/sns/oauth2/access_token?secret=S"),
            "/sns/oauth2/access_token"
        );
        assert_eq!(endpoint_of("https://example.com/elsewhere"), "other");
        let api = |errcode| -> Result<(), _> {
            Err(WeChatError::Api {
                errcode,
                errmsg: String::new(),
            })
        };
        assert_eq!(errcode_of(&api(40164)), "40164");
        assert_eq!(errcode_of(&api(987_654_321)), "other");
        assert_eq!(errcode_of(&Ok::<(), WeChatError>(())), "0");
        assert_eq!(
            errcode_of::<()>(&Err(WeChatError::Timeout(Duration::from_secs(1)))),
            "timeout"
        );
    }
}
