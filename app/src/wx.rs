//! Typed bindings to the WeChat JS-SDK (`window.wx`), for the browser.
//!
//! Every API is an `async fn` answering [`Outcome`]: WeChat's `errMsg` is
//! `"<api>:ok"` (→ `Ok`), `"<api>:cancel"` (→ [`WxError::Cancelled`]) or an
//! error text (→ [`WxError::Failed`]). Parameters and results go through
//! JSON, so the SDK sees plain objects exactly as its documentation shows.

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
    let msg = result.get("errMsg").and_then(Value::as_str).unwrap_or("");
    match msg.rsplit_once(':').map(|(_, s)| s) {
        Some("ok") => Ok(()),
        Some("cancel") => Err(WxError::Cancelled),
        _ if msg.is_empty() => Err(WxError::Failed("no errMsg in the reply".into())),
        _ => Err(WxError::Failed(msg.to_string())),
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

#[cfg(feature = "hydrate")]
pub use browser::*;

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use crate::jssdk::WxConfig;
    use serde::de::DeserializeOwned;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    fn to_js(value: &Value) -> JsValue {
        js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
    }

    fn from_js(value: &JsValue) -> Value {
        js_sys::JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(Value::Null)
    }

    /// `window.wx`, when the SDK script has loaded.
    pub fn sdk() -> Option<js_sys::Object> {
        let wx = js_sys::Reflect::get(&js_sys::global(), &"wx".into()).ok()?;
        wx.dyn_into::<js_sys::Object>().ok()
    }

    fn function(name: &str) -> Result<js_sys::Function, WxError> {
        let wx = sdk().ok_or_else(|| WxError::Failed("the WeChat JS-SDK is not loaded".into()))?;
        js_sys::Reflect::get(&wx, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .ok_or_else(|| WxError::Failed(format!("{name}:function not exist")))
    }

    /// Calls `wx.<api>(params + {success, fail, cancel})` and waits for the
    /// first callback. Answers the raw result object.
    pub async fn call(api: &str, params: Value) -> Outcome<Value> {
        let f = function(api)?;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            let opts = to_js(&params);
            let opts = if opts.is_object() {
                opts
            } else {
                js_sys::Object::new().into()
            };
            for key in ["success", "fail", "cancel"] {
                let resolve = resolve.clone();
                let cb = Closure::once_into_js(move |res: JsValue| {
                    let _ = resolve.call1(&JsValue::NULL, &res);
                });
                let _ = js_sys::Reflect::set(&opts, &key.into(), &cb);
            }
            if let Err(e) = f.call1(&JsValue::NULL, &opts) {
                let err = js_sys::Object::new();
                let msg = format!("{api}:fail {}", e.as_string().unwrap_or_default());
                let _ = js_sys::Reflect::set(&err, &"errMsg".into(), &msg.into());
                let _ = resolve.call1(&JsValue::NULL, &err);
            }
        });
        let result = from_js(
            &wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .unwrap_or(JsValue::NULL),
        );
        parse_result(&result).map(|()| result)
    }

    async fn call_as<T: DeserializeOwned>(api: &str, params: Value) -> Outcome<T> {
        let v = call(api, params).await?;
        serde_json::from_value(v)
            .map_err(|e| WxError::Failed(format!("{api}: unexpected reply: {e}")))
    }

    /// `wx.config(...)`: resolves `Ok` on `wx.ready`, `Err(errMsg)` on `wx.error`.
    pub async fn config(config: &WxConfig, debug: bool) -> Outcome<()> {
        let f = function("config")?;
        let ready = function("ready")?;
        let error = function("error")?;
        let mut params = serde_json::to_value(config).unwrap_or(Value::Null);
        params["debug"] = Value::Bool(debug);
        // wx.config first: a ready callback registered before it would fire at
        // once when an earlier config had been verified.
        f.call1(&JsValue::NULL, &to_js(&params))
            .map_err(|_| WxError::Failed("config:fail".into()))?;
        // The SDK may fire ready/error again after a later wx.config: these
        // callbacks must survive being called more than once (a settled
        // promise ignores the extra calls).
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            let ok = resolve.clone();
            let on_ready = Closure::<dyn FnMut()>::new(move || {
                let _ = ok.call1(&JsValue::NULL, &JsValue::NULL);
            })
            .into_js_value();
            let on_error = Closure::<dyn FnMut(JsValue)>::new(move |res: JsValue| {
                let _ = resolve.call1(&JsValue::NULL, &res);
            })
            .into_js_value();
            let _ = ready.call1(&JsValue::NULL, &on_ready);
            let _ = error.call1(&JsValue::NULL, &on_error);
        });
        let result = from_js(
            &wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .unwrap_or(JsValue::NULL),
        );
        match result.get("errMsg").and_then(Value::as_str) {
            None => Ok(()),
            Some(msg) => Err(WxError::Failed(msg.to_string())),
        }
    }

    /// `wx.checkJsApi`: which of `apis` this client has.
    pub async fn check_js_api(apis: &[&str]) -> Outcome<std::collections::HashMap<String, bool>> {
        #[derive(Deserialize)]
        struct Reply {
            #[serde(rename = "checkResult", default)]
            check_result: std::collections::HashMap<String, bool>,
        }
        let r: Reply = call_as("checkJsApi", serde_json::json!({ "jsApiList": apis })).await?;
        Ok(r.check_result)
    }

    pub async fn update_app_message_share_data(share: &AppMessageShare) -> Outcome<()> {
        call(
            "updateAppMessageShareData",
            serde_json::to_value(share).unwrap_or_default(),
        )
        .await
        .map(drop)
    }

    pub async fn update_timeline_share_data(share: &TimelineShare) -> Outcome<()> {
        call(
            "updateTimelineShareData",
            serde_json::to_value(share).unwrap_or_default(),
        )
        .await
        .map(drop)
    }

    /// A legacy `onMenuShare*` API: sets the content and calls `handler` each
    /// time the user shares (`Ok`) or cancels.
    pub fn on_menu_share(
        api: &str,
        params: &Value,
        handler: impl Fn(Outcome<()>) + 'static,
    ) -> Outcome<()> {
        let f = function(api)?;
        let opts = to_js(params);
        let handler = std::rc::Rc::new(handler);
        for key in ["success", "cancel", "fail"] {
            let h = handler.clone();
            let cb = Closure::<dyn FnMut(JsValue)>::new(move |res: JsValue| {
                h(parse_result(&from_js(&res)))
            });
            let _ = js_sys::Reflect::set(&opts, &key.into(), cb.as_ref());
            cb.forget();
        }
        f.call1(&JsValue::NULL, &opts)
            .map(drop)
            .map_err(|_| WxError::Failed(format!("{api}:fail")))
    }

    /// `chooseImage`: the local ids of the chosen images.
    pub async fn choose_image(opts: &ChooseImage) -> Outcome<Vec<String>> {
        #[derive(Deserialize)]
        struct Reply {
            #[serde(rename = "localIds")]
            local_ids: Vec<String>,
        }
        let r: Reply = call_as(
            "chooseImage",
            serde_json::to_value(opts).unwrap_or_default(),
        )
        .await?;
        Ok(r.local_ids)
    }

    pub async fn preview_image(current: &str, urls: &[String]) -> Outcome<()> {
        call(
            "previewImage",
            serde_json::json!({ "current": current, "urls": urls }),
        )
        .await
        .map(drop)
    }

    /// `uploadImage` of one local id: its `serverId` (a media_id WeChat keeps 3 days).
    pub async fn upload_image(local_id: &str) -> Outcome<String> {
        #[derive(Deserialize)]
        struct Reply {
            #[serde(rename = "serverId")]
            server_id: String,
        }
        let r: Reply = call_as(
            "uploadImage",
            serde_json::json!({ "localId": local_id, "isShowProgressTips": 1 }),
        )
        .await?;
        Ok(r.server_id)
    }

    /// `downloadImage` of a serverId: a local id.
    pub async fn download_image(server_id: &str) -> Outcome<String> {
        #[derive(Deserialize)]
        struct Reply {
            #[serde(rename = "localId")]
            local_id: String,
        }
        let r: Reply = call_as(
            "downloadImage",
            serde_json::json!({ "serverId": server_id, "isShowProgressTips": 1 }),
        )
        .await?;
        Ok(r.local_id)
    }

    /// `getLocalImgData`: the image as base64 (a data URL on iOS WKWebView).
    pub async fn get_local_img_data(local_id: &str) -> Outcome<String> {
        #[derive(Deserialize)]
        struct Reply {
            #[serde(rename = "localData")]
            local_data: String,
        }
        let r: Reply = call_as(
            "getLocalImgData",
            serde_json::json!({ "localId": local_id }),
        )
        .await?;
        Ok(r.local_data)
    }

    /// `addCard` with server-built `cardExt` strings: the cards added.
    pub async fn add_card(cards: &[(String, String)]) -> Outcome<Value> {
        let list: Vec<Value> = cards
            .iter()
            .map(|(id, ext)| serde_json::json!({ "cardId": id, "cardExt": ext }))
            .collect();
        let r = call("addCard", serde_json::json!({ "cardList": list })).await?;
        Ok(r.get("cardList").cloned().unwrap_or(Value::Null))
    }

    /// `chooseCard` with a server-built `cardSign`: the chosen cards (JSON string as WeChat gives it).
    pub async fn choose_card(params: Value) -> Outcome<String> {
        let r = call("chooseCard", params).await?;
        Ok(r.get("cardList")
            .and_then(Value::as_str)
            .unwrap_or("[]")
            .to_string())
    }

    /// `openCard` for `(card_id, decrypted code)` pairs.
    pub async fn open_card(cards: &[(String, String)]) -> Outcome<()> {
        let list: Vec<Value> = cards
            .iter()
            .map(|(id, code)| serde_json::json!({ "cardId": id, "code": code }))
            .collect();
        call("openCard", serde_json::json!({ "cardList": list }))
            .await
            .map(drop)
    }
}

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
            parse_result(&json!({"errMsg": "the permission value is offline verifying"})),
            Err(WxError::Failed(
                "the permission value is offline verifying".into()
            ))
        );
        assert!(parse_result(&json!({})).is_err());
    }
}
