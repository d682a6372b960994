//! The signature algorithms against WeChat's official vectors, and the page URL rules.

use super::*;

/// What `page_url` decides on from a parse: refused (`None`), or an
/// http(s) URL with this host.
fn verdict(url: &str) -> Option<Option<String>> {
    url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.host_str().map(str::to_string))
}

#[test]
fn prefix_gives_the_whole_url_verdict() {
    let same = |url: &str| {
        assert_eq!(
            verdict(authority_prefix(url)),
            verdict(url),
            "{url:?} (prefix {:?})",
            authority_prefix(url)
        );
    };
    let schemes = [
        "http:",
        "HTTPS:",
        "https:",
        "ftp:",
        "ws:",
        "file:",
        "javascript:",
        "",
        "1http:",
        " http:",
        "h\ttp:",
        "http\n:",
        "\u{1}http:",
    ];
    let slashes = [
        "//", "", "/", "\\\\", "/\\", "///", "/\t/", "\n//", " //", "\u{1}//", "//\r\n",
    ];
    let authorities = [
        "mp.example.com",
        "MP.Example.COM:8080",
        "user:pass@evil.example@mp.example.com",
        "evil.example\\@mp.example.com",
        "evil.example?@mp.example.com",
        "[::1]:3000",
        "[::1",
        "[::1] ",
        "127.0.0.1",
        "0x7f.1",
        "999.1.1.1",
        "例子.测试",
        "xn--fsqu00a.xn--0zwm56d",
        "ho%41st.example",
        "bad host.example",
        "mp.example.com:99999",
        "mp.example.com:",
        "mp.example.com:443 ",
        "mp.example.com ",
        "mp.example.com\u{1}",
        "mp.example.com\u{b}",
        "mp.example.com\u{1f}",
        "mp.example.com\r",
        "mp.example.com\u{a0}",
        "mp.example.com%20",
        "mp.example.com.",
        "mp。example。com",
        "ＭＰ.example.com",
        "evil.example%40mp.example.com",
        "mp.example.com%2Fx.example",
        "evil.example@mp.example.com\u{0}",
        "",
        "@",
        "a\tb.example",
    ];
    let tails = [
        "",
        "/",
        "/p/demo?from=singlemessage&isappinstalled=0",
        "\\p\\demo",
        "?q=/\\@x.example",
        "/%zz/ünï cödé?%ff",
        "/a:b@c.example/",
        " /x",
        "\u{1}/x",
        " ?x",
        "\u{c}\\x",
    ];
    for scheme in schemes {
        for slash in slashes {
            for authority in authorities {
                for tail in tails {
                    same(&format!("{scheme}{slash}{authority}{tail}"));
                }
            }
        }
    }
    // Every ASCII character, and a few others, at every position of a few URLs.
    let seeds = [
        "https://u:p@mp.example.com:8080/x?y",
        "http://mp.example.com?a=/b",
        "http:\\\\[::1]:80\\x",
    ];
    let extra = ['\u{a0}', '。', 'Ｍ', '例', '\u{200b}'];
    for seed in seeds {
        for at in 0..=seed.len() {
            for c in (0u8..=0x7f).map(char::from).chain(extra) {
                let mut url = seed.to_string();
                url.insert(at, c);
                same(&url);
            }
        }
    }
}

