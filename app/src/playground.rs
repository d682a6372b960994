//! `/jssdk`: the JS-SDK playground, like WeChat's own JS-SDK demo page: a
//! section per group with a button for every interface of JS-SDK 1.6.0,
//! each showing the exact call and WeChat's reply (`errMsg` and data). The
//! page signs itself for every API, so inside WeChat with a real account it
//! shows at once which interfaces the account may use; in simulate mode it
//! works in any desktop browser. Server-rendered; the buttons are wired by
//! `public/jssdk.js` (plain JavaScript, as the calls it shows are), so the
//! in-app pages' WASM does not grow by a byte.

use crate::i18n::Text;
use leptos::prelude::*;

/// `/jssdk`.
#[component]
pub fn PlaygroundPage() -> impl IntoView {
    let lang = crate::lang();
    view! {
        <leptos_meta::Title text=t::TAB_TITLE.get(lang)/>
        <main class="page playground">
            <h1>{t::TITLE.get(lang)}</h1>
            <p class="muted">{t::INTRO.get(lang)}</p>
            // public/jssdk.js shows its status in these words.
            <p data-testid="playground-status" data-status="signing"
                data-text-ready=t::READY.get(lang) data-text-error=t::ERROR.get(lang)
                data-text-no-sdk=t::NO_SDK.get(lang)>{t::SIGNING.get(lang)}</p>
            {crate::backend::API_GROUPS.iter().map(|(name, apis)| view! {
                <section class="card" data-group=*name>
                    <h2>{group_name(name).get(lang)}</h2>
                    {apis.iter().map(|api| view! {
                        <div class="api">
                            <button class="button small" data-api=*api data-testid=format!("api-{api}")>{*api}</button>
                            <pre data-testid=format!("reply-{api}") data-errmsg=""></pre>
                        </div>
                    }).collect::<Vec<_>>()}
                </section>
            }).collect::<Vec<_>>()}
            <script src="/jssdk.js" defer></script>
        </main>
    }
}

/// A group of the JS-SDK documentation ([`crate::backend::API_GROUPS`]), by
/// the names WeChat's documentation gives it in each language.
fn group_name(name: &str) -> Text {
    match name {
        "Basic" => t::BASIC,
        "Share" => t::SHARE,
        "Image" => t::IMAGE,
        "Audio" => t::AUDIO,
        "Smart interface" => t::SMART,
        "Device" => t::DEVICE,
        "Location" => t::LOCATION,
        "Shake around (iBeacon)" => t::BEACON,
        "Interface operations" => t::MENU,
        "Scan" => t::SCAN,
        "Weixin Store" => t::STORE,
        "Cards" => t::CARDS,
        "Shared address" => t::ADDRESS,
        _ => t::OTHER,
    }
}

/// The playground's texts.
pub mod t {
    crate::texts! {
        TAB_TITLE: "JS-SDK 调试页 · wxkit", "JS-SDK playground · wxkit";
        TITLE: "JS-SDK 调试页", "JS-SDK playground";
        INTRO: "微信 JS-SDK 1.6.0 的全部接口，已为此页面签名：每个按钮显示调用代码和微信的返回。用你的账号在微信中打开，即可看到账号能使用哪些接口。", "Every interface of WeChat's JS-SDK 1.6.0, signed for this page: each button shows the call and WeChat's reply. Inside WeChat with your account, it shows which interfaces the account may use.";
        SIGNING: "正在签名…", "signing…";
        READY: "已就绪（wx.ready）", "ready";
        ERROR: "出错了：", "error: ";
        NO_SDK: "出错了：微信 JS-SDK 没有加载", "error: the WeChat JS-SDK did not load";
        BASIC: "基础接口", "Basic";
        SHARE: "分享接口", "Share";
        IMAGE: "图像接口", "Image";
        AUDIO: "音频接口", "Audio";
        SMART: "智能接口", "Smart interface";
        DEVICE: "设备信息", "Device";
        LOCATION: "地理位置", "Location";
        BEACON: "摇一摇周边", "Shake around (iBeacon)";
        MENU: "界面操作", "Interface operations";
        SCAN: "微信扫一扫", "Scan";
        STORE: "微信小店", "Weixin Store";
        CARDS: "微信卡券", "Cards";
        ADDRESS: "共享收货地址接口", "Shared address";
        OTHER: "其他接口", "Other";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_has_its_name_in_both_languages() {
        for (name, _) in crate::backend::API_GROUPS {
            assert_ne!(group_name(name), t::OTHER, "{name}");
        }
        let problems = crate::i18n::check_catalogue("playground", t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
