//! Photos from a page: choose, preview, upload one at a time (each upload
//! starts in the previous one's success), then the server fetches every
//! `serverId` from WeChat and keeps it; the page shows the stored gallery.

use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An image the server keeps for a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredImage {
    pub media_id: String,
    /// Where the site serves it (`/media/…`).
    pub url: String,
    pub content_type: String,
    pub size: i64,
}

/// Fetches the uploads `server_ids` (comma-separated serverIds from
/// `wx.uploadImage`) of page `slug` from WeChat and keeps them; answers the
/// page's gallery.
#[server(prefix = "/api", endpoint = "save_images")]
pub async fn save_images(slug: String, server_ids: String) -> Result<Vec<StoredImage>, ApiError> {
    let ids = server_id_list(&server_ids)?;
    crate::backend::use_backend()?.save_images(&slug, ids).await
}

/// The serverIds of a comma-separated list (`wx.uploadImage`'s or
/// `wx.uploadVoice`'s); the server checks each one.
#[cfg(feature = "ssr")]
pub(crate) fn server_id_list(server_ids: &str) -> Result<Vec<String>, ApiError> {
    let ids: Vec<String> = server_ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if ids.is_empty() {
        return Err(ApiError::bad_request("server_ids names no upload"));
    }
    Ok(ids)
}

/// The gallery of page `slug`.
#[server(prefix = "/api", endpoint = "images")]
pub async fn list_images(slug: String) -> Result<Vec<StoredImage>, ApiError> {
    crate::backend::use_backend()?.list_images(&slug).await
}

/// Where an upload from a page stands (photos and voices).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(crate) enum Step {
    Idle,
    Working(String),
    Done(String),
    Failed(String),
}

impl Step {
    /// The step's name, for the page's `data-step` (tests wait on it).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Step::Idle => "idle",
            Step::Working(_) => "working",
            Step::Done(_) => "done",
            Step::Failed(_) => "failed",
        }
    }
}

/// The photos island's texts.
pub mod t {
    crate::island_texts! {
        CHOOSE: "选择照片", "Choose photos";
        GALLERY: "相册", "Gallery";
        SAVE: "保存", "Save";
        SAVED: "已保存到手机。", "Saved to your phone.";
        FAILED: "未能添加照片：{why}", "Could not add the photos: {why}";
        UPLOADING: "正在上传第 {i} 张，共 {n} 张…", "Uploading {i} of {n}…";
        SAVING: "正在保存…", "Saving…";
        ADDED: "已添加 {n} 张照片。", "{n} photo(s) added.";
        CHOSEN_ALT: "选中的照片", "chosen photo";
        STORED_ALT: "已保存的照片", "stored photo";
    }
}

