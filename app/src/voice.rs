//! Voices from a page (`/p/{slug}/voice`): record (WeChat stops a recording
//! by itself at one minute), upload, then the server fetches the `serverId`
//! from WeChat and keeps it; the page lists its voices and plays one on the
//! phone through `downloadVoice` + `playVoice` while WeChat still holds it
//! (3 days). A page offers this only when its jsApiList has every interface
//! in [`VOICE_APIS`]; the island is lazy, so other pages never load it.

use crate::error::ApiError;
use crate::media::Step;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A voice the server keeps for a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredVoice {
    /// Its serverId, which `downloadVoice` takes.
    pub media_id: String,
    /// Where the site serves the AMR file (`/media/…`, as a download).
    pub url: String,
    pub size: i64,
    pub duration_ms: i64,
    /// When it was uploaded (ms since the epoch).
    pub uploaded_ms: i64,
    /// WeChat still holds it: a phone can download and play it.
    pub on_wechat: bool,
}

/// The interfaces the voice page uses; a page offers voice when its
/// jsApiList has them all.
pub const VOICE_APIS: [&str; 8] = [
    "startRecord",
    "stopRecord",
    "onVoiceRecordEnd",
    "uploadVoice",
    "downloadVoice",
    "playVoice",
    "stopVoice",
    "onVoicePlayEnd",
];

/// Whether a page with this jsApiList offers voice.
pub fn offers_voice(js_api_list: &[String]) -> bool {
    VOICE_APIS
        .iter()
        .all(|api| js_api_list.iter().any(|a| a == api))
}

/// Fetches the voices `server_ids` (comma-separated serverIds from
/// `wx.uploadVoice`) of page `slug` from WeChat and keeps them; answers the
/// page's voices.
#[server(prefix = "/api", endpoint = "save_voices")]
pub async fn save_voices(slug: String, server_ids: String) -> Result<Vec<StoredVoice>, ApiError> {
    let ids = crate::media::server_id_list(&server_ids)?;
    crate::backend::use_backend()?.save_voices(&slug, ids).await
}

/// The voices of page `slug`.
#[server(prefix = "/api", endpoint = "voices")]
pub async fn list_voices(slug: String) -> Result<Vec<StoredVoice>, ApiError> {
    crate::backend::use_backend()?.list_voices(&slug).await
}

/// The voice island's texts.
pub mod t {
    crate::island_texts! {
        RECORD: "录音", "Record";
        STOP_AND_KEEP: "停止并保存", "Stop and keep";
        VOICES: "语音", "Voices";
        PLAY: "▶ 播放", "▶ Play";
        STOP: "■ 停止", "■ Stop";
        EXPIRED: "微信只保留语音 3 天；这条语音可", "WeChat keeps a voice for 3 days; this one can be ";
        DOWNLOAD: "下载", "downloaded";
        EXPIRED_END: "后收听。", ".";
        NONE_YET: "还没有语音。", "No voices yet.";
        SECONDS: "{s} 秒", "{s} s";
        STARTING: "正在开始…", "Starting…";
        RECORDING: "正在录音…说完后点“停止并保存”（最长一分钟）。", "Recording… tap “Stop and keep” when you are done (one minute at most).";
        UPLOADING: "正在上传…", "Uploading…";
        SAVING: "正在保存…", "Saving…";
        KEPT: "语音已保存。", "Voice kept.";
        DOWNLOADING: "正在下载…", "Downloading…";
        RECORD_FAILED: "无法录音：{why}", "Could not record: {why}";
        KEEP_FAILED: "未能保存语音：{why}", "Could not keep the voice: {why}";
        PLAY_FAILED: "无法播放语音：{why}", "Could not play the voice: {why}";
    }
}

/// "12.3 s" ("12.3 秒"), without float formatting (which would grow the WASM).
fn seconds(texts: &t::Texts, ms: i64) -> String {
    let s = format!("{}.{}", ms / 1000, (ms % 1000) / 100);
    texts.fill(t::SECONDS, &[("s", &s)])
}

