//! What an operator sees of a running wxkit: log lines (human text, or one
//! JSON object per line with `WXKIT_LOG_FORMAT=json`), the request id that
//! ties a request's lines together and is answered in `X-Request-Id`, and the
//! Prometheus metrics ([`metrics`]).
//!
//! Log lines never carry a secret: the request span holds the method and the
//! path (never the query, where OAuth codes travel), and every error type
//! below it keeps its secrets out of its `Display`. The site's stack gets
//! all of this from [`layer`]; the signing route's guard calls [`begin`] and
//! [`Begun::finish`] itself (one layer fewer on the hottest route).

pub mod metrics;

use crate::config::LogFormat;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing_subscriber::EnvFilter;

/// The filter when `WXKIT_LOG` is unset. Access lines (one per request,
/// target `tower_http::…`) are off; `WXKIT_LOG=info` turns them on.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_http=warn";

/// Starts logging to standard error, filtered by `WXKIT_LOG` (an
/// `EnvFilter`), else by `default` ([`DEFAULT_FILTER`] for `serve`).
pub fn init_logging(format: LogFormat, default: &str) {
    let filter = EnvFilter::try_from_env("WXKIT_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        // The event's fields at the top level, the request's span (with its
        // id) under "span": one object per line, for a log shipper.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}

/// The header that carries a request's id, both ways.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A request's id: the one a trusted proxy (`WXKIT_TRUSTED_PROXIES`) sent
/// in `X-Request-Id`, when plausible (1–64 of `A–Z a–z 0–9 . _ -`; nginx's
/// `$request_id`, so its log and ours join), else 16 random hex digits. An
/// id from anyone else is ignored: a visitor cannot choose the id their
/// lines are filed under.
#[derive(Clone, Debug)]
pub struct RequestId(pub HeaderValue);

impl RequestId {
    fn of(req: &Request, proxies: &[ipnet::IpNet]) -> RequestId {
        let from_proxy = || {
            req.extensions()
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .is_some_and(|peer| crate::client_ip::trusted(peer.0.ip(), proxies))
        };
        let given = req.headers().get(&REQUEST_ID).filter(|v| {
            let b = v.as_bytes();
            !b.is_empty()
                && b.len() <= 64
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
                && from_proxy()
        });
        RequestId(match given {
            Some(v) => v.clone(),
            None => {
                let mut id = [0u8; 16];
                hex::encode_to_slice(rand::random::<u64>().to_be_bytes(), &mut id)
                    .expect("8 bytes are 16 hex digits");
                HeaderValue::from_bytes(&id).expect("hex digits are a header value")
            }
        })
    }

    pub fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or("")
    }
}

/// The most of a path a log line carries.
const PATH_IN_LOG: usize = 256;

/// Starts a request's telemetry: gives it its [`RequestId`] (in its
/// extensions) and the span its log lines are written in (id, method, and
/// the path's first 256 bytes; never the query).
pub fn begin(req: &mut Request, proxies: &[ipnet::IpNet]) -> Begun {
    let id = RequestId::of(req, proxies);
    let path = req.uri().path();
    let mut cut = path.len().min(PATH_IN_LOG);
    while !path.is_char_boundary(cut) {
        cut -= 1;
    }
    let span = tracing::info_span!(
        "request",
        request_id = %id.as_str(),
        method = %req.method(),
        path = %&path[..cut],
    );
    req.extensions_mut().insert(id.clone());
    Begun {
        id,
        span,
        started: std::time::Instant::now(),
    }
}

/// A request under way (see [`begin`]).
pub struct Begun {
    id: RequestId,
    pub span: tracing::Span,
    started: std::time::Instant,
}

impl Begun {
    /// Answers the id in `X-Request-Id` and writes the access line (target
    /// `tower_http::trace::on_response`, off unless `WXKIT_LOG` turns
    /// `tower_http` to `info`; a 5xx is a warning).
    pub fn finish(self, response: &mut Response) {
        let status = response.status().as_u16();
        let latency_ms = self.started.elapsed().as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::warn!(target: "tower_http::trace::on_response", parent: &self.span, status, latency_ms, "finished processing request");
        } else {
            tracing::info!(target: "tower_http::trace::on_response", parent: &self.span, status, latency_ms, "finished processing request");
        }
        response.headers_mut().insert(REQUEST_ID.clone(), self.id.0);
    }
}

/// Middleware, the outermost of the site's stack: [`begin`], the rest of
/// the stack inside the request's span, then [`Begun::finish`].
pub async fn layer(
    proxies: std::sync::Arc<Vec<ipnet::IpNet>>,
    mut req: Request,
    next: Next,
) -> Response {
    use tracing::Instrument;
    let begun = begin(&mut req, &proxies);
    let mut response = next.run(req).instrument(begun.span.clone()).await;
    begun.finish(&mut response);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_of(peer: &str, header: Option<&str>) -> String {
        let mut req = Request::new(axum::body::Body::empty());
        if let Some(h) = header {
            req.headers_mut()
                .insert(&REQUEST_ID, HeaderValue::from_str(h).unwrap());
        }
        let peer: std::net::SocketAddr = format!("{peer}:4000").parse().unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        let proxies = ["127.0.0.1/32".parse().unwrap()];
        RequestId::of(&req, &proxies).as_str().to_string()
    }

    #[test]
    fn a_proxys_plausible_request_id_is_kept_and_anything_else_replaced() {
        assert_eq!(id_of("127.0.0.1", Some("nginx-7f3a.1_b")), "nginx-7f3a.1_b");
        let long = "a".repeat(65);
        for (peer, bad) in [
            ("127.0.0.1", None),
            ("127.0.0.1", Some("")),
            ("127.0.0.1", Some("a b")),
            ("127.0.0.1", Some("<script>")),
            ("127.0.0.1", Some(long.as_str())),
            ("203.0.113.5", Some("chosen-by-a-visitor")),
        ] {
            let id = id_of(peer, bad);
            assert_eq!(id.len(), 16, "{peer} {bad:?} → {id}");
            assert!(id.bytes().all(|c| c.is_ascii_hexdigit()));
        }
        assert_ne!(id_of("127.0.0.1", None), id_of("127.0.0.1", None));
    }
}