#[island(lazy)]
pub fn PhotosIsland(
    slug: String,
    choose: crate::wx::ChooseImage,
    gallery: crate::props::Json<Vec<StoredImage>>,
    texts: t::Texts,
) -> impl IntoView {
    let texts = StoredValue::new(texts);
    #[cfg(not(feature = "hydrate"))]
    let _ = &choose;
    let gallery = RwSignal::new(gallery.0);
    let previews = RwSignal::new(Vec::<String>::new());
    let step = RwSignal::new(Step::Idle);
    // Starts not ready, as the server rendered it; the effect (which runs after
    // hydration, possibly long after the runtime got ready: this island loads
    // lazily) brings it up to date.
    let wx_state = crate::runtime::use_wx_state();
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(wx_state.get() == crate::runtime::WxState::Ready));
    #[allow(unused_variables)]
    let run = {
        let slug = slug.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let (slug, choose) = (slug.clone(), choose.clone());
                leptos::task::spawn_local(async move {
                    browser::choose_and_upload(slug, choose, previews, gallery, step, texts).await
                });
            }
        }
    };
    #[allow(unused_variables)]
    let preview = move |url: String| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let origin = web_sys::window()
                .and_then(|w| w.location().origin().ok())
                .unwrap_or_default();
            let urls: Vec<String> = gallery
                .get_untracked()
                .iter()
                .map(|i| format!("{origin}{}", i.url))
                .collect();
            if let Err(e) = crate::wx::preview_image(&format!("{origin}{url}"), &urls).await {
                step.set(Step::Failed(e.to_string()));
            }
        });
    };
    // Saves a kept photo to the phone while WeChat still has it (3 days).
    #[allow(unused_variables)]
    let download = move |media_id: String| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            step.set(match crate::wx::download_image(&media_id).await {
                Ok(_) => Step::Done(texts.with_value(|x| x.get(t::SAVED).to_string())),
                Err(e) => Step::Failed(e.to_string()),
            });
        });
    };
    view! {
        <div class="photos">
            <button class="button" data-testid="choose" disabled=move || !ready.get() || matches!(step.get(), Step::Working(_)) on:click=run>
                {texts.with_value(|x| x.get(t::CHOOSE).to_string())}
            </button>
            <p class="step" data-testid="photos-step" data-step=move || step.with(Step::name)>
                {move || match step.get() {
                    Step::Idle => String::new(),
                    Step::Working(s) | Step::Done(s) => s,
                    Step::Failed(s) => texts.with_value(|x| x.fill(t::FAILED, &[("why", &s)])),
                }}
            </p>
            <div class="previews" data-testid="previews">
                {move || previews.get().into_iter().map(|src| view! { <img class="thumb" src=src alt=texts.with_value(|x| x.get(t::CHOSEN_ALT).to_string())/> }).collect::<Vec<_>>()}
            </div>
            <h3>{texts.with_value(|x| x.get(t::GALLERY).to_string())}</h3>
            <div class="gallery" data-testid="gallery">
                {move || gallery.get().into_iter().map(|img| {
                    let (url, id) = (img.url.clone(), img.media_id.clone());
                    view! {
                        <figure class="shot">
                            <img class="thumb" src=img.url.clone() data-media-id=img.media_id.clone() alt=texts.with_value(|x| x.get(t::STORED_ALT).to_string())
                                on:click=move |_| preview(url.clone())/>
                            <button class="link" data-testid="save-photo" on:click=move |_| download(id.clone())>{texts.with_value(|x| x.get(t::SAVE).to_string())}</button>
                        </figure>
                    }
                }).collect::<Vec<_>>()}
            </div>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use crate::wx::{self, WxError};

    fn is_ios() -> bool {
        let ua = web_sys::window()
            .and_then(|w| w.navigator().user_agent().ok())
            .unwrap_or_default();
        ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod")
    }

    pub async fn choose_and_upload(
        slug: String,
        choose: wx::ChooseImage,
        previews: RwSignal<Vec<String>>,
        gallery: RwSignal<Vec<StoredImage>>,
        step: RwSignal<Step>,
        texts: StoredValue<t::Texts>,
    ) {
        let local_ids = match wx::choose_image(&choose).await {
            Ok(ids) => ids,
            Err(WxError::Cancelled) => return step.set(Step::Idle),
            Err(e) => return step.set(Step::Failed(e.to_string())),
        };
        // iOS (WKWebView) cannot show a localId as <img src>: ask for the data.
        let mut shown = Vec::new();
        for id in &local_ids {
            if is_ios() {
                match wx::get_local_img_data(id).await {
                    Ok(data) if data.starts_with("data:") => shown.push(data),
                    Ok(data) => shown.push(format!("data:image/jpeg;base64,{data}")),
                    Err(e) => return step.set(Step::Failed(e.to_string())),
                }
            } else {
                shown.push(id.clone());
            }
        }
        previews.set(shown);
        // One at a time: the next upload starts when the previous one succeeded.
        let mut server_ids = Vec::new();
        for (i, id) in local_ids.iter().enumerate() {
            let (i, n) = ((i + 1).to_string(), local_ids.len().to_string());
            step.set(Step::Working(
                texts.with_value(|x| x.fill(t::UPLOADING, &[("i", &i), ("n", &n)])),
            ));
            match wx::upload_image(id).await {
                Ok(server_id) => server_ids.push(server_id),
                Err(e) => return step.set(Step::Failed(e.to_string())),
            }
        }
        step.set(Step::Working(
            texts.with_value(|x| x.get(t::SAVING).to_string()),
        ));
        match save_images(slug, server_ids.join(",")).await {
            Ok(images) => {
                let n = server_ids.len().to_string();
                gallery.set(images);
                previews.set(Vec::new());
                step.set(Step::Done(
                    texts.with_value(|x| x.fill(t::ADDED, &[("n", &n)])),
                ));
            }
            Err(e) => step.set(Step::Failed(e.to_string())),
        }
    }
}
