//! The browser half of the bindings to the share, image, card and config
//! interfaces, and the helpers every binding module shares ([`call`],
//! [`obj`], [`get`], …). Parameters and replies are plain JS objects built
//! and read with `js_sys` (no JSON round trip: it keeps serde_json out of
//! the bundle).
use super::*;
use crate::jssdk::WxConfig;
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub(crate) fn obj(fields: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

pub(crate) fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

pub(crate) fn strings<S: AsRef<str>>(items: &[S]) -> JsValue {
    items
        .iter()
        .map(|i| JsValue::from_str(i.as_ref()))
        .collect::<Array>()
        .into()
}

pub(crate) fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub(crate) fn get_string(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

pub(crate) fn outcome(result: &JsValue) -> Outcome<()> {
    parse_err_msg(&get_string(result, "errMsg").unwrap_or_default())
}

/// `window.wx`, when the SDK script has loaded.
pub fn sdk() -> Option<Object> {
    Reflect::get(&js_sys::global(), &"wx".into())
        .ok()?
        .dyn_into::<Object>()
        .ok()
}

pub(crate) fn function(name: &str) -> Result<Function, WxError> {
    let wx = sdk().ok_or_else(|| WxError::Failed("the WeChat JS-SDK is not loaded".into()))?;
    Reflect::get(&wx, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| WxError::Failed(format!("{name}:function not exist")))
}

/// Calls `wx.<api>(params + {success, fail, cancel})` and waits for the
/// first callback; answers the result object when its errMsg is ok.
pub async fn call(api: &str, params: Object) -> Outcome<JsValue> {
    let f = function(api)?;
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        for key in ["success", "fail", "cancel"] {
            let resolve = resolve.clone();
            let cb = Closure::once_into_js(move |res: JsValue| {
                let _ = resolve.call1(&JsValue::NULL, &res);
            });
            let _ = Reflect::set(&params, &key.into(), &cb);
        }
        if f.call1(&JsValue::NULL, &params).is_err() {
            let _ = resolve.call1(
                &JsValue::NULL,
                &obj(&[("errMsg", s(&format!("{api}:fail")))]),
            );
        }
    });
    let result = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .unwrap_or(JsValue::NULL);
    outcome(&result).map(|()| result)
}

/// `wx.agentConfig(...)` (WeCom): `Ok` when the agent APIs may be used.
pub async fn agent_config(c: &crate::jssdk::AgentConfig) -> Outcome<()> {
    call(
        "agentConfig",
        obj(&[
            ("corpid", s(&c.corpid)),
            ("agentid", s(&c.agentid)),
            ("timestamp", JsValue::from_f64(c.timestamp as f64)),
            ("nonceStr", s(&c.nonce_str)),
            ("signature", s(&c.signature)),
            ("jsApiList", strings(&c.js_api_list)),
        ]),
    )
    .await
    .map(drop)
}

/// `wx.config(...)`: resolves `Ok` on `wx.ready`, `Err(errMsg)` on `wx.error`.
pub async fn config(config: &WxConfig, debug: bool) -> Outcome<()> {
    let f = function("config")?;
    let ready = function("ready")?;
    let error = function("error")?;
    let params = obj(&[
        ("debug", JsValue::from_bool(debug)),
        ("appId", s(&config.app_id)),
        ("timestamp", JsValue::from_f64(config.timestamp as f64)),
        ("nonceStr", s(&config.nonce_str)),
        ("signature", s(&config.signature)),
        ("jsApiList", strings(&config.js_api_list)),
    ]);
    // wx.config first: a ready callback registered before it would fire at
    // once when an earlier config had been verified.
    f.call1(&JsValue::NULL, &params)
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
    let result = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .unwrap_or(JsValue::NULL);
    match get_string(&result, "errMsg") {
        None => Ok(()),
        Some(msg) => Err(WxError::Failed(msg)),
    }
}

