//! The HTTP client for the WeChat and WeCom APIs: every upstream call goes
//! through here, with a timeout, a typed error for each way it can fail, and the
//! meaning of WeChat's error codes ([`errcodes`]). Errors never carry a request URL (those hold
//! secrets and tokens).

use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::time::Duration;

mod errcodes;
pub use errcodes::{errcode_meaning, errcode_text};

/// What an upstream call can fail with (worded in both languages by
/// [`WeChatError::text`]; displayed in English for logs).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WeChatError {
    #[error("{}", self.text(app::i18n::Lang::En))]
    Api { errcode: i64, errmsg: String },
    #[error("{}", self.text(app::i18n::Lang::En))]
    Timeout(Duration),
    #[error("{}", self.text(app::i18n::Lang::En))]
    Transport(String),
    #[error("{}", self.text(app::i18n::Lang::En))]
    Http(u16),
    /// Says what was wrong with the reply (its size, a missing field), never
    /// a byte of it: a token or ticket reply carries the secret value.
    #[error("{}", self.text(app::i18n::Lang::En))]
    Malformed(String),
}

impl WeChatError {
    /// The WeChat errcode, when WeChat gave one.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            WeChatError::Api { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }

    /// The token used is no longer valid: fetch a new one (40001, 40014, 42001).
    pub fn token_invalid(&self) -> bool {
        matches!(self.errcode(), Some(40001 | 40014 | 42001))
    }
}

#[derive(Deserialize)]
struct ErrorReply {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

/// The most of a JSON error reply read from a byte download.
const ERROR_REPLY_MAX: usize = 64 * 1024;

/// What a size-bounded download ([`Client::get_bytes_limited`]) came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Download {
    /// The whole body, with its Content-Type.
    Complete {
        content_type: String,
        bytes: Vec<u8>,
    },
    /// The body is over the limit: at least this many bytes (declared, or
    /// read before reading stopped).
    TooLarge { at_least: u64 },
}

/// The WeChat and WeCom APIs as this process reaches them: one HTTP client
/// and the bases (WeChat's, or the simulator's), built once at start and
/// shared by credentials, media and web authorization.
pub struct Api {
    pub client: Client,
    /// The Official Account API (`https://api.weixin.qq.com`).
    pub mp: String,
    /// The WeCom API (`https://qyapi.weixin.qq.com`).
    pub wecom: String,
    /// The OAuth authorize page's base (`https://open.weixin.qq.com`).
    pub open: String,
}

impl Api {
    /// The URL of `path` (`/cgi-bin/…`, `/sns/…`) on the Official Account API.
    pub fn mp(&self, path: &str) -> String {
        format!("{}{path}", self.mp)
    }

    /// The URL of `path` on the WeCom API.
    pub fn wecom(&self, path: &str) -> String {
        format!("{}{path}", self.wecom)
    }
}

/// A client for one WeChat API base (the real one or the simulator).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    timeout: Duration,
}

impl Client {
    pub fn new(timeout: Duration) -> Client {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("wxkit/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the TLS backend initialises");
        Client { http, timeout }
    }

