//! The page API: the server side of the in-app pages' server functions
//! ([`Backend`], reached through the Leptos context): signed `wx.config`s,
//! page content, share records, saved images and voices, cards,
//! config-failure reports.
//!
//! Invariants: a server function about a page runs only when the page
//! requires no authorization or the session's visitor has the scope it
//! requires (`check_page_access`; page requests themselves are gated by
//! `super::middleware`); what a visitor writes (shares, images, failure
//! reports) counts against the per-IP write limit first; a database failure
//! reaches the browser only as [`DbFailure`](crate::api_error::DbFailure)
//! words it.

use super::AppState;
use crate::share;
use app::backend::Backend;
use app::cards::{CardInfo, ChooseCardSign};
use app::error::ApiError;
use app::jssdk::WxConfig;
use app::media::StoredImage;
use app::scope::Scope;
use app::share::{ConfigFailure, PageContent};
use app::voice::StoredVoice;
use leptos::prelude::*;
use tower_sessions::Session;

/// What server functions reach through the Leptos context.
#[async_trait::async_trait]
impl Backend for AppState {
    async fn jssdk_config(
        &self,
        url: &str,
        apis: Option<Vec<String>>,
    ) -> Result<WxConfig, ApiError> {
        self.jssdk.sign(url, apis.as_deref()).await
    }

    async fn page(&self, slug: &str) -> Result<Option<PageContent>, ApiError> {
        self.check_page_access(slug).await?;
        Ok(self.pages.get(slug).map(|p| (*p.served.content).clone()))
    }

    async fn record_share(&self, slug: &str, channel: &str, outcome: &str) -> Result<(), ApiError> {
        self.limits.write(request_ip())?;
        self.check_page_access(slug).await?;
        if !share::record_share(&self.db, slug, channel, outcome).await? {
            return Err(ApiError::bad_request(format!("there is no page `{slug}`")));
        }
        Ok(())
    }

    async fn save_images(
        &self,
        slug: &str,
        server_ids: Vec<String>,
    ) -> Result<Vec<StoredImage>, ApiError> {
        let who = self.uploader(slug).await?;
        let gets = &self.limits.media_gets_per_ip;
        counted(self.media.save_images(slug, &server_ids, &who, gets).await)
    }

    async fn list_images(&self, slug: &str) -> Result<Vec<StoredImage>, ApiError> {
        self.check_page_access(slug).await?;
        Ok(self.media.images(slug).await?)
    }

    async fn save_voices(
        &self,
        slug: &str,
        server_ids: Vec<String>,
    ) -> Result<Vec<StoredVoice>, ApiError> {
        // The same bounds as images, on a page whose admin offers voice.
        let who = self.uploader(slug).await?;
        self.check_offers_voice(slug)?;
        let gets = &self.limits.media_gets_per_ip;
        counted(self.media.save_voices(slug, &server_ids, &who, gets).await)
    }

    async fn list_voices(&self, slug: &str) -> Result<Vec<StoredVoice>, ApiError> {
        self.check_page_access(slug).await?;
        self.check_offers_voice(slug)?;
        Ok(self.media.voices(slug).await?)
    }

    async fn list_cards(&self) -> Result<Vec<CardInfo>, ApiError> {
        Ok(crate::cards::list(&self.db).await?)
    }

    async fn card_ext(&self, card_id: &str, outer_str: &str) -> Result<String, ApiError> {
        let caller = crate::cards::Caller::current(self).await;
        Ok(crate::cards::card_ext(self, &caller, card_id, outer_str).await?)
    }

    async fn card_sign(
        &self,
        card_id: &str,
        card_type: &str,
        shop_id: &str,
    ) -> Result<ChooseCardSign, ApiError> {
        let caller = crate::cards::Caller::current(self).await;
        Ok(crate::cards::card_sign(self, &caller, card_id, card_type, shop_id).await?)
    }

    async fn report_config_failure(&self, report: ConfigFailure) -> Result<(), ApiError> {
        self.limits.write(request_ip())?;
        crate::telemetry::metrics::config_failure_reported();
        tracing::warn!(page = %report.page_url, signed = %report.signed_url, err = %report.err_msg, "a page reported a config failure");
        let max = self.protection.config_failures_max;
        Ok(share::store_config_failure(&self.db, &report, max).await?)
    }
}

/// The client IP of the request a server function is answering.
fn request_ip() -> crate::client_ip::ClientIp {
    with_context::<http::request::Parts, _>(crate::client_ip::of).unwrap_or(
        crate::client_ip::ClientIp(std::net::IpAddr::from([0, 0, 0, 0])),
    )
}

/// An upload's outcome, a refusal counted in the metrics.
fn counted<T>(saved: Result<T, crate::media::MediaError>) -> Result<T, ApiError> {
    if saved.is_err() {
        crate::telemetry::metrics::upload("refused", 0);
    }
    Ok(saved?)
}

impl AppState {
    /// Who uploads to page `slug`, once the request passed the per-IP write
    /// limit (one write per request; each media_id fetched from WeChat counts
    /// again, per IP, after the quotas are checked) and the page's access rule.
    async fn uploader(&self, slug: &str) -> Result<crate::media::Uploader, ApiError> {
        let ip = request_ip();
        self.limits.write(ip)?;
        let openid = self.check_page_access(slug).await?;
        Ok(crate::media::Uploader::new(openid, ip))
    }

    /// Page `slug` offers voice: its jsApiList has every voice interface.
    fn check_offers_voice(&self, slug: &str) -> Result<(), ApiError> {
        match self.pages.get(slug) {
            Some(p) if app::voice::offers_voice(&p.served.content.js_api_list) => Ok(()),
            Some(_) => Err(ApiError::bad_request(format!(
                "page `{slug}` does not offer voice: its JS-SDK interface list lacks the voice interfaces"
            ))),
            None => Err(ApiError::bad_request(format!("there is no page `{slug}`"))),
        }
    }

    /// A server function about page `slug` may run: the page requires no
    /// authorization, or this session's visitor has the scope it requires.
    /// `Ok` carries the visitor's openid when one is signed in.
    async fn check_page_access(&self, slug: &str) -> Result<Option<String>, ApiError> {
        let session = app::request_extension::<Session>();
        let signed_in = match &session {
            Some(s) => self.oauth.signed_in(s).await,
            None => None,
        };
        let required = self
            .pages
            .get(slug)
            .and_then(|p| Scope::from_page(&p.meta.auth_scope));
        match (required, signed_in) {
            (None, who) => Ok(who.map(|(openid, _)| openid)),
            (Some(scope), Some((openid, granted))) if scope.covered_by(&granted) => Ok(Some(openid)),
            (Some(_), _) => Err(ApiError::Unauthorized {
                message: format!(
                    "page `{slug}` is for visitors WeChat has identified: open the page in WeChat to sign in"
                ),
            }),
        }
    }
}
