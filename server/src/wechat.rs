//! The HTTP client for the WeChat and WeCom APIs: every upstream call goes
//! through here, with a timeout, a typed error for each way it can fail, and the
//! meaning of WeChat's error codes. Errors never carry a request URL (those hold
//! secrets and tokens).

use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::time::Duration;

/// What an upstream call can fail with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WeChatError {
    #[error("WeChat error {errcode} ({}): {errmsg}", errcode_meaning(*errcode))]
    Api { errcode: i64, errmsg: String },
    #[error("WeChat did not answer within {0:?}")]
    Timeout(Duration),
    #[error("cannot reach WeChat: {0}")]
    Transport(String),
    #[error("WeChat answered HTTP {0}")]
    Http(u16),
    #[error("WeChat answered something that is not the expected JSON: {0}")]
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

/// What a WeChat errcode means, in plain words.
pub fn errcode_meaning(code: i64) -> &'static str {
    match code {
        -1 => "the WeChat system is busy, retry later",
        0 => "ok",
        40001 => "invalid credential: the access_token is wrong, expired or superseded",
        40002 => "invalid grant_type",
        40007 => "invalid media_id: unknown or expired (WeChat keeps uploads for 3 days)",
        40013 => "invalid AppID",
        40014 => "invalid access_token",
        40029 => "invalid OAuth code: wrong, expired (5 minutes) or for another account",
        40030 => "invalid refresh_token",
        40125 => "invalid AppSecret",
        40163 => "the OAuth code has been used already",
        40164 => "the calling IP is not in the account's IP whitelist",
        41001 => "access_token missing",
        41002 => "appid missing",
        41004 => "appsecret missing",
        41008 => "OAuth code missing",
        42001 => "access_token expired",
        42002 => "refresh_token expired: the user must authorize again",
        42003 => "OAuth code expired",
        45009 => "the daily API quota is spent",
        45011 => "API calls too frequent",
        48001 => "the account has no permission for this API",
        50001 => "the user has not authorized this API",
        60020 => "the calling IP is not trusted by the WeCom app",
        _ => "see the WeChat errcode reference",
    }
}

#[derive(Deserialize)]
struct ErrorReply {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
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
        let response = self.send(self.http.get(url).query(query)).await?;
        self.decode(response).await
    }

    /// `POST url` with a JSON body and decode the JSON reply.
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<T, WeChatError> {
        let response = self.send(self.http.post(url).json(body)).await?;
        self.decode(response).await
    }

    /// `GET url?query` for bytes (e.g. media). A JSON body is WeChat's error reply.
    pub async fn get_bytes(
        &self,
        url: &str,
        query: &[(&str, &str)],
    ) -> Result<(String, Vec<u8>), WeChatError> {
        let response = self.send(self.http.get(url).query(query)).await?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = response.bytes().await.map_err(|e| self.transport(e))?;
        if content_type.starts_with("application/json") || content_type.starts_with("text/plain") {
            return Err(
                api_error(&bytes).unwrap_or_else(|| WeChatError::Malformed(preview(&bytes)))
            );
        }
        if !status.is_success() {
            return Err(WeChatError::Http(status.as_u16()));
        }
        Ok((content_type, bytes.to_vec()))
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
        serde_json::from_slice(&bytes)
            .map_err(|e| WeChatError::Malformed(format!("{e}; body starts `{}`", preview(&bytes))))
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

fn preview(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(60)]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

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
