//! Pages: the landing page (the state of `wx.config` for its own URL, with a
//! button that re-signs through the server function) and the in-app page
//! `/p/{slug}` with its share content.

use crate::error::ApiError;
use crate::fragments::FragmentKey;
use crate::jssdk::{jssdk_config, EmbeddedConfig, WxConfig};
use crate::share::{PageContent, ServedPage};
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;
use std::pin::Pin;

/// Reads the config the server embedded in this page (browser only).
#[cfg(feature = "hydrate")]
pub fn read_embedded_config() -> Option<EmbeddedConfig> {
    let text = web_sys::window()?
        .document()?
        .get_element_by_id(crate::jssdk::CONFIG_ELEMENT_ID)?
        .text_content()?;
    EmbeddedConfig::from_json(&text)
}

#[cfg(not(feature = "hydrate"))]
pub fn read_embedded_config() -> Option<EmbeddedConfig> {
    None
}

/// `location.href.split('#')[0]` of the current page (browser only).
#[cfg(feature = "hydrate")]
fn current_page_url() -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    Some(href.split('#').next().unwrap_or_default().to_string())
}

#[cfg(not(feature = "hydrate"))]
fn current_page_url() -> Option<String> {
    None
}

/// The pages' texts.
pub mod t {
    crate::texts! {
        HOME_LEAD: "在微信里打开的页面，签名在服务器上完成。", "Pages for WeChat, signed on the server.";
        OPEN_DEMO: "打开演示页", "Open the demo page";
        WEB_AUTH: "网页授权：", "Web authorization: ";
        AUTH_BASE: "静默授权（snsapi_base）", "silent (snsapi_base)";
        AUTH_USERINFO: "获取头像昵称（snsapi_userinfo）", "with your profile (snsapi_userinfo)";
        LOADING: "加载中…", "Loading…";
        TAB_STORY: "故事", "Story";
        TAB_ABOUT: "关于", "About";
        SHARE: "分享", "Share";
        PHOTOS: "照片", "Photos";
        CARDS: "卡券", "Cards";
        VOICE: "语音", "Voice";
        BACK: "← 返回页面", "← Back to the page";
        WECHAT_USER: "微信用户 …{id}", "WeChat user …{id}";
        SIGNED_IN_PROFILE: "已用你的微信资料登录", "signed in with your WeChat profile";
        SIGNED_IN_SILENT: "已由微信静默识别", "identified silently by WeChat";
        NOT_FOUND: "页面不存在", "Page not found";
        BACK_TO_START: "返回首页", "Back to the start";
    }
}

#[derive(Clone, PartialEq)]
enum ConfigState {
    /// Server-rendered, not hydrated yet.
    Pending,
    Ready(WxConfig),
    Failed(ApiError),
    Missing,
}

#[component]
pub fn Home() -> impl IntoView {
    let lang = crate::lang();
    view! {
        <section class="card">
            <h1>"wxkit"</h1>
            <p class="lead">{t::HOME_LEAD.get(lang)}</p>
            <ConfigStatus texts=status_t::texts(lang)/>
            <p><a href="/p/demo">{t::OPEN_DEMO.get(lang)}</a></p>
            <p class="links">
                {t::WEB_AUTH.get(lang)}
                <a href="/p/demo-base" data-testid="to-demo-base">{t::AUTH_BASE.get(lang)}</a>
                " · "
                <a href="/p/demo-userinfo" data-testid="to-demo-userinfo">{t::AUTH_USERINFO.get(lang)}</a>
            </p>
        </section>
    }
}

/// The config status island's texts.
pub(crate) mod status_t {
    crate::island_texts! {
        LOADING: "正在加载页面…", "Loading the page…";
        READY: "此页面的 wx.config 已就绪。", "wx.config is ready for this page.";
        FAILED: "无法为此页面签名：{why}", "This page could not be signed: {why}";
        MISSING: "此页面没有 wx.config。", "The page carries no wx.config.";
        RESIGN: "为此 URL 重新签名", "Sign this URL again";
        SIGNED_AGAIN: "已重新签名：", "Signed again: ";
    }
}

