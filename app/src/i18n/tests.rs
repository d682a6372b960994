//! The catalogue checks and the language choice, tested.

use super::*;

const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0 Mobile Safari/537.36 XWEB/1160117 MMWEBSDK/20240301 MMWEBID/1234 MicroMessenger/8.0.48.2580(0x28003036) WeChat/arm64 Weixin NetType/WIFI Language/en ABI/arm64";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.48(0x18003029) NetType/4G Language/zh_TW";

#[test]
fn wechat_says_which_language_its_user_reads() {
    assert_eq!(Lang::from_wechat_user_agent(ANDROID), Some(Lang::En));
    assert_eq!(Lang::from_wechat_user_agent(IPHONE), Some(Lang::ZhCn));
    let zh_cn = IPHONE.replace("zh_TW", "zh_CN");
    assert_eq!(Lang::from_wechat_user_agent(&zh_cn), Some(Lang::ZhCn));
    // Not WeChat, or no field, or a language wxkit does not speak.
    assert_eq!(
        Lang::from_wechat_user_agent("Mozilla/5.0 Language/en"),
        None
    );
    assert_eq!(Lang::from_wechat_user_agent("MicroMessenger/8.0"), None);
    let inside = IPHONE.replace(" Language/zh_TW", " XLanguage/en");
    assert_eq!(Lang::from_wechat_user_agent(&inside), None);
    let fr = ANDROID.replace("Language/en", "Language/fr");
    assert_eq!(Lang::from_wechat_user_agent(&fr), None);
}

#[test]
fn accept_language_is_read_by_weight() {
    let cases = [
        ("en-US,en;q=0.9,zh-CN;q=0.8", Some(Lang::En)),
        ("zh-CN,zh;q=0.9,en;q=0.8", Some(Lang::ZhCn)),
        ("fr-FR, en;q=0.5, zh;q=0.7", Some(Lang::ZhCn)),
        ("zh-Hant-TW", Some(Lang::ZhCn)),
        ("de, fr;q=0.9", None),
        ("en;q=0, zh;q=0.1", Some(Lang::ZhCn)),
        ("en;q=abc", None),
        ("en;q=1.5", None),
        ("en;Q=0.1, zh;q=0.5", Some(Lang::ZhCn)),
        ("EN-gb", Some(Lang::En)),
        ("", None),
        ("*", None),
    ];
    for (header, expected) in cases {
        assert_eq!(Lang::from_accept_language(header), expected, "{header}");
    }
    // Only the first 16 entries are read.
    let long = format!("{}en", "de,".repeat(16));
    assert_eq!(Lang::from_accept_language(&long), None);
}

#[test]
fn wechat_comes_first_then_the_browser_then_chinese() {
    assert_eq!(Lang::negotiate(ANDROID, "zh-CN"), Lang::En);
    assert_eq!(Lang::negotiate("Mozilla/5.0 Chrome", "en-US"), Lang::En);
    assert_eq!(Lang::negotiate("Mozilla/5.0 Chrome", "fr"), Lang::ZhCn);
    assert_eq!(Lang::negotiate("", ""), Lang::ZhCn);
    let request = |ua: &str, accept: &str| {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::USER_AGENT, ua.parse().unwrap());
        headers.insert(http::header::ACCEPT_LANGUAGE, accept.parse().unwrap());
        Lang::of_request(&headers)
    };
    assert_eq!(request(ANDROID, "zh"), Lang::En);
    assert_eq!(request(IPHONE, "en"), Lang::ZhCn);
    assert_eq!(request("Chrome", "zh-CN,en"), Lang::ZhCn);
    assert_eq!(request("Chrome", "en-US"), Lang::En);
    assert_eq!(Lang::of_request(&http::HeaderMap::new()), Lang::ZhCn);
}

