//! Typed bindings to the WeChat JS-SDK (`window.wx`), for the browser.
//!
//! Every API is an `async fn` answering [`Outcome`]: WeChat's `errMsg` is
//! `"<api>:ok"` (→ `Ok`), `"<api>:cancel"` (→ [`WxError::Cancelled`]) or an
//! error text (→ [`WxError::Failed`]). Parameters are plain JS objects with
//! the names WeChat's JS-SDK documentation gives; the types shared with the
//! server live here, the calls in `browser` (share, image, card, config),
//! `device`, `voice` and `menu`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a JS-SDK call can end other than `ok`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WxError {
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Failed(String),
}

pub type Outcome<T> = Result<T, WxError>;

/// Reads a JS-SDK result: its `errMsg` decides the outcome.
pub fn parse_result(result: &Value) -> Outcome<()> {
    parse_err_msg(result.get("errMsg").and_then(Value::as_str).unwrap_or(""))
}

/// `"<api>:ok"` → `Ok`, `"<api>:cancel"` → `Cancelled`, anything else → `Failed`.
pub fn parse_err_msg(msg: &str) -> Outcome<()> {
    match msg.rsplit_once(':').map(|(_, s)| s) {
        Some("ok") => Ok(()),
        Some("cancel") => Err(WxError::Cancelled),
        _ if msg.is_empty() => Err(WxError::Failed("no errMsg in the reply".into())),
        _ => Err(WxError::Failed(msg.to_string())),
    }
}

/// What a failed `wx.config` (or `wx.agentConfig`) `errMsg` says: the one
/// reading of WeChat's config errors, behind both the page's notice
/// ([`crate::runtime::explain`]) and the dashboard's diagnosis of the failures
/// pages report. Case does not matter; the first match wins, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigErrMsg {
    /// `invalid url domain`: the page's domain is not a JS interface safe domain.
    UrlDomain,
    /// `invalid signature`: signed for another URL, or with another ticket.
    Signature,
    /// `permission denied`, `… offline verifying`: an API outside the
    /// jsApiList, or used before the config was verified.
    Permission,
    /// `function not exist`: this WeChat version lacks the API.
    NoFunction,
    /// Another `…:fail`: a parameter of `wx.config` is missing.
    Failed,
    /// Anything else WeChat answered.
    Refused,
}

impl ConfigErrMsg {
    /// Classifies an `errMsg`.
    pub fn of(err_msg: &str) -> ConfigErrMsg {
        let m = err_msg.to_ascii_lowercase();
        if m.contains("invalid url domain") {
            ConfigErrMsg::UrlDomain
        } else if m.contains("invalid signature") {
            ConfigErrMsg::Signature
        } else if m.contains("permission") || m.contains("offline verifying") {
            ConfigErrMsg::Permission
        } else if m.contains("function not exist") {
            ConfigErrMsg::NoFunction
        } else if m.contains("fail") {
            ConfigErrMsg::Failed
        } else {
            ConfigErrMsg::Refused
        }
    }
}

/// The share content for chats (`updateAppMessageShareData`, `onMenuShareAppMessage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppMessageShare {
    pub title: String,
    pub desc: String,
    pub link: String,
    pub img_url: String,
}

/// The share content for Moments (`updateTimelineShareData`, `onMenuShareTimeline`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineShare {
    pub title: String,
    pub link: String,
    pub img_url: String,
}

/// `chooseImage` parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChooseImage {
    pub count: u32,
    pub size_type: Vec<String>,
    pub source_type: Vec<String>,
}

mod device;
mod menu;
mod voice;

pub use device::*;
pub use menu::*;
#[cfg(feature = "hydrate")]
pub use voice::*;

#[cfg(feature = "hydrate")]
mod browser;
#[cfg(feature = "hydrate")]
pub use browser::*;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn err_msg_decides_the_outcome() {
        assert_eq!(
            parse_result(&json!({"errMsg": "chooseImage:ok", "localIds": []})),
            Ok(())
        );
        assert_eq!(
            parse_result(&json!({"errMsg": "chooseImage:cancel"})),
            Err(WxError::Cancelled)
        );
        assert_eq!(
            parse_result(&json!({"errMsg": "uploadImage:fail invalid localId"})),
            Err(WxError::Failed("uploadImage:fail invalid localId".into()))
        );
        assert_eq!(
            parse_err_msg("the permission value is offline verifying"),
            Err(WxError::Failed(
                "the permission value is offline verifying".into()
            ))
        );
        assert!(parse_result(&json!({})).is_err());
    }

    #[test]
    fn config_errors_are_classified_once() {
        use ConfigErrMsg::*;
        for (msg, want) in [
            ("config:invalid url domain", UrlDomain),
            (
                "config:fail,Error: 系统错误，错误码：40048,invalid url domain",
                UrlDomain,
            ),
            ("config:invalid signature", Signature),
            ("config:fail, Invalid Signature", Signature),
            ("chooseImage:permission denied", Permission),
            ("the permission value is offline verifying", Permission),
            ("system:function not exist", NoFunction),
            ("config:fail", Failed),
            ("config:something else", Refused),
        ] {
            assert_eq!(ConfigErrMsg::of(msg), want, "{msg}");
        }
    }
}
