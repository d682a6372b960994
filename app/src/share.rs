//! In-app pages and their share content: what a page shows and what a share
//! of it looks like (for chats and for Moments), the server functions that
//! load a page and record share outcomes, and the island that hands the share
//! content to WeChat once `wx.config` is ready.

use crate::error::ApiError;
use crate::wx::{AppMessageShare, ChooseImage, TimelineShare};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A page as the browser gets it: never anything secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageContent {
    pub slug: String,
    pub title: String,
    pub body: String,
    pub friend: AppMessageShare,
    pub timeline: TimelineShare,
    pub js_api_list: Vec<String>,
    pub choose: ChooseImage,
    /// Menu items hidden once `wx.ready` has run (names, or `all_non_base`).
    pub menu_hidden: Vec<String>,
}

/// What the share island needs of a page (its prop): not the page's title,
/// body or photo settings, which the server rendered and the island never
/// reads (no second copy of the body in the HTML, no decoder of them in the
/// WASM).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareContent {
    pub slug: String,
    pub friend: AppMessageShare,
    pub timeline: TimelineShare,
    pub js_api_list: Vec<String>,
    pub menu_hidden: Vec<String>,
}

impl From<&PageContent> for ShareContent {
    fn from(p: &PageContent) -> Self {
        ShareContent {
            slug: p.slug.clone(),
            friend: p.friend.clone(),
            timeline: p.timeline.clone(),
            js_api_list: p.js_api_list.clone(),
            menu_hidden: p.menu_hidden.clone(),
        }
    }
}

/// The page a request shows, as the server's page middleware found it (after
/// its authorization check) and put in the request's extensions: the in-app
/// pages (`/p/{slug}`, its photos and cards) render it from there, and the
/// shell adds the boot script of in-app pages when it is there. Absent: there
/// is no such page.
#[derive(Debug, Clone)]
pub struct ServedPage {
    pub content: std::sync::Arc<PageContent>,
    /// What this version of the page renders to, as far as rendered.
    pub fragments: std::sync::Arc<crate::fragments::Fragments>,
}

impl ServedPage {
    /// A version of a page, nothing rendered yet.
    pub fn new(content: PageContent) -> ServedPage {
        ServedPage {
            content: std::sync::Arc::new(content),
            fragments: Default::default(),
        }
    }
}

/// Where a share went.
pub const CHANNELS: &[&str] = &["app_message", "timeline", "qq", "weibo", "qzone"];

/// The legacy API of each channel.
pub fn legacy_api(channel: &str) -> Option<&'static str> {
    Some(match channel {
        "app_message" => "onMenuShareAppMessage",
        "timeline" => "onMenuShareTimeline",
        "qq" => "onMenuShareQQ",
        "weibo" => "onMenuShareWeibo",
        "qzone" => "onMenuShareQZone",
        _ => return None,
    })
}

/// A page by slug (`None`: no such page).
#[server(prefix = "/api", endpoint = "page")]
pub async fn get_page(slug: String) -> Result<Option<PageContent>, ApiError> {
    crate::backend::use_backend()?.page(&slug).await
}

/// Records that a share of page `slug` on `channel` ended with `outcome`
/// (`success` or `cancel`).
#[server(prefix = "/api", endpoint = "share_event")]
pub async fn record_share(slug: String, channel: String, outcome: String) -> Result<(), ApiError> {
    if !CHANNELS.contains(&channel.as_str()) {
        return Err(ApiError::bad_request(format!(
            "unknown share channel `{channel}`"
        )));
    }
    if !matches!(outcome.as_str(), "success" | "cancel") {
        return Err(ApiError::bad_request("outcome must be success or cancel"));
    }
    crate::backend::use_backend()?
        .record_share(&slug, &channel, &outcome)
        .await
}

/// What a page reports when WeChat refused its config twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigFailure {
    pub page_url: String,
    pub signed_url: String,
    pub user_agent: String,
    pub err_msg: String,
}

