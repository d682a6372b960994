//! Why a page's `wx.config` failed, in plain words, from what the page
//! reported (the dashboard's config-failure reports carry it), in the admin's
//! language. Pure: it reads only its arguments. What the `errMsg` means is
//! [`ConfigErrMsg`]'s call, the same reading the page's own notice makes.

use app::i18n::Lang;
use app::wx::ConfigErrMsg;

/// Why a page's config failed, in plain words, from what it reported, in `lang`.
pub fn diagnose(
    page_url: &str,
    signed_url: &str,
    user_agent: &str,
    err_msg: &str,
    lang: Lang,
) -> String {
    let ios = ["iPhone", "iPad", "iPod"]
        .iter()
        .any(|d| user_agent.contains(d));
    match ConfigErrMsg::of(err_msg) {
        ConfigErrMsg::UrlDomain => return t::URL_DOMAIN.get(lang).into(),
        ConfigErrMsg::Permission => return t::PERMISSION.get(lang).into(),
        ConfigErrMsg::Signature => {}
        _ => return t::REFUSED.fill(lang, &[("err", err_msg)]),
    }
    let strip = |u: &str| u.split('#').next().unwrap_or_default().to_string();
    let (page, signed) = (strip(page_url), strip(signed_url));
    if page == signed {
        return t::SAME_URL.fill(lang, &[("signed", signed.as_str())]);
    }
    let query = |u: &str| -> Vec<String> {
        u.split_once('?')
            .map(|(_, q)| q.split('&').map(str::to_string).collect())
            .unwrap_or_default()
    };
    let (pq, sq) = (query(&page), query(&signed));
    let added: Vec<&String> = pq.iter().filter(|p| !sq.contains(p)).collect();
    let base = |u: &str| u.split('?').next().unwrap_or_default().to_string();
    let mut why = t::DIFFERENT_URL.fill(
        lang,
        &[("signed", signed.as_str()), ("page", page.as_str())],
    );
    if base(&page) == base(&signed) && !added.is_empty() {
        let names: Vec<String> = added.iter().map(|s| s.to_string()).collect();
        let separator = match lang {
            Lang::ZhCn => "、",
            Lang::En => ", ",
        };
        let params = names.join(separator);
        why.push_str(&t::PARAMS_ADDED.fill(lang, &[("params", params.as_str())]));
    } else if ios {
        why.push_str(t::IOS_LANDING_URL.get(lang));
    } else {
        why.push_str(t::URL_CHANGED.get(lang));
    }
    why
}