/// `wx.checkJsApi`: which of `apis` this client has.
pub async fn check_js_api(apis: &[&str]) -> Outcome<std::collections::HashMap<String, bool>> {
    let r = call("checkJsApi", obj(&[("jsApiList", strings(apis))])).await?;
    let result = get(&r, "checkResult");
    Ok(apis
        .iter()
        .map(|a| (a.to_string(), get(&result, a).as_bool().unwrap_or(false)))
        .collect())
}

fn app_message(share: &AppMessageShare) -> Object {
    obj(&[
        ("title", s(&share.title)),
        ("desc", s(&share.desc)),
        ("link", s(&share.link)),
        ("imgUrl", s(&share.img_url)),
    ])
}

fn timeline(share: &TimelineShare) -> Object {
    obj(&[
        ("title", s(&share.title)),
        ("link", s(&share.link)),
        ("imgUrl", s(&share.img_url)),
    ])
}

pub async fn update_app_message_share_data(share: &AppMessageShare) -> Outcome<()> {
    call("updateAppMessageShareData", app_message(share))
        .await
        .map(drop)
}

pub async fn update_timeline_share_data(share: &TimelineShare) -> Outcome<()> {
    call("updateTimelineShareData", timeline(share))
        .await
        .map(drop)
}

/// The parameters of a legacy share API for a chat-like channel.
pub fn legacy_app_message(share: &AppMessageShare) -> Object {
    app_message(share)
}

/// The parameters of `onMenuShareTimeline`.
pub fn legacy_timeline(share: &TimelineShare) -> Object {
    timeline(share)
}

/// A legacy `onMenuShare*` API: sets the content and calls `handler` each
/// time the user shares (`Ok`) or cancels.
pub fn on_menu_share(
    api: &str,
    params: Object,
    handler: impl Fn(Outcome<()>) + 'static,
) -> Outcome<()> {
    let f = function(api)?;
    let handler = std::rc::Rc::new(handler);
    for key in ["success", "cancel", "fail"] {
        let h = handler.clone();
        let cb = Closure::<dyn FnMut(JsValue)>::new(move |res: JsValue| h(outcome(&res)));
        let _ = Reflect::set(&params, &key.into(), cb.as_ref());
        cb.forget();
    }
    f.call1(&JsValue::NULL, &params)
        .map(drop)
        .map_err(|_| WxError::Failed(format!("{api}:fail")))
}

/// `chooseImage`: the local ids of the chosen images.
pub async fn choose_image(opts: &ChooseImage) -> Outcome<Vec<String>> {
    let params = obj(&[
        ("count", JsValue::from_f64(opts.count as f64)),
        ("sizeType", strings(&opts.size_type)),
        ("sourceType", strings(&opts.source_type)),
    ]);
    let r = call("chooseImage", params).await?;
    Ok(Array::from(&get(&r, "localIds"))
        .iter()
        .filter_map(|v| v.as_string())
        .collect())
}

pub async fn preview_image(current: &str, urls: &[String]) -> Outcome<()> {
    call(
        "previewImage",
        obj(&[("current", s(current)), ("urls", strings(urls))]),
    )
    .await
    .map(drop)
}

pub(crate) fn required(r: &JsValue, api: &str, key: &str) -> Outcome<String> {
    get_string(r, key).ok_or_else(|| WxError::Failed(format!("{api}: the reply has no {key}")))
}

/// `uploadImage` of one local id: its `serverId` (a media_id WeChat keeps 3 days).
pub async fn upload_image(local_id: &str) -> Outcome<String> {
    let r = call(
        "uploadImage",
        obj(&[
            ("localId", s(local_id)),
            ("isShowProgressTips", JsValue::from_f64(1.0)),
        ]),
    )
    .await?;
    required(&r, "uploadImage", "serverId")
}

/// `downloadImage` of a serverId: a local id.
pub async fn download_image(server_id: &str) -> Outcome<String> {
    let r = call(
        "downloadImage",
        obj(&[
            ("serverId", s(server_id)),
            ("isShowProgressTips", JsValue::from_f64(1.0)),
        ]),
    )
    .await?;
    required(&r, "downloadImage", "localId")
}