/// The embedded config as the hydrated page read it, and a re-sign button.
#[island(lazy)]
fn ConfigStatus(texts: status_t::Texts) -> impl IntoView {
    use status_t as t;
    let texts = StoredValue::new(texts);
    let say = move |key: t::Key| texts.with_value(|x| x.get(key).to_string());
    let state = RwSignal::new(ConfigState::Pending);
    // Effects only run in the browser, once the page has hydrated.
    Effect::new(move |_| {
        state.set(match read_embedded_config() {
            Some(EmbeddedConfig::Ready(c)) => ConfigState::Ready(c),
            Some(EmbeddedConfig::Failed { error }) => ConfigState::Failed(error),
            None => ConfigState::Missing,
        });
    });

    let resign = Action::new(move |_: &()| async move {
        let url = current_page_url().unwrap_or_default();
        jssdk_config(url, None).await
    });

    let hydrated = move || !matches!(state.get(), ConfigState::Pending);

    view! {
        <div>
            <div class="status" data-testid="config-status" data-hydrated=move || hydrated().to_string()>
                {move || match state.get() {
                    ConfigState::Pending => view! { <p>{say(t::LOADING)}</p> }.into_any(),
                    ConfigState::Ready(c) => view! {
                        <p class="ok">{say(t::READY)}</p>
                        <dl>
                            <dt>"appId"</dt><dd data-testid="app-id">{c.app_id.clone()}</dd>
                            <dt>"timestamp"</dt><dd data-testid="timestamp">{c.timestamp}</dd>
                            <dt>"nonceStr"</dt><dd data-testid="nonce">{c.nonce_str.clone()}</dd>
                            <dt>"signature"</dt><dd data-testid="signature">{c.signature.clone()}</dd>
                        </dl>
                    }.into_any(),
                    ConfigState::Failed(e) => view! {
                        <p class="error" data-testid="config-error">
                            {texts.with_value(|x| x.fill(t::FAILED, &[("why", &e.to_string())]))}
                        </p>
                    }.into_any(),
                    ConfigState::Missing => view! {
                        <p class="error" data-testid="config-error">{say(t::MISSING)}</p>
                    }.into_any(),
                }}
            </div>
            <button class="button" data-testid="resign" on:click=move |_| { resign.dispatch(()); }>
                {say(t::RESIGN)}
            </button>
            <div data-testid="resign-result">
                {move || resign.value().get().map(|r| match r {
                    Ok(c) => view! { <p class="ok">{say(t::SIGNED_AGAIN)} <span data-testid="resigned">{c.signature}</span></p> }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                })}
            </div>
        </div>
    }
}

/// How a page's data is loaded from its slug.
type Load<T> = fn(String) -> Pin<Box<dyn Future<Output = Result<Option<T>, ApiError>> + Send>>;