/// The diagnoses' texts. `DIFFERENT_URL` is followed by one of
/// `PARAMS_ADDED`, `IOS_LANDING_URL` and `URL_CHANGED`.
mod t {
    app::texts! {
        URL_DOMAIN: "页面的域名不在该账号的JS接口安全域名中：请在公众号设置的功能设置中添加，或将页面放在已设置的JS接口安全域名下",
            "the page's domain is not one of the account's JS interface safe domains: add it in the Official Account settings, or serve the page from one";
        PERMISSION: "在 wx.ready 之前调用了接口，或该接口不在页面的 jsApiList 中",
            "an API was used before wx.ready, or is not in the page's jsApiList";
        /// `{err}`: the `errMsg` WeChat answered, as written.
        REFUSED: "微信未通过 config 验证（{err}）", "WeChat refused the config ({err})";
        /// `{signed}`: the URL the page signed, which is the one the client verified.
        SAME_URL: "页面签名所用的 URL {signed} 正是客户端校验的 URL，所以问题出在 jsapi_ticket：它已被替换（其他系统获取了新的 access_token，或缓存没有在所有进程间共享），或者计算签名时使用的 noncestr 或 timestamp 与 config 中的不同",
            "the page signed {signed}, the URL the client verified, so the ticket was the problem: it was replaced (another system fetched a new access_token, or the cache is not shared by every process) or the signature was computed with another nonce or timestamp than the config carried";
        /// `{signed}`: the URL the page signed; `{page}`: the one the client verified.
        DIFFERENT_URL: "页面签名所用的 URL 是 {signed}，但客户端校验的是 {page}",
            "the page signed {signed} but the client verified {page}";
        /// `{params}`: the query parameters the URL gained.
        PARAMS_ADDED: "：URL 多了 {params}（页面被分享后，微信会在链接后追加这类参数）；请对页面中 location.href.split('#')[0] 的值签名",
            ": the URL gained {params} (WeChat appends such parameters when a page is shared); sign location.href.split('#')[0] as the page sees it";
        IOS_LANDING_URL: "：在 iOS 上，微信始终校验进入页面时的 URL，所以前端路由切换后仍要对进入页面时的 URL（落地页 URL）签名",
            ": on iOS WeChat keeps verifying the URL the page was entered with, so sign the landing URL after a client-side route change";
        URL_CHANGED: "：页面的 URL 变了（前端路由切换或重定向），但没有为新的 URL 重新签名",
            ": the page changed its URL (a client-side route change or a redirect) and the config was not signed again for the new URL";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHARED: &str = "https://a.example/x?from=singlemessage&isappinstalled=0";
    const SIGNED: &str = "https://a.example/x?from=singlemessage";

    #[test]
    fn diagnoses_name_the_difference() {
        let en = Lang::En;
        let d = diagnose(
            SHARED,
            SIGNED,
            "Android MicroMessenger",
            "config:invalid signature",
            en,
        );
        assert!(d.contains("the page signed https://a.example/x?from=singlemessage but the client verified https://a.example/x?from=singlemessage&isappinstalled=0"), "{d}");
        assert!(d.contains("isappinstalled=0"));
        let ios = diagnose(
            "https://a.example/y",
            "https://a.example/x",
            "iPhone MicroMessenger",
            "config:invalid signature",
            en,
        );
        assert!(ios.contains("iOS"), "{ios}");
        let same = diagnose(
            "https://a.example/x",
            "https://a.example/x",
            "",
            "config:invalid signature",
            en,
        );
        assert!(same.contains("ticket"), "{same}");
        assert!(diagnose("", "", "", "config:invalid url domain", en).contains("safe domains"));
        let refused = diagnose("", "", "", "config:something odd", en);
        assert!(refused.contains("config:something odd"), "{refused}");
    }

    #[test]
    fn diagnoses_are_in_chinese_too() {
        let zh = Lang::ZhCn;
        let d = diagnose(
            SHARED,
            SIGNED,
            "Android MicroMessenger",
            "config:invalid signature",
            zh,
        );
        assert!(d.contains(SIGNED) && d.contains(SHARED), "{d}");
        assert!(
            d.contains("isappinstalled=0") && d.contains("location.href.split('#')[0]"),
            "{d}"
        );
        assert!(d.contains("客户端校验"), "{d}");
        let ios = diagnose(
            "https://a.example/y",
            "https://a.example/x",
            "iPhone MicroMessenger",
            "config:invalid signature",
            zh,
        );
        assert!(
            ios.contains("iOS") && ios.contains("https://a.example/y"),
            "{ios}"
        );
        let same = diagnose(
            "https://a.example/x",
            "https://a.example/x",
            "",
            "config:invalid signature",
            zh,
        );
        assert!(
            same.contains("jsapi_ticket") && same.contains("https://a.example/x"),
            "{same}"
        );
        assert!(diagnose("", "", "", "config:invalid url domain", zh).contains("安全域名"));
        let refused = diagnose("", "", "", "config:something odd", zh);
        assert!(refused.contains("config:something odd"), "{refused}");
        for d in [d, ios, same, refused] {
            assert!(app::i18n::has_cjk(&d), "{d}");
        }
    }

    #[test]
    fn diagnosis_texts_are_in_both_languages() {
        let problems = app::i18n::check_catalogue("diagnosis", t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