/// `getLocalImgData`: the image as base64 (a data URL on iOS WKWebView).
pub async fn get_local_img_data(local_id: &str) -> Outcome<String> {
    let r = call("getLocalImgData", obj(&[("localId", s(local_id))])).await?;
    required(&r, "getLocalImgData", "localData")
}

/// `addCard` with server-built `cardExt` strings: `(cardId, code)` of the cards added.
pub async fn add_card(cards: &[(String, String)]) -> Outcome<Vec<(String, String)>> {
    let list: Array = cards
        .iter()
        .map(|(id, ext)| JsValue::from(obj(&[("cardId", s(id)), ("cardExt", s(ext))])))
        .collect();
    let r = call("addCard", obj(&[("cardList", list.into())])).await?;
    Ok(Array::from(&get(&r, "cardList"))
        .iter()
        .map(|c| {
            (
                get_string(&c, "cardId").unwrap_or_default(),
                get_string(&c, "code").unwrap_or_default(),
            )
        })
        .collect())
}

/// `chooseCard` with a server-built `cardSign`: the chosen cards as the JSON string WeChat gives.
pub async fn choose_card(params: &[(&str, String)]) -> Outcome<String> {
    let fields: Vec<(&str, JsValue)> = params.iter().map(|(k, v)| (*k, s(v))).collect();
    let r = call("chooseCard", obj(&fields)).await?;
    Ok(get_string(&r, "cardList").unwrap_or_else(|| "[]".into()))
}

/// `openCard` for `(card_id, code)` pairs.
pub async fn open_card(cards: &[(String, String)]) -> Outcome<()> {
    let list: Array = cards
        .iter()
        .map(|(id, code)| JsValue::from(obj(&[("cardId", s(id)), ("code", s(code))])))
        .collect();
    call("openCard", obj(&[("cardList", list.into())]))
        .await
        .map(drop)
}

/// Where a [`Listener`]'s handler lives (empty once it is dropped).
type HandlerSlot = std::rc::Rc<std::cell::RefCell<Option<Box<dyn FnMut(&JsValue)>>>>;

/// A handler registered with an event interface (`onVoiceRecordEnd`,
/// `onVoicePlayEnd`, `onSearchBeacons`): the SDK keeps calling it; once the
/// `Listener` is dropped (even from inside its own handler), the calls reach
/// nothing (the SDK has no way to unregister, so a small emptied JS function
/// stays). As in WeChat, registering again for the same event replaces the
/// earlier handler.
#[must_use = "the handler is unregistered when the Listener is dropped"]
pub struct Listener {
    slot: HandlerSlot,
    alive: std::rc::Rc<std::cell::Cell<bool>>,
}

impl Listener {
    /// Registers `handler` as `wx.<api>({<key>: …})`, each reply read by `read`.
    pub(crate) fn on<T: 'static>(
        api: &str,
        key: &str,
        mut handler: impl FnMut(Outcome<T>) + 'static,
        read: fn(&JsValue) -> Outcome<T>,
    ) -> Listener {
        let boxed: Box<dyn FnMut(&JsValue)> = Box::new(move |r: &JsValue| handler(read(r)));
        let slot = std::rc::Rc::new(std::cell::RefCell::new(Some(boxed)));
        let alive = std::rc::Rc::new(std::cell::Cell::new(true));
        let (target, living) = (slot.clone(), alive.clone());
        let cb = Closure::<dyn FnMut(JsValue)>::new(move |r: JsValue| {
            // Taken out while it runs, so it may drop its own Listener.
            let Some(mut h) = target.borrow_mut().take() else {
                return;
            };
            h(&r);
            if living.get() {
                *target.borrow_mut() = Some(h);
            }
        });
        if let Ok(f) = function(api) {
            let _ = f.call1(&JsValue::NULL, &obj(&[(key, cb.as_ref().clone())]));
        }
        cb.forget();
        Listener { slot, alive }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.alive.set(false);
        if let Ok(mut slot) = self.slot.try_borrow_mut() {
            slot.take();
        }
    }
}
