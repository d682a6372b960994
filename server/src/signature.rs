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
    let prefix = authority_prefix(url);
    if ACCEPTED.with_borrow(|(p, d)| p == prefix && d == js_domains) {
        return Ok(url);
    }
    let parsed =
        url::Url::parse(prefix).map_err(|e| UrlError::Unparsable(shorten(url), e.to_string()))?;
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
    ACCEPTED.with_borrow_mut(|(p, d)| {
        p.clear();
        p.push_str(prefix);
        d.clear();
        d.extend_from_slice(js_domains);
    });
    Ok(url)
}

thread_local! {
    /// The last scheme-and-authority prefix [`page_url`] accepted on this
    /// thread, with the safe domains it was accepted under: a site's pages
    /// share one, so most signatures skip parsing it again (the verdict is a
    /// function of the two; a prefix is at most [`MAX_URL_BYTES`]).
    static ACCEPTED: std::cell::RefCell<(String, Vec<String>)> =
        const { std::cell::RefCell::new((String::new(), Vec::new())) };
}

/// What [`page_url`] reads the scheme and host from: `url` up to and
/// including the character that ends its authority. Under the WHATWG URL
/// Standard (which the `url` crate and browsers implement), the authority of
/// an http(s) URL is what follows the scheme's colon and any slashes or
/// backslashes after it, up to the next slash, backslash, `?` or `#` (cut
/// before this is called); tabs and newlines are ignored wherever they are.
/// The path and the query never make such a URL unparsable and never change
/// its host, so parsing this prefix gives the same verdict as parsing the
/// whole URL (`prefix_gives_the_whole_url_verdict` checks it, every ASCII
/// character at every position of a few URLs included) without serializing
/// a copy of the whole URL on every signature. The terminator is kept: the
/// parser strips spaces and control characters from the ends of its input,
/// so a prefix ending just before it could lose a character that makes the
/// whole URL's host invalid. Other schemes are refused either way.
fn authority_prefix(url: &str) -> &str {
    let Some(colon) = url.find(':') else {
        return url;
    };
    let rest = &url[colon + 1..];
    let slashes = rest.len() - rest.trim_start_matches(['/', '\\', '\t', '\n', '\r']).len();
    match rest[slashes..].find(['/', '\\', '?']) {
        // The terminator is one ASCII byte.
        Some(end) => &url[..=colon + 1 + slashes + end],
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
mod tests;