    /// `GET url?query` and decode the JSON reply.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        query: &[(&str, &str)],
    ) -> Result<T, WeChatError> {
        self.json_call(url, self.http.get(url).query(query)).await
    }

    /// `POST url` with a JSON body and decode the JSON reply.
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<T, WeChatError> {
        self.json_call(url, self.http.post(url).json(body)).await
    }

    /// Sends `request` (to `url`), decodes its JSON reply, and records the
    /// call in the metrics.
    async fn json_call<T: DeserializeOwned>(
        &self,
        url: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, WeChatError> {
        let started = std::time::Instant::now();
        let result = match self.send(request).await {
            Ok(response) => self.decode(response).await,
            Err(e) => Err(e),
        };
        crate::telemetry::metrics::wechat_call(url, started, &result);
        result
    }

    /// `GET url?query` for at most `max_bytes` of bytes (e.g. media), read
    /// chunk by chunk: refused from its `Content-Length` when that is over the
    /// limit, and no longer read once the running total passes it. A JSON (or
    /// text) body is WeChat's error reply (its errcode, as in every JSON call).
    pub async fn get_bytes_limited(
        &self,
        url: &str,
        query: &[(&str, &str)],
        max_bytes: usize,
    ) -> Result<Download, WeChatError> {
        let started = std::time::Instant::now();
        let result = self.download(url, query, max_bytes).await;
        crate::telemetry::metrics::wechat_call(url, started, &result);
        result
    }

    async fn download(
        &self,
        url: &str,
        query: &[(&str, &str)],
        max_bytes: usize,
    ) -> Result<Download, WeChatError> {
        let mut response = self.send(self.http.get(url).query(query)).await?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if content_type.starts_with("application/json") || content_type.starts_with("text/plain") {
            // An error reply is a few dozen bytes: never read more than this of one.
            return Err(
                match self.read_capped(&mut response, ERROR_REPLY_MAX).await? {
                    Ok(bytes) => {
                        api_error(&bytes).unwrap_or_else(|| WeChatError::Malformed(preview(&bytes)))
                    }
                    Err(seen) => WeChatError::Malformed(format!(
                        "a {content_type} reply of more than {seen} bytes"
                    )),
                },
            );
        }
        if !status.is_success() {
            return Err(WeChatError::Http(status.as_u16()));
        }
        if let Some(declared) = response.content_length().filter(|&n| n > max_bytes as u64) {
            return Ok(Download::TooLarge { at_least: declared });
        }
        Ok(match self.read_capped(&mut response, max_bytes).await? {
            Ok(bytes) => Download::Complete {
                content_type,
                bytes,
            },
            Err(seen) => Download::TooLarge { at_least: seen },
        })
    }

    /// Reads the body chunk by chunk: `Ok` the whole body when it is at most
    /// `max` bytes, else `Err` how many bytes had arrived when the running
    /// total passed `max` (nothing more is read or kept: dropping the response
    /// closes the connection).
    async fn read_capped(
        &self,
        response: &mut reqwest::Response,
        max: usize,
    ) -> Result<Result<Vec<u8>, u64>, WeChatError> {
        let mut bytes = Vec::with_capacity(
            response
                .content_length()
                .map_or(8192, |n| n.min(max as u64) as usize),
        );
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(e))? {
            if bytes.len() + chunk.len() > max {
                return Ok(Err((bytes.len() + chunk.len()) as u64));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Ok(bytes))
    }

    async fn decode<T: DeserializeOwned>(
        &self,
        response: reqwest::Response,
    ) -> Result<T, WeChatError> {
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.transport(e))?;
        if let Some(err) = api_error(&bytes) {
            return Err(err);
        }
        if !status.is_success() {
            return Err(WeChatError::Http(status.as_u16()));
        }
        serde_json::from_slice(&bytes).map_err(|e| WeChatError::Malformed(undecodable(&bytes, &e)))
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, WeChatError> {
        request.send().await.map_err(|e| self.transport(e))
    }

    fn transport(&self, e: reqwest::Error) -> WeChatError {
        if e.is_timeout() {
            WeChatError::Timeout(self.timeout)
        } else {
            // without_url: the URL carries the secret or a token.
            WeChatError::Transport(e.without_url().to_string())
        }
    }
}

/// A reply with a non-zero `errcode` is an error, whatever the HTTP status.
fn api_error(bytes: &[u8]) -> Option<WeChatError> {
    let reply: ErrorReply = serde_json::from_slice(bytes).ok()?;
    (reply.errcode != 0).then_some(WeChatError::Api {
        errcode: reply.errcode,
        errmsg: reply.errmsg,
    })
}

/// What a reply that is neither the expected one nor an errcode reply was,
/// without a byte of its body (it may hold a token or a ticket).
fn preview(bytes: &[u8]) -> String {
    let shape = match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(_) => "JSON without an errcode",
        Err(_) if bytes.is_empty() => "empty",
        Err(_) => "not JSON",
    };
    format!("{} bytes, {shape}", bytes.len())
}

