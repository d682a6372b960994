//! Signatures WeChat checks: the JS-SDK config signature (Appendix 1), the card
//! `cardExt` and `cardSign` signatures (Appendix 4), the message-server
//! `echostr` check, and the rules for which page URLs may be signed at all.

use rand::distr::{Alphanumeric, SampleString};
use sha1::{Digest, Sha1};

/// Longest page URL wxkit signs.
pub const MAX_URL_BYTES: usize = 4096;

fn sha1_hex(input: &str) -> String {
    hex::encode(Sha1::digest(input.as_bytes()))
}

/// 16 characters of `[A-Za-z0-9]` from the thread's CSPRNG.
pub fn nonce() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 16)
}

/// The exact string the JS-SDK config signature is computed over: the four
/// fields sorted by name (ASCII), `key=value` joined by `&`, values raw.
pub fn jsapi_string(ticket: &str, noncestr: &str, timestamp: i64, url: &str) -> String {
    let timestamp = timestamp.to_string();
    let mut fields = [
        ("noncestr", noncestr),
        ("jsapi_ticket", ticket),
        ("url", url),
        ("timestamp", timestamp.as_str()),
    ];
    fields.sort_by(|a, b| a.0.cmp(b.0));
    fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `wx.config` (and `wx.agentConfig`) signature: SHA-1 hex of [`jsapi_string`].
pub fn jsapi_signature(ticket: &str, noncestr: &str, timestamp: i64, url: &str) -> String {
    sha1_hex(&jsapi_string(ticket, noncestr, timestamp, url))
}

/// The card signature rule: the non-empty VALUES, sorted as strings,
/// concatenated with no separator, SHA-1 hex.
pub fn card_signature(values: &[&str]) -> String {
    let mut values: Vec<&str> = values.iter().copied().filter(|v| !v.is_empty()).collect();
    values.sort_unstable();
    sha1_hex(&values.concat())
}

/// The signed fields of a `cardExt` (for `wx.addCard`).
#[derive(Debug, Clone, Default)]
pub struct CardExtFields<'a> {
    pub api_ticket: &'a str,
    pub timestamp: i64,
    pub card_id: &'a str,
    pub code: &'a str,
    pub openid: &'a str,
    pub nonce_str: &'a str,
}

/// `cardExt` signature over api_ticket, timestamp, card_id, code, openid, nonce_str.
pub fn card_ext_signature(f: &CardExtFields<'_>) -> String {
    let ts = f.timestamp.to_string();
    card_signature(&[f.api_ticket, &ts, f.card_id, f.code, f.openid, f.nonce_str])
}

/// The signed fields of a `cardSign` (for `wx.chooseCard`).
#[derive(Debug, Clone, Default)]
pub struct CardSignFields<'a> {
    pub api_ticket: &'a str,
    pub app_id: &'a str,
    pub location_id: &'a str,
    pub timestamp: i64,
    pub nonce_str: &'a str,
    pub card_id: &'a str,
    pub card_type: &'a str,
}

/// `cardSign` over api_ticket, app_id, location_id, timestamp, nonce_str, card_id, card_type.
pub fn card_sign(f: &CardSignFields<'_>) -> String {
    let ts = f.timestamp.to_string();
    card_signature(&[
        f.api_ticket,
        f.app_id,
        f.location_id,
        &ts,
        f.nonce_str,
        f.card_id,
        f.card_type,
    ])
}

/// The message-server URL check: `sha1(sort([token, timestamp, nonce]).join(""))`
/// must equal `signature`.
pub fn check_echostr(token: &str, timestamp: &str, nonce: &str, signature: &str) -> bool {
    !signature.is_empty() && same(&card_signature(&[token, timestamp, nonce]), signature)
}

/// `a == b` in time that does not depend on where they differ (only on their
/// lengths): for a secret or a signature compared with what a request sent.
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Why a page URL is not signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("the URL is empty")]
    Empty,
    #[error("the URL is {0} bytes long; at most {MAX_URL_BYTES} are signed")]
    TooLong(usize),
    #[error("`{0}` is not a URL: {1}")]
    Unparsable(String, String),
    #[error("only http and https pages can be signed, not `{0}:`")]
    Scheme(String),
    #[error("the URL has no host")]
    NoHost,
    #[error("`{0}` is not one of the JS interface safe domains ({1}); WeChat answers `invalid url domain`")]
    Domain(String, String),
}

