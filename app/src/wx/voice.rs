//! Bindings to the audio and smart interfaces of the JS-SDK 1.6.0 ("Audio
//! interface", "Smart Interface" in WeChat's JS-SDK documentation):
//! recording, playback, upload and download of a voice (WeChat keeps an
//! uploaded voice 3 days; its `serverId` is a media_id the server fetches
//! through `media/get`), and speech recognition.

#[cfg(feature = "hydrate")]
pub use browser::*;

#[cfg(feature = "hydrate")]
mod browser {
    use crate::wx::browser::{call, obj, outcome, required, s};
    use crate::wx::{Listener, Outcome};
    use js_sys::Object;
    use wasm_bindgen::JsValue;

    /// `startRecord`.
    pub async fn start_record() -> Outcome<()> {
        call("startRecord", Object::new()).await.map(drop)
    }

    /// `stopRecord`: the recording's `localId`.
    pub async fn stop_record() -> Outcome<String> {
        let r = call("stopRecord", Object::new()).await?;
        required(&r, "stopRecord", "localId")
    }

    /// `onVoiceRecordEnd`: a recording that reached one minute stopped by
    /// itself; `handler` gets its `localId`, until the [`Listener`] is dropped.
    pub fn on_voice_record_end(handler: impl FnMut(Outcome<String>) + 'static) -> Listener {
        Listener::on("onVoiceRecordEnd", "complete", handler, |r| {
            outcome(r).and_then(|()| required(r, "onVoiceRecordEnd", "localId"))
        })
    }

    fn with_local_id(local_id: &str) -> Object {
        obj(&[("localId", s(local_id))])
    }

    /// `playVoice`.
    pub async fn play_voice(local_id: &str) -> Outcome<()> {
        call("playVoice", with_local_id(local_id)).await.map(drop)
    }

    /// `pauseVoice`.
    pub async fn pause_voice(local_id: &str) -> Outcome<()> {
        call("pauseVoice", with_local_id(local_id)).await.map(drop)
    }

    /// `stopVoice`.
    pub async fn stop_voice(local_id: &str) -> Outcome<()> {
        call("stopVoice", with_local_id(local_id)).await.map(drop)
    }

    /// `onVoicePlayEnd`: `handler` gets the `localId` of each voice that
    /// played to its end, until the [`Listener`] is dropped.
    pub fn on_voice_play_end(handler: impl FnMut(Outcome<String>) + 'static) -> Listener {
        Listener::on("onVoicePlayEnd", "success", handler, |r| {
            outcome(r).and_then(|()| required(r, "onVoicePlayEnd", "localId"))
        })
    }

    fn with_progress(key: &str, id: &str) -> Object {
        obj(&[(key, s(id)), ("isShowProgressTips", JsValue::from_f64(1.0))])
    }

    /// `uploadVoice`: its `serverId`.
    pub async fn upload_voice(local_id: &str) -> Outcome<String> {
        let r = call("uploadVoice", with_progress("localId", local_id)).await?;
        required(&r, "uploadVoice", "serverId")
    }

    /// `downloadVoice`: a `localId` to play.
    pub async fn download_voice(server_id: &str) -> Outcome<String> {
        let r = call("downloadVoice", with_progress("serverId", server_id)).await?;
        required(&r, "downloadVoice", "localId")
    }

    /// `translateVoice`: what was said.
    pub async fn translate_voice(local_id: &str) -> Outcome<String> {
        let r = call("translateVoice", with_progress("localId", local_id)).await?;
        required(&r, "translateVoice", "translateResult")
    }
}