#[island(lazy)]
pub fn VoicesIsland(
    slug: String,
    voices: crate::props::Json<Vec<StoredVoice>>,
    texts: t::Texts,
) -> impl IntoView {
    let texts = StoredValue::new(texts);
    let say = move |key: t::Key| texts.with_value(|x| x.get(key).to_string());
    let voices = RwSignal::new(voices.0);
    let step = RwSignal::new(Step::Idle);
    let recording = RwSignal::new(false);
    // The media_id playing now.
    let playing = RwSignal::new(None::<String>);
    let wx_state = crate::runtime::use_wx_state();
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(wx_state.get() == crate::runtime::WxState::Ready));
    #[cfg(feature = "hydrate")]
    let page = browser::Page {
        slug,
        voices,
        step,
        recording,
        playing,
        texts,
    };
    #[cfg(feature = "hydrate")]
    {
        let page = page.clone();
        Effect::new(move |_| {
            if ready.get() {
                browser::listen(&page);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = slug;
    #[allow(unused_variables)]
    let record = {
        #[cfg(feature = "hydrate")]
        let page = page.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(browser::record(page.clone()));
        }
    };
    #[allow(unused_variables)]
    let stop = {
        #[cfg(feature = "hydrate")]
        let page = page.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(browser::stop_and_keep(page.clone()));
        }
    };
    #[allow(unused_variables)]
    let play = move |media_id: String| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(browser::play_or_stop(page.clone(), media_id));
    };
    let busy = move || recording.get() || matches!(step.get(), Step::Working(_));
    let is_playing = move |id: &str| playing.with(|p| p.as_deref() == Some(id));
    view! {
        <div class="voices">
            <p class="row">
                <button class="button" data-testid="record" disabled=move || !ready.get() || busy() on:click=record>
                    {say(t::RECORD)}
                </button>
                " "
                <button class="button" data-testid="stop-record" disabled=move || !recording.get() on:click=stop>
                    {say(t::STOP_AND_KEEP)}
                </button>
            </p>
            <p class="step" data-testid="voice-step" data-step=move || step.with(Step::name)>
                {move || match step.get() {
                    Step::Idle => String::new(),
                    Step::Working(s) | Step::Done(s) | Step::Failed(s) => s,
                }}
            </p>
            <h3>{say(t::VOICES)}</h3>
            <ul class="voice-list" data-testid="voices">
                {move || voices.get().into_iter().map(|v| {
                    // Copy on the server (it captures nothing there), not in the browser.
                    #[cfg_attr(not(feature = "hydrate"), allow(clippy::clone_on_copy))]
                    let play = play.clone();
                    let id = v.media_id.clone();
                    let (this, label) = (id.clone(), id.clone());
                    let (on_wechat, url) = (v.on_wechat, v.url.clone());
                    view! {
                        <li data-testid="voice" data-media-id=v.media_id.clone()>
                            {on_wechat.then(|| view! {
                                <button class="button small" data-testid="play-voice" data-media-id=id.clone()
                                    data-playing=move || if is_playing(&this) { "true" } else { "false" }
                                    disabled=move || !ready.get() || busy()
                                    on:click=move |_| play(id.clone())>
                                    {move || say(if is_playing(&label) { t::STOP } else { t::PLAY })}
                                </button>
                            })}
                            {(!on_wechat).then(|| view! {
                                <span class="muted" data-testid="voice-expired">
                                    {say(t::EXPIRED)}
                                    <a href=url>{say(t::DOWNLOAD)}</a> {say(t::EXPIRED_END)}
                                </span>
                            })}
                            " "
                            <span data-testid="voice-length">{texts.with_value(|x| seconds(x, v.duration_ms))}</span>
                        </li>
                    }
                }).collect::<Vec<_>>()}
            </ul>
            {move || voices.with(Vec::is_empty).then(|| view! {
                <p class="muted" data-testid="no-voices">{say(t::NONE_YET)}</p>
            })}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use crate::wx::{self, Listener, WxError};
    use std::cell::RefCell;

    thread_local! {
        /// (serverId, localId): the voices this phone has, recorded here or
        /// downloaded once with `downloadVoice`.
        static LOCAL_IDS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
        /// The island's event handlers, registered once it is ready; they
        /// live as long as the page.
        static LISTENERS: RefCell<Vec<Listener>> = const { RefCell::new(Vec::new()) };
    }

    fn local_id(server_id: &str) -> Option<String> {
        LOCAL_IDS.with(|m| {
            m.borrow()
                .iter()
                .find(|(s, _)| s == server_id)
                .map(|(_, l)| l.clone())
        })
    }

    fn remember(server_id: String, local_id: String) {
        LOCAL_IDS.with(|m| m.borrow_mut().push((server_id, local_id)));
    }

    /// The island's state, for its handlers.
    #[derive(Clone)]
    pub struct Page {
        pub slug: String,
        pub voices: RwSignal<Vec<StoredVoice>>,
        pub step: RwSignal<Step>,
        pub recording: RwSignal<bool>,
        pub playing: RwSignal<Option<String>>,
        pub texts: StoredValue<t::Texts>,
    }

    impl Page {
        fn working(&self, key: t::Key) {
            let text = self.texts.with_value(|x| x.get(key).to_string());
            self.step.set(Step::Working(text));
        }

        fn failed(&self, key: t::Key, why: impl std::fmt::Display) {
            let why = why.to_string();
            let text = self.texts.with_value(|x| x.fill(key, &[("why", &why)]));
            self.step.set(Step::Failed(text));
        }
    }

    /// A recording that reached one minute is kept like a stopped one; a
    /// voice that played to its end is no longer playing.
    pub fn listen(page: &Page) {
        if LISTENERS.with(|l| !l.borrow().is_empty()) {
            return;
        }
        let ended = page.clone();
        let record_end = wx::on_voice_record_end(move |r| {
            ended.recording.set(false);
            match r {
                Ok(local_id) => leptos::task::spawn_local(keep(ended.clone(), local_id)),
                Err(e) => ended.failed(t::RECORD_FAILED, e),
            }
        });
        let playing = page.playing;
        let play_end = wx::on_voice_play_end(move |_| playing.set(None));
        LISTENERS.with(|l| *l.borrow_mut() = vec![record_end, play_end]);
    }

    pub async fn record(page: Page) {
        // Busy until WeChat answers: a second tap cannot start another.
        page.working(t::STARTING);
        match wx::start_record().await {
            Ok(()) => {
                page.recording.set(true);
                page.working(t::RECORDING);
            }
            // The visitor did not let WeChat use the microphone.
            Err(WxError::Cancelled) => page.step.set(Step::Idle),
            Err(e) => page.failed(t::RECORD_FAILED, e),
        }
    }

    pub async fn stop_and_keep(page: Page) {
        page.recording.set(false);
        match wx::stop_record().await {
            Ok(local_id) => keep(page, local_id).await,
            Err(e) => page.failed(t::RECORD_FAILED, e),
        }
    }

    /// Uploads a recording to WeChat, then has the server keep it.
    async fn keep(page: Page, local_id: String) {
        page.working(t::UPLOADING);
        let server_id = match wx::upload_voice(&local_id).await {
            Ok(id) => id,
            Err(e) => return page.failed(t::KEEP_FAILED, e),
        };
        // This phone has it already: no download to play it back.
        remember(server_id.clone(), local_id);
        page.working(t::SAVING);
        match save_voices(page.slug.clone(), server_id).await {
            Ok(voices) => {
                page.voices.set(voices);
                let text = page.texts.with_value(|x| x.get(t::KEPT).to_string());
                page.step.set(Step::Done(text));
            }
            Err(e) => page.failed(t::KEEP_FAILED, e),
        }
    }

    /// Plays a kept voice (downloading it from WeChat the first time), or
    /// stops it when it is the one playing.
    pub async fn play_or_stop(page: Page, media_id: String) {
        let known = local_id(&media_id);
        if let Some(current) = page.playing.get_untracked() {
            if let Some(local) = local_id(&current) {
                let _ = wx::stop_voice(&local).await;
            }
            page.playing.set(None);
            if current == media_id {
                return;
            }
        }
        let local_id = match known {
            Some(id) => id,
            // Busy while downloading: no other voice starts meanwhile.
            None => {
                page.working(t::DOWNLOADING);
                match wx::download_voice(&media_id).await {
                    Ok(id) => {
                        page.step.set(Step::Idle);
                        remember(media_id.clone(), id.clone());
                        id
                    }
                    Err(WxError::Cancelled) => return page.step.set(Step::Idle),
                    // WeChat no longer has it (kept 3 days from its upload):
                    // the page offers its file instead.
                    Err(e) => {
                        page.voices.update(|voices| {
                            if let Some(v) = voices.iter_mut().find(|v| v.media_id == media_id) {
                                v.on_wechat = false;
                            }
                        });
                        return page.failed(t::PLAY_FAILED, e);
                    }
                }
            }
        };
        match wx::play_voice(&local_id).await {
            Ok(()) => page.playing.set(Some(media_id)),
            Err(e) => page.failed(t::PLAY_FAILED, e),
        }
    }
}