/// A page URL that is not signed is the caller's mistake (400).
impl From<UrlError> for app::error::ApiError {
    fn from(e: UrlError) -> Self {
        app::error::ApiError::bad_request(e.to_string())
    }
}

/// Checks a page URL and returns exactly what is signed: the URL without `#`
/// and everything after it. Refuses non-http(s) URLs, URLs without a host, URLs
/// over [`MAX_URL_BYTES`], and hosts that are neither a safe domain nor a
/// subdomain of one.
pub fn page_url<'a>(raw: &'a str, js_domains: &[String]) -> Result<&'a str, UrlError> {
    let url = raw.split('#').next().unwrap_or_default().trim();
    if url.is_empty() {
        return Err(UrlError::Empty);
    }
    if url.len() > MAX_URL_BYTES {
        return Err(UrlError::TooLong(url.len()));
    }
    let parsed = url::Url::parse(authority_prefix(url))
        .map_err(|e| UrlError::Unparsable(shorten(url), e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(UrlError::Scheme(parsed.scheme().to_string()));
    }
    let host = match parsed.host_str() {
        Some(h) if !h.is_empty() => h.trim_start_matches('[').trim_end_matches(']'),
        _ => return Err(UrlError::NoHost),
    };
    if !host_allowed(host, js_domains) {
        return Err(UrlError::Domain(host.to_string(), js_domains.join(", ")));
    }
    Ok(url)
}

/// What [`page_url`] reads the scheme and host from: `url` up to where its
/// authority ends. Under the WHATWG URL Standard (which the `url` crate and
/// browsers implement), the authority of an http(s) URL is what follows the
/// scheme's colon and any slashes or backslashes after it, up to the next
/// `/`, `\`, `?` or `#` (cut before this is called); tabs and newlines are
/// ignored wherever they are. The path and the query never make such a URL
/// unparsable and never change its host, so parsing this prefix answers as
/// parsing the whole URL does (`prefix_parses_as_the_whole_url` checks that
/// on a corpus of tricky URLs) without serializing a copy of the whole URL on
/// every signature. Other schemes are refused either way.
fn authority_prefix(url: &str) -> &str {
    let Some(colon) = url.find(':') else {
        return url;
    };
    let rest = &url[colon + 1..];
    let slashes = rest.len() - rest.trim_start_matches(['/', '\\', '\t', '\n', '\r']).len();
    match rest[slashes..].find(['/', '\\', '?']) {
        Some(end) => &url[..colon + 1 + slashes + end],
        None => url,
    }
}

/// A host is allowed when it equals a safe domain or is a subdomain of one.
pub fn host_allowed(host: &str, js_domains: &[String]) -> bool {
    let host = host.to_ascii_lowercase();
    js_domains.iter().any(|d| {
        let d = d.to_ascii_lowercase();
        host == d || host.strip_suffix(&d).is_some_and(|p| p.ends_with('.'))
    })
}

fn shorten(s: &str) -> String {
    s.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
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
        let schemes = [
            "http:",
            "HTTPS:",
            "https:",
            "ftp:",
            "javascript:",
            "",
            "1http:",
            " http:",
        ];
        let slashes = ["//", "", "/", "\\\\", "/\\", "///", "/\t/", "\n//"];
        let authorities = [
            "mp.example.com",
            "MP.Example.COM:8080",
            "user:pass@evil.example@mp.example.com",
            "evil.example\\@mp.example.com",
            "evil.example?@mp.example.com",
            "[::1]:3000",
            "[::1",
            "127.0.0.1",
            "0x7f.1",
            "999.1.1.1",
            "例子.测试",
            "xn--fsqu00a.xn--0zwm56d",
            "ho%41st.example",
            "bad host.example",
            "mp.example.com:99999",
            "mp.example.com:",
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
        ];
        let mut checked = 0;
        for scheme in schemes {
            for slash in slashes {
                for authority in authorities {
                    for tail in tails {
                        let url = format!("{scheme}{slash}{authority}{tail}");
                        assert_eq!(
                            verdict(authority_prefix(&url)),
                            verdict(&url),
                            "{url:?} (prefix {:?})",
                            authority_prefix(&url)
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 8 * 8 * 19 * 7);
    }

    #[test]
    fn official_jsapi_vector() {
        let ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
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
    fn page_url_rules() {
        let d = vec!["example.com".to_string(), "127.0.0.1".to_string()];
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
        let cn =
            "https://example.com/p?name=%E4%B8%AD%E6%96%87&from=singlemessage&isappinstalled=0";
        assert_eq!(page_url(cn, &d), Ok(cn));
    }
}