/// Stores a config failure report (shown in the dashboard's debugger).
#[server(prefix = "/api", endpoint = "config_failure")]
pub async fn report_config_failure(
    page_url: String,
    signed_url: String,
    user_agent: String,
    err_msg: String,
) -> Result<(), ApiError> {
    for (name, value, max) in [
        ("page_url", &page_url, 4096),
        ("signed_url", &signed_url, 4096),
        ("user_agent", &user_agent, 1024),
        ("err_msg", &err_msg, 512),
    ] {
        if value.len() > max {
            return Err(ApiError::bad_request(format!(
                "{name} is longer than {max} bytes"
            )));
        }
    }
    if err_msg.trim().is_empty() {
        return Err(ApiError::bad_request("err_msg is empty"));
    }
    crate::backend::use_backend()?
        .report_config_failure(ConfigFailure {
            page_url,
            signed_url,
            user_agent,
            err_msg,
        })
        .await
}

/// The share island's texts.
pub mod t {
    crate::island_texts! {
        READY: "点击右上角的 ··· 分享此页。", "Tap ··· at the top right to share this page.";
        WAITING: "正在准备分享…", "Preparing sharing…";
        UNAVAILABLE: "暂时无法分享：{why}", "Sharing is not available: {why}";
        NO_SHARE_API: "此页面没有开放任何分享接口", "no share API is allowed for this page";
    }
}

/// Hands the page's share content to WeChat whenever the runtime around it
/// becomes ready: the new APIs where `checkJsApi` has them, and the legacy
/// `onMenuShare*` ones (which also report whether the user shared).
#[island]
pub fn ShareIsland(page: ShareContent, texts: t::Texts) -> impl IntoView {
    let status = RwSignal::new("waiting".to_string());
    #[cfg(feature = "hydrate")]
    {
        use crate::runtime::{use_wx_state, WxState};
        let state = use_wx_state();
        let page = page.clone();
        Effect::new(move |_| {
            if state.get() == WxState::Ready {
                let page = page.clone();
                leptos::task::spawn_local(
                    async move { status.set(browser::apply_share(&page).await) },
                );
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = page;
    view! {
        <p class="share-status" data-testid="share-status" data-status=move || status.get()>
            {move || match status.get().as_str() {
                "ready" | "legacy" => texts.get(t::READY).to_string(),
                "waiting" => texts.get(t::WAITING).to_string(),
                "none" => texts.fill(t::UNAVAILABLE, &[("why", texts.get(t::NO_SHARE_API))]),
                other => texts.fill(t::UNAVAILABLE, &[("why", other)]),
            }}
        </p>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use crate::wx;

    /// Sets the share content; answers `ready` (new APIs), `legacy` (old
    /// client: legacy APIs only), `none` (the page allows no share API) or
    /// what failed (WeChat's errMsg).
    pub async fn apply_share(page: &ShareContent) -> String {
        // The menu first, and whatever becomes of sharing: an account may
        // use the interface operations without the sharing interfaces.
        if !page.menu_hidden.is_empty() {
            if let Err(e) = wx::hide_page_menu(&page.menu_hidden).await {
                leptos::logging::warn!("the page's menu items could not be hidden: {e}");
            }
        }
        let allowed = |api: &str| page.js_api_list.iter().any(|a| a == api);
        let new_apis = ["updateAppMessageShareData", "updateTimelineShareData"];
        let has = wx::check_js_api(&new_apis).await.unwrap_or_default();
        let use_new = new_apis
            .iter()
            .all(|a| allowed(a) && has.get(*a) == Some(&true));
        if use_new {
            if let Err(e) = wx::update_app_message_share_data(&page.friend).await {
                return e.to_string();
            }
            if let Err(e) = wx::update_timeline_share_data(&page.timeline).await {
                return e.to_string();
            }
        }
        let mut legacy = 0;
        for channel in CHANNELS {
            let Some(api) = legacy_api(channel) else {
                continue;
            };
            if !allowed(api) {
                continue;
            }
            let params = if *channel == "timeline" {
                wx::legacy_timeline(&page.timeline)
            } else {
                wx::legacy_app_message(&page.friend)
            };
            let (slug, channel) = (page.slug.clone(), channel.to_string());
            let registered = wx::on_menu_share(api, params, move |outcome| {
                let outcome = match outcome {
                    Ok(()) => "success",
                    Err(wx::WxError::Cancelled) => "cancel",
                    Err(_) => return,
                };
                let (slug, channel) = (slug.clone(), channel.clone());
                leptos::task::spawn_local(async move {
                    let _ = record_share(slug, channel, outcome.to_string()).await;
                });
            });
            if registered.is_ok() {
                legacy += 1;
            }
        }
        match (use_new, legacy) {
            (true, _) => "ready".into(),
            (false, n) if n > 0 => "legacy".into(),
            _ => "none".into(),
        }
    }
}