#[test]
fn official_jsapi_vector() {
    let ticket =
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
    let s = jsapi_string(
        ticket,
        "Wm3WZYTPz0wzccnW",
        1414587457,
        "http://mp.weixin.qq.com?params=value",
    );
    assert_eq!(s, format!("jsapi_ticket={ticket}&noncestr=Wm3WZYTPz0wzccnW&timestamp=1414587457&url=http://mp.weixin.qq.com?params=value"));
    assert_eq!(
        jsapi_signature(
            ticket,
            "Wm3WZYTPz0wzccnW",
            1414587457,
            "http://mp.weixin.qq.com?params=value"
        ),
        "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    );
}

#[test]
fn card_ext_vector_chinese_doc() {
    let sig = card_ext_signature(&CardExtFields {
        api_ticket: "ojZ8YtyVyr30HheH3CM73y7h4jJE ",
        timestamp: 1404896688,
        card_id: "pjZ8Yt1XGILfi-FUsewpnnolGgZk",
        code: "jonyqin_1434008071",
        openid: "",
        nonce_str: "jonyqin",
    });
    assert_eq!(sig, "6b81fbf6af16e856334153b39737556063c82689");
}

#[test]
fn card_ext_vector_english_doc() {
    let sig = card_ext_signature(&CardExtFields {
        api_ticket: "ojZ8YtyVyr30HheH3CM73y7h4jJE",
        timestamp: 1404896688,
        card_id: "pjZ8Yt1XGILfi-FUsewpnnolGgZk",
        code: "1434008071",
        openid: "",
        nonce_str: "123",
    });
    assert_eq!(sig, "f137ab68b7f8112d20ee528ab6074564e2796250");
}

#[test]
fn card_sign_sorts_values_and_skips_empty_ones() {
    let f = CardSignFields {
        api_ticket: "t",
        app_id: "wx1",
        location_id: "",
        timestamp: 10,
        nonce_str: "n",
        card_id: "",
        card_type: "GROUPON",
    };
    // sorted values: "10","GROUPON","n","t","wx1"
    assert_eq!(card_sign(&f), sha1_hex("10GROUPONntwx1"));
}

#[test]
fn echostr_check() {
    let sig = sha1_hex("1409304348nonce123tok");
    assert_eq!(card_signature(&["tok", "1409304348", "nonce123"]), sig);
    assert!(check_echostr("tok", "1409304348", "nonce123", &sig));
    assert!(!check_echostr("other", "1409304348", "nonce123", &sig));
    assert!(!check_echostr("tok", "1409304348", "nonce123", ""));
    // One character off, at the start or the end; the upper-case spelling.
    let flip = |c: char| if c == '0' { '1' } else { '0' };
    let first = format!("{}{}", flip(sig.chars().next().unwrap()), &sig[1..]);
    let last = format!("{}{}", &sig[..39], flip(sig.chars().last().unwrap()));
    assert_ne!(sig.to_uppercase(), sig);
    for wrong in [first, last, sig.to_uppercase(), sig[..39].to_string()] {
        assert!(
            !check_echostr("tok", "1409304348", "nonce123", &wrong),
            "{wrong}"
        );
    }
}

#[test]
fn same_compares_whole_strings() {
    assert!(same("", ""));
    assert!(same("abc", "abc"));
    assert!(!same("abc", "abd"));
    assert!(!same("abc", "ab"));
    assert!(!same("", "a"));
}

#[test]
fn nonce_is_16_alphanumerics_and_random() {
    let a = nonce();
    assert_eq!(a.len(), 16);
    assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(a, nonce());
}

#[test]
fn an_accepted_prefix_is_remembered_only_for_its_domains() {
    let d = vec!["example.com".to_string()];
    assert_eq!(
        page_url("https://example.com/a", &d),
        Ok("https://example.com/a")
    );
    // The same prefix again, from memory; then under other domains: refused.
    assert_eq!(
        page_url("https://example.com/b", &d),
        Ok("https://example.com/b")
    );
    let other = vec!["example.org".to_string()];
    assert!(matches!(
        page_url("https://example.com/c", &other),
        Err(UrlError::Domain(..))
    ));
    // A refused URL is never remembered.
    assert!(page_url("https://evil.example/x", &d).is_err());
    assert!(page_url("https://evil.example/y", &d).is_err());
    assert_eq!(
        page_url("https://example.com/d", &d),
        Ok("https://example.com/d")
    );
}

#[test]
fn page_url_rules() {
    let d = vec!["example.com".to_string(), "127.0.0.1".to_string()];
    // A space ends no host: the whole URL is unparsable, and so is its prefix.
    assert!(matches!(
        page_url("https://example.com /p", &d),
        Err(UrlError::Unparsable(..))
    ));
    assert_eq!(
        page_url("https://example.com/a?b=1#frag", &d),
        Ok("https://example.com/a?b=1")
    );
    assert_eq!(
        page_url("http://h5.example.com/x", &d),
        Ok("http://h5.example.com/x")
    );
    assert_eq!(
        page_url("http://127.0.0.1:3000/", &d),
        Ok("http://127.0.0.1:3000/")
    );
    assert!(matches!(
        page_url("https://badexample.com/", &d),
        Err(UrlError::Domain(..))
    ));
    assert!(matches!(
        page_url("https://example.com.evil.org/", &d),
        Err(UrlError::Domain(..))
    ));
    assert!(matches!(
        page_url("ftp://example.com/", &d),
        Err(UrlError::Scheme(_))
    ));
    assert!(matches!(
        page_url("javascript:alert(1)", &d),
        Err(UrlError::Scheme(_))
    ));
    assert!(matches!(
        page_url("/relative", &d),
        Err(UrlError::Unparsable(..))
    ));
    assert!(matches!(page_url("#only", &d), Err(UrlError::Empty)));
    let long = format!("https://example.com/{}", "a".repeat(MAX_URL_BYTES));
    assert!(matches!(page_url(&long, &d), Err(UrlError::TooLong(_))));
    // signed exactly as given: no re-encoding of the query
    let cn = "https://example.com/p?name=%E4%B8%AD%E6%96%87&from=singlemessage&isappinstalled=0";
    assert_eq!(page_url(cn, &d), Ok(cn));
}