/// Why a reply did not decode, in words that quote none of it: serde's own
/// messages quote the offending value (`invalid type: string "…"`), which in a
/// token or ticket reply may be the secret. Only a missing field is named (the
/// name is one of wxkit's own reply structs).
fn undecodable(bytes: &[u8], e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let problem = match e.classify() {
        Category::Data => {
            let text = e.to_string();
            match text
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
                .filter(|f| {
                    f.len() <= 40 && f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                }) {
                Some(field) => format!("missing field `{field}`"),
                None => "a field has the wrong type or value".to_string(),
            }
        }
        Category::Syntax => "not valid JSON".to_string(),
        Category::Eof => "cut short".to_string(),
        Category::Io => "unreadable".to_string(),
    };
    format!(
        "{} bytes, {problem} at line {} column {}",
        bytes.len(),
        e.line(),
        e.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A local server: `/endless` streams 1 KiB chunks forever (no
    /// Content-Length, counting what it produced), `/declared` is 4096 bytes,
    /// `/small` 10, `/error` WeChat's JSON error reply.
    async fn upstream() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use axum::body::{Body, Bytes};
        use axum::routing::get;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let produced = std::sync::Arc::new(AtomicUsize::new(0));
        let counter = produced.clone();
        let image = |bytes: Vec<u8>| ([("content-type", "image/png")], bytes);
        let app = axum::Router::new()
            .route(
                "/endless",
                get(move || {
                    let counter = counter.clone();
                    async move {
                        let chunks = futures::stream::repeat_with(move || {
                            counter.fetch_add(1, Ordering::SeqCst);
                            Ok::<_, std::convert::Infallible>(Bytes::from(vec![7u8; 1024]))
                        });
                        ([("content-type", "image/jpeg")], Body::from_stream(chunks))
                    }
                }),
            )
            .route(
                "/declared",
                get(move || async move { image(vec![1; 4096]) }),
            )
            .route("/small", get(move || async move { image(vec![2; 10]) }))
            .route(
                "/error",
                get(|| async {
                    axum::Json(serde_json::json!({"errcode": 40007, "errmsg": "invalid media_id"}))
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (base, produced)
    }

    #[tokio::test]
    async fn downloads_stop_at_the_limit_and_errors_are_still_recognised() {
        let (base, produced) = upstream().await;
        let client = Client::new(Duration::from_secs(10));
        let get = |path: &str, max: usize| {
            let (client, url) = (client.clone(), format!("{base}{path}"));
            async move { client.get_bytes_limited(&url, &[], max).await }
        };
        // An endless body: reading stops once the running total passes the limit.
        match get("/endless", 4096).await.unwrap() {
            Download::TooLarge { at_least } => assert!(at_least > 4096, "{at_least}"),
            other => panic!("{other:?}"),
        }
        let chunks = produced.load(std::sync::atomic::Ordering::SeqCst);
        assert!(chunks < 4096, "the endless body was read on: {chunks} KiB");
        // Refused from the Content-Length alone.
        assert_eq!(
            get("/declared", 1024).await.unwrap(),
            Download::TooLarge { at_least: 4096 }
        );
        assert_eq!(
            get("/small", 10).await.unwrap(),
            Download::Complete {
                content_type: "image/png".into(),
                bytes: vec![2; 10]
            }
        );
        assert_eq!(
            get("/error", 1024).await.unwrap_err().errcode(),
            Some(40007)
        );
    }

    /// An 8-character window of `secret` found in `text`, if any.
    fn leaked(text: &str, secret: &str) -> Option<String> {
        let chars: Vec<char> = secret.chars().collect();
        chars
            .windows(8)
            .map(|w| w.iter().collect::<String>())
            .find(|w| text.contains(w.as_str()))
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Ticket {
        ticket: String,
        expires_in: i64,
    }

    #[test]
    fn undecodable_replies_are_described_without_their_text() {
        let secret = "sim_jsapi_Q7kR2mX9vL4pN8sT1wZ6yB3cF5hJ0dGa";
        let cases = [
            // A missing field: named, the value not quoted.
            format!(r#"{{"errcode":0,"errmsg":"ok","ticket":"{secret}"}}"#),
            // A field of the wrong type holding the secret (serde would quote it).
            format!(r#"{{"ticket":"{secret}","expires_in":"{secret}"}}"#),
            // Not JSON at all.
            format!(r#"{{"ticket": {secret}"#),
            format!(r#"{{"ticket":"{secret}""#),
        ];
        for body in &cases {
            let e = serde_json::from_slice::<Ticket>(body.as_bytes()).unwrap_err();
            let shown = WeChatError::Malformed(undecodable(body.as_bytes(), &e)).to_string();
            assert_eq!(leaked(&shown, secret), None, "{shown}");
            assert!(shown.contains(&format!("{} bytes", body.len())), "{shown}");
        }
        let e = serde_json::from_slice::<Ticket>(cases[0].as_bytes()).unwrap_err();
        assert!(
            undecodable(cases[0].as_bytes(), &e).contains("missing field `expires_in`"),
            "{e}"
        );
        let shown = preview(format!(r#"{{"access_token":"{secret}"}}"#).as_bytes());
        assert_eq!(leaked(&shown, secret), None, "{shown}");
        assert_eq!(
            preview(secret.as_bytes()),
            format!("{} bytes, not JSON", secret.len())
        );
    }

    #[test]
    fn errcodes_are_recognised() {
        assert_eq!(
            api_error(br#"{"errcode":40001,"errmsg":"invalid credential"}"#),
            Some(WeChatError::Api {
                errcode: 40001,
                errmsg: "invalid credential".into()
            })
        );
        assert_eq!(
            api_error(br#"{"errcode":0,"errmsg":"ok","ticket":"t"}"#),
            None
        );
        assert_eq!(
            api_error(br#"{"access_token":"t","expires_in":7200}"#),
            None
        );
        assert!(WeChatError::Api {
            errcode: 42001,
            errmsg: String::new()
        }
        .token_invalid());
        assert!(!WeChatError::Api {
            errcode: 45009,
            errmsg: String::new()
        }
        .token_invalid());
        let shown = WeChatError::Api {
            errcode: 45009,
            errmsg: "reach max api daily quota limit".into(),
        }
        .to_string();
        assert!(
            shown.contains("45009") && shown.contains("quota"),
            "{shown}"
        );
    }
}