/// The page named by the route's `slug`: loaded by `load`, drawn by `render`,
/// the 404 page when there is no such page.
fn slug_page<T>(load: Load<T>, render: fn(T) -> AnyView) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
{
    let params = leptos_router::hooks::use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let page = Resource::new(slug, load);
    view! {
        <Suspense fallback=|| view! { <p>{t::LOADING.get(crate::lang())}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(Some(data)) => render(data),
                    Ok(None) => view! { <NotFound/> }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The page of this request as the server's page middleware found and
/// authorized it (see [`crate::share::ServedPage`]); `None`: no such page.
fn served_page() -> Option<PageContent> {
    crate::request_extension::<ServedPage>().map(|p| (*p.content).clone())
}

/// `/p/{slug}`: an in-app page and its share content. Rendered from the
/// page the server's middleware found for this request (in memory, already
/// authorized): nothing to load, so no resource and no suspense.
#[component]
pub fn PageView() -> impl IntoView {
    match crate::request_extension::<ServedPage>() {
        Some(page) => in_app_page(&page),
        None => view! { <NotFound/> }.into_any(),
    }
}

/// An in-app page's tabs: (id, label).
const TABS: [(&str, crate::i18n::Text); 2] = [("story", t::TAB_STORY), ("about", t::TAB_ABOUT)];
// Each tab's render is kept ([`crate::fragments`]).
const _: () = assert!(TABS.len() <= crate::fragments::MAX_TABS);

/// The visitor's card (theirs alone), then what the page shows everyone who
/// opens it in this language on this tab: rendered once per version of the
/// page ([`crate::fragments`]), since it is the same HTML every time.
fn in_app_page(page: &ServedPage) -> AnyView {
    let p = &page.content;
    // The tab in the URL (`?tab=…`, what the tabs submit), else the first.
    let asked = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("tab"));
    let key = FragmentKey {
        lang: crate::lang(),
        tab: crate::runtime::chosen_tab(TABS.iter().map(|(id, _)| *id), asked.as_deref()),
        simulate: crate::site().simulate,
    };
    let body = page
        .fragments
        .get_or_render(key, || page_body(p, key).to_html());
    view! {
        <leptos_meta::Title text=p.title.clone()/>
        {crate::visitor().map(|v| view! { <VisitorCard visitor=v/> })}
        // A copy of the kept text into this response (a few KB; no render).
        {leptos::tachys::html::InertElement::new(String::from(&*body))}
    }
    .into_any()
}

/// What page `p` shows everyone who opens it as `key` says. Kept once
/// rendered ([`crate::fragments`]), so it reads nothing but `p` and `key`: no
/// request, visitor, language or query of its own (the caller reads those
/// into `key`, or renders them around it).
fn page_body(p: &PageContent, key: FragmentKey) -> impl IntoView {
    let FragmentKey {
        lang,
        tab,
        simulate,
    } = key;
    let photos_href = format!("/p/{}/photos", p.slug);
    let cards_href = format!("/p/{}/cards", p.slug);
    let share = crate::share::ShareContent::from(p);
    let tabs: Vec<(String, String)> = TABS
        .iter()
        .map(|(id, label)| (id.to_string(), label.get(lang).to_string()))
        .collect();
    let current = tabs[tab].0.clone();
    view! {
        <article class="card">
            <h1 data-testid="page-title">{p.title.clone()}</h1>
            // A form, so a tap works before the island loads: the browser
            // opens `?tab=…` and the server renders that tab.
            <form method="get">
                <crate::runtime::SectionTabs tabs current/>
            </form>
            <p>{p.body.clone()}</p>
        </article>
        <crate::runtime::WxRuntime simulate apis=p.js_api_list.clone() texts=crate::runtime::t::texts(lang)>
            <section class="card">
                <h2>{t::SHARE.get(lang)}</h2>
                <crate::share::ShareIsland page=share texts=crate::share::t::texts(lang)/>
            </section>
        </crate::runtime::WxRuntime>
        <nav class="card links">
            <a href=photos_href data-testid="to-photos">{t::PHOTOS.get(lang)}</a>
            " · "
            <a href=cards_href data-testid="to-cards">{t::CARDS.get(lang)}</a>
            {crate::voice::offers_voice(&p.js_api_list).then(|| view! {
                " · "
                <a href=format!("/p/{}/voice", p.slug) data-testid="to-voice">{t::VOICE.get(lang)}</a>
            })}
        </nav>
    }
}

/// A page's sub-page (photos, cards, voice): a back link, then `children` inside the
/// WeChat runtime, with the page's share content set there too.
#[component]
fn SubPage(page: PageContent, heading: crate::i18n::Text, children: Children) -> impl IntoView {
    let simulate = crate::site().simulate;
    let lang = crate::lang();
    let heading = heading.get(lang);
    view! {
        <leptos_meta::Title text=format!("{} · {heading}", page.title)/>
        <article class="card">
            <h1 data-testid="page-title">{page.title.clone()}</h1>
            <p><a href=format!("/p/{}", page.slug)>{t::BACK.get(lang)}</a></p>
        </article>
        <crate::runtime::WxRuntime simulate apis=page.js_api_list.clone() texts=crate::runtime::t::texts(lang)>
            <section class="card">
                <h2>{heading}</h2>
                <crate::share::ShareIsland page=crate::share::ShareContent::from(&page) texts=crate::share::t::texts(lang)/>
                {children()}
            </section>
        </crate::runtime::WxRuntime>
    }
}

/// Who WeChat says the visitor is (server-rendered; no island).
#[component]
fn VisitorCard(visitor: crate::Visitor) -> impl IntoView {
    let short_id: String = visitor
        .openid
        .chars()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let lang = crate::lang();
    let name = if visitor.nickname.is_empty() {
        t::WECHAT_USER.fill(lang, &[("id", &short_id)])
    } else {
        visitor.nickname.clone()
    };
    let scope = if crate::scope::Scope::UserInfo.covered_by(&visitor.scope) {
        t::SIGNED_IN_PROFILE.get(lang)
    } else {
        t::SIGNED_IN_SILENT.get(lang)
    };
    view! {
        <section class="card visitor" data-testid="visitor" data-openid=visitor.openid.clone()
            data-scope=visitor.scope.clone()>
            {(!visitor.avatar_url.is_empty()).then(|| view! {
                <img class="avatar" data-testid="visitor-avatar" src=visitor.avatar_url.clone()
                    alt="" width="48" height="48" referrerpolicy="no-referrer"/>
            })}
            <div>
                <p class="nickname" data-testid="visitor-nickname">{name}</p>
                <p class="muted">{scope}</p>
            </div>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <section class="card">
            <h1>{t::NOT_FOUND.get(crate::lang())}</h1>
            <p><a href="/">{t::BACK_TO_START.get(crate::lang())}</a></p>
        </section>
    }
}

/// `/p/{slug}/photos`: choose, upload and keep photos.
#[component]
pub fn PhotosView() -> impl IntoView {
    slug_page(
        |slug| {
            Box::pin(async move {
                let Some(page) = served_page() else {
                    return Ok(None);
                };
                let gallery = crate::media::list_images(slug).await?;
                Ok(Some((page, gallery)))
            })
        },
        |(p, gallery): (PageContent, Vec<crate::media::StoredImage>)| {
            view! {
                <SubPage page=p.clone() heading=t::PHOTOS>
                    <crate::media::PhotosIsland slug=p.slug.clone() choose=p.choose.clone() gallery=crate::props::Json(gallery.clone()) texts=crate::media::t::texts(crate::lang())/>
                </SubPage>
            }
            .into_any()
        },
    )
}

/// `/p/{slug}/cards`: add, choose and open cards.
#[component]
pub fn CardsView() -> impl IntoView {
    slug_page(
        |_slug| {
            Box::pin(async move {
                let Some(page) = served_page() else {
                    return Ok(None);
                };
                let cards = crate::cards::list_cards().await?;
                Ok(Some((page, cards)))
            })
        },
        |(p, cards): (PageContent, Vec<crate::cards::CardInfo>)| {
            view! {
                <SubPage page=p heading=t::CARDS>
                    <crate::cards::CardsIsland cards=cards.clone() texts=crate::cards::t::texts(crate::lang())/>
                </SubPage>
            }
            .into_any()
        },
    )
}

/// `/p/{slug}/voice`: record, keep and play voices, on a page that offers
/// them ([`crate::voice::offers_voice`]; elsewhere a 404).
#[component]
pub fn VoiceView() -> impl IntoView {
    slug_page(
        |slug| {
            Box::pin(async move {
                let Some(page) =
                    served_page().filter(|p| crate::voice::offers_voice(&p.js_api_list))
                else {
                    return Ok(None);
                };
                let voices = crate::voice::list_voices(slug).await?;
                Ok(Some((page, voices)))
            })
        },
        |(p, voices): (PageContent, Vec<crate::voice::StoredVoice>)| {
            view! {
                <SubPage page=p.clone() heading=t::VOICE>
                    <crate::voice::VoicesIsland slug=p.slug.clone() voices=crate::props::Json(voices.clone()) texts=crate::voice::t::texts(crate::lang())/>
                </SubPage>
            }
            .into_any()
        },
    )
}
