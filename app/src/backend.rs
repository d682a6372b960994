//! The seam between server functions (this crate) and the server's WeChat
//! logic (crate `wxkit`): the server provides an [`Backend`] in the Leptos
//! context, server functions stay thin and call it.

use crate::error::ApiError;
#[cfg(feature = "ssr")]
use crate::jssdk::WxConfig;
#[cfg(feature = "ssr")]
use std::sync::Arc;

/// Every interface of JS-SDK 1.6.0 a wxkit page may use, by the groups of
/// WeChat's JS-SDK documentation (the playground shows them so).
pub const API_GROUPS: &[(&str, &[&str])] = &[
    ("Basic", &["checkJsApi"]),
    (
        "Share",
        &[
            "updateAppMessageShareData",
            "updateTimelineShareData",
            "onMenuShareTimeline",
            "onMenuShareAppMessage",
            "onMenuShareQQ",
            "onMenuShareWeibo",
            "onMenuShareQZone",
        ],
    ),
    (
        "Image",
        &[
            "chooseImage",
            "previewImage",
            "uploadImage",
            "downloadImage",
            "getLocalImgData",
        ],
    ),
    (
        "Audio",
        &[
            "startRecord",
            "stopRecord",
            "onVoiceRecordEnd",
            "playVoice",
            "pauseVoice",
            "stopVoice",
            "onVoicePlayEnd",
            "uploadVoice",
            "downloadVoice",
        ],
    ),
    ("Smart interface", &["translateVoice"]),
    ("Device", &["getNetworkType"]),
    ("Location", &["openLocation", "getLocation"]),
    (
        "Shake around (iBeacon)",
        &["startSearchBeacons", "stopSearchBeacons", "onSearchBeacons"],
    ),
    (
        "Interface operations",
        &[
            "hideOptionMenu",
            "showOptionMenu",
            "hideMenuItems",
            "showMenuItems",
            "hideAllNonBaseMenuItem",
            "showAllNonBaseMenuItem",
            "closeWindow",
        ],
    ),
    ("Scan", &["scanQRCode"]),
    ("Weixin Store", &["openProductSpecificView"]),
    ("Cards", &["addCard", "chooseCard", "openCard"]),
    ("Shared address", &["openAddress"]),
];

/// Every JS-SDK API a wxkit page may use ([`API_GROUPS`], in order).
pub fn known_apis() -> impl Iterator<Item = &'static str> {
    API_GROUPS.iter().flat_map(|(_, apis)| apis.iter().copied())
}

/// WeCom APIs that need `wx.agentConfig` (signed with the agent ticket) on
/// top of `wx.config`.
pub const AGENT_APIS: &[&str] = &[
    "selectEnterpriseContact",
    "openUserProfile",
    "selectExternalContact",
    "getCurExternalContact",
    "openEnterpriseChat",
    "getContext",
    "shareToExternalContact",
    "sendChatMessage",
];

/// Whether `name` is an API a page may list.
pub fn is_known_api(name: &str) -> bool {
    known_apis().any(|a| a == name) || AGENT_APIS.contains(&name)
}

/// Parses a comma-separated jsApiList, refusing names the JS-SDK does not have.
pub fn parse_api_list(list: &str) -> Result<Vec<String>, ApiError> {
    let mut apis = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !is_known_api(name) {
            return Err(ApiError::bad_request(format!(
                "unknown JS-SDK API `{name}` in js_api_list"
            )));
        }
        if !apis.iter().any(|a| a == name) {
            apis.push(name.to_string());
        }
    }
    if apis.is_empty() {
        return Err(ApiError::bad_request("js_api_list names no API"));
    }
    Ok(apis)
}

/// The jsApiList a signing request asks for: `None` (absent or empty) is
/// every API wxkit uses; otherwise [`parse_api_list`]'s list.
pub fn requested_apis(list: Option<&str>) -> Result<Option<Vec<String>>, ApiError> {
    list.filter(|l| !l.trim().is_empty())
        .map(parse_api_list)
        .transpose()
}

/// What server functions need from the server.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Signs the page at `url` for `wx.config` (`apis` = None: every API).
    async fn jssdk_config(
        &self,
        url: &str,
        apis: Option<Vec<String>>,
    ) -> Result<WxConfig, ApiError>;

    /// The page `slug`, its share links made absolute.
    async fn page(&self, slug: &str) -> Result<Option<crate::share::PageContent>, ApiError>;

    /// Counts a share outcome of page `slug` for today.
    async fn record_share(&self, slug: &str, channel: &str, outcome: &str) -> Result<(), ApiError>;

    /// Fetches uploads from WeChat and keeps them for page `slug`; answers its gallery.
    async fn save_images(
        &self,
        slug: &str,
        server_ids: Vec<String>,
    ) -> Result<Vec<crate::media::StoredImage>, ApiError>;

    /// The gallery of page `slug`.
    async fn list_images(&self, slug: &str) -> Result<Vec<crate::media::StoredImage>, ApiError>;

    /// Fetches recorded voices from WeChat and keeps them for page `slug`
    /// (which must offer voice); answers its voices.
    async fn save_voices(
        &self,
        slug: &str,
        server_ids: Vec<String>,
    ) -> Result<Vec<crate::voice::StoredVoice>, ApiError>;

    /// The voices of page `slug`.
    async fn list_voices(&self, slug: &str) -> Result<Vec<crate::voice::StoredVoice>, ApiError>;

    /// The cards pages offer.
    async fn list_cards(&self) -> Result<Vec<crate::cards::CardInfo>, ApiError>;

    /// A signed `cardExt` for `wx.addCard` of a registered card; the server
    /// chooses its code and openid (never the request).
    async fn card_ext(&self, card_id: &str, outer_str: &str) -> Result<String, ApiError>;

    /// A signed `cardSign` for `wx.chooseCard`.
    async fn card_sign(
        &self,
        card_id: &str,
        card_type: &str,
        shop_id: &str,
    ) -> Result<crate::cards::ChooseCardSign, ApiError>;

    /// Stores a config failure a page reported.
    async fn report_config_failure(
        &self,
        report: crate::share::ConfigFailure,
    ) -> Result<(), ApiError>;
}

/// The backend the server put in the context.
#[cfg(feature = "ssr")]
pub fn use_backend() -> Result<Arc<dyn Backend>, ApiError> {
    leptos::prelude::use_context::<Arc<dyn Backend>>().ok_or_else(|| ApiError::Internal {
        message: "server backend missing from context".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_list_is_checked_and_deduplicated() {
        assert_eq!(
            parse_api_list("chooseImage, chooseImage,addCard").unwrap(),
            vec!["chooseImage".to_string(), "addCard".to_string()]
        );
        assert!(matches!(
            parse_api_list("chooseImage,stealToken"),
            Err(ApiError::BadRequest { .. })
        ));
        assert!(parse_api_list(" , ").is_err());
        assert_eq!(requested_apis(None), Ok(None));
        assert_eq!(requested_apis(Some(" ")), Ok(None));
        assert_eq!(
            requested_apis(Some("addCard")),
            Ok(Some(vec!["addCard".to_string()]))
        );
    }
}
