//! Why a page's `wx.config` failed, in plain words, from what the page
//! reported (the dashboard's config-failure reports carry it). Pure: it reads
//! only its arguments. What the `errMsg` means is [`ConfigErrMsg`]'s call,
//! the same reading the page's own notice makes.

use app::wx::ConfigErrMsg;

/// Why a page's config failed, in plain words, from what it reported.
pub fn diagnose(page_url: &str, signed_url: &str, user_agent: &str, err_msg: &str) -> String {
    let ios = ["iPhone", "iPad", "iPod"]
        .iter()
        .any(|d| user_agent.contains(d));
    match ConfigErrMsg::of(err_msg) {
        ConfigErrMsg::UrlDomain => return "the page's domain is not one of the account's JS interface safe domains: add it in the Official Account settings, or serve the page from one".into(),
        ConfigErrMsg::Permission => {
            return "an API was used before wx.ready, or is not in the page's jsApiList".into()
        }
        ConfigErrMsg::Signature => {}
        _ => return format!("WeChat refused the config ({err_msg})"),
    }
    let strip = |u: &str| u.split('#').next().unwrap_or_default().to_string();
    let (page, signed) = (strip(page_url), strip(signed_url));
    if page == signed {
        return format!(
            "the page signed {signed}, the URL the client verified, so the ticket was the problem: it was replaced (another system fetched a new access_token, or the cache is not shared by every process) or the signature was computed with another nonce or timestamp than the config carried"
        );
    }
    let query = |u: &str| -> Vec<String> {
        u.split_once('?')
            .map(|(_, q)| q.split('&').map(str::to_string).collect())
            .unwrap_or_default()
    };
    let (pq, sq) = (query(&page), query(&signed));
    let added: Vec<&String> = pq.iter().filter(|p| !sq.contains(p)).collect();
    let base = |u: &str| u.split('?').next().unwrap_or_default().to_string();
    let mut why = format!("the page signed {signed} but the client verified {page}");
    if base(&page) == base(&signed) && !added.is_empty() {
        let names: Vec<String> = added.iter().map(|s| s.to_string()).collect();
        why.push_str(&format!(
            ": the URL gained {} (WeChat appends such parameters when a page is shared); sign location.href.split('#')[0] as the page sees it",
            names.join(", ")
        ));
    } else if ios {
        why.push_str(": on iOS WeChat keeps verifying the URL the page was entered with, so sign the landing URL after a client-side route change");
    } else {
        why.push_str(": the page changed its URL (a client-side route change or a redirect) and the config was not signed again for the new URL");
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnoses_name_the_difference() {
        let d = diagnose(
            "https://a.example/x?from=singlemessage&isappinstalled=0",
            "https://a.example/x?from=singlemessage",
            "Android MicroMessenger",
            "config:invalid signature",
        );
        assert!(d.contains("the page signed https://a.example/x?from=singlemessage but the client verified https://a.example/x?from=singlemessage&isappinstalled=0"), "{d}");
        assert!(d.contains("isappinstalled=0"));
        let ios = diagnose(
            "https://a.example/y",
            "https://a.example/x",
            "iPhone MicroMessenger",
            "config:invalid signature",
        );
        assert!(ios.contains("iOS"), "{ios}");
        let same = diagnose(
            "https://a.example/x",
            "https://a.example/x",
            "",
            "config:invalid signature",
        );
        assert!(same.contains("ticket"), "{same}");
        assert!(diagnose("", "", "", "config:invalid url domain").contains("safe domains"));
    }
}