/// Every catalogue of the app: what the type system cannot check.
#[test]
fn every_catalogue_is_written_in_both_languages() {
    // The dashboard's pages each check their own (their modules are private).
    let catalogues: [(&str, &[(&str, Text)]); 13] = [
        ("pages", crate::pages::t::ALL),
        ("pages::status_t", crate::pages::status_t::ALL),
        ("share", crate::share::t::ALL),
        ("runtime", crate::runtime::t::ALL),
        ("media", crate::media::t::ALL),
        ("voice", crate::voice::t::ALL),
        ("cards", crate::cards::t::ALL),
        ("dashboard", crate::dashboard::t::ALL),
        ("editor", crate::editor::t::ALL),
        ("debugger", crate::debugger::t::ALL),
        ("admin", crate::admin::t::ALL),
        ("admin::check_t", crate::admin::check_t::ALL),
        ("playground", crate::playground::t::ALL),
    ];
    let mut problems = Vec::new();
    for (module, texts) in catalogues {
        assert!(!texts.is_empty(), "{module}");
        problems.extend(check_catalogue(module, texts));
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // The checks themselves catch what they are for.
    let bad = [
        (
            "UNTRANSLATED",
            Text {
                zh: "Record",
                en: "Record",
            },
        ),
        (
            "SWAPPED",
            Text {
                zh: "录音",
                en: "录音",
            },
        ),
        (
            "PLACEHOLDER",
            Text {
                zh: "{n} 张",
                en: "{count} photos",
            },
        ),
    ];
    assert_eq!(check_catalogue("bad", &bad).len(), 3);
    // Placeholders and punctuation alone are neutral; one English word is not.
    let neutral = Text {
        zh: "{err}（{why}）",
        en: "{err} ({why})",
    };
    assert!(check_catalogue("neutral", &[("N", neutral)]).is_empty());
    let word = Text {
        zh: "{err} failed",
        en: "{err} failed",
    };
    assert_eq!(check_catalogue("word", &[("W", word)]).len(), 1);
}

#[test]
fn placeholders_are_filled_in_either_language() {
    let t = Text {
        zh: "正在上传第 {i} 张，共 {n} 张…",
        en: "Uploading {i} of {n}…",
    };
    assert_eq!(
        t.fill(Lang::En, &[("i", "1"), ("n", "3")]),
        "Uploading 1 of 3…"
    );
    assert_eq!(
        t.fill(Lang::ZhCn, &[("i", "1"), ("n", "3")]),
        "正在上传第 1 张，共 3 张…"
    );
}

#[test]
fn placeholders_are_filled_once() {
    assert_eq!(
        fill("{a} and {b}", &[("a", "{b}"), ("b", "2")]),
        "{b} and 2"
    );
    assert_eq!(fill("{missing} {", &[("a", "1")]), "{missing} {");
    assert_eq!(fill("价格：{n} 元", &[("n", "5")]), "价格：5 元");
}

mod demo {
    crate::island_texts! {
        ONE: "一", "one";
        TWO: "二 {n}", "two {n}";
    }
}

#[test]
fn an_island_gets_its_texts_in_one_language_and_reads_them_by_key() {
    let en = demo::texts(Lang::En);
    assert_eq!(en.get(demo::ONE), "one");
    assert_eq!(en.fill(demo::TWO, &[("n", "2")]), "two 2");
    let zh = demo::texts(Lang::ZhCn);
    assert_eq!(zh.get(demo::TWO), "二 {n}");
    // The prop is a plain list of the one language's words.
    let json = serde_json::to_string(&zh).unwrap();
    assert_eq!(json, r#"["一","二 {n}"]"#);
    let back: demo::Texts = serde_json::from_str(&json).unwrap();
    assert_eq!(back, zh);
    // A prop cut short reads as empty, never panics.
    let short: demo::Texts = serde_json::from_str(r#"["一"]"#).unwrap();
    assert_eq!(short.get(demo::TWO), "");
}

#[test]
fn tags_round_trip() {
    for lang in Lang::ALL {
        assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        let json = serde_json::to_string(&lang).unwrap();
        assert_eq!(json, format!("\"{}\"", lang.tag()));
    }
}
