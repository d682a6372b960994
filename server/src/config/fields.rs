//! One parser per account field, used both by the environment
//! ([`super::Config::from_map`]) and by the dashboard's Account page
//! (`accounts::Account::save`), so that a value is accepted or refused by the
//! same rule wherever it comes from. Each returns the normalised value, or
//! what was expected (the caller names the variable or the form field).

use super::{AccountKind, TokenMode};

/// What a parser expected, in words for the person who typed the value.
pub type Expected = &'static str;

fn plain_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// An Official Account AppID.
pub fn app_id(s: &str) -> Result<String, Expected> {
    let s = s.trim();
    plain_id(s)
        .then(|| s.to_string())
        .ok_or("letters and digits, e.g. wx1234567890abcdef")
}

/// A WeCom corp ID.
pub fn corp_id(s: &str) -> Result<String, Expected> {
    let s = s.trim();
    plain_id(s)
        .then(|| s.to_string())
        .ok_or("letters and digits, e.g. ww1234567890abcdef")
}

/// A WeCom agent (application) ID.
pub fn agent_id(s: &str) -> Result<String, Expected> {
    let s = s.trim();
    (!s.is_empty() && s.len() <= 20 && s.chars().all(|c| c.is_ascii_digit()))
        .then(|| s.to_string())
        .ok_or("digits, e.g. 1000002")
}

/// The JS interface safe domains: names separated by commas, spaces or new
/// lines, lower-cased; each a host name without scheme, port or path.
pub fn js_domains(s: &str) -> Result<Vec<String>, Expected> {
    let list: Vec<String> = s
        .split([',', '\n', ' '])
        .map(|d| d.trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .collect();
    let host = |d: &String| {
        d.len() <= 253
            && d.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    };
    (!list.is_empty() && list.iter().all(host))
        .then_some(list)
        .ok_or("one or more domain names, separated by commas, without scheme, port or path")
}

/// How the access_token is fetched.
pub fn token_mode(s: &str) -> Result<TokenMode, Expected> {
    match s.trim() {
        "client_credential" => Ok(TokenMode::ClientCredential),
        "stable" => Ok(TokenMode::Stable),
        _ => Err("client_credential or stable"),
    }
}

/// Whose pages these are.
pub fn account_kind(s: &str) -> Result<AccountKind, Expected> {
    match s.trim() {
        "official" => Ok(AccountKind::Official),
        "wecom" => Ok(AccountKind::WeCom),
        _ => Err("official or wecom"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_each_field() {
        assert_eq!(app_id(" wx1234 ").unwrap(), "wx1234");
        assert!(app_id("wx-1").is_err() && app_id("").is_err());
        assert!(app_id(&"a".repeat(65)).is_err());
        assert_eq!(agent_id("1000002").unwrap(), "1000002");
        assert!(agent_id("10a").is_err());
        assert_eq!(
            js_domains("H5.Example.com, b.example.com\nc.example.com").unwrap(),
            ["h5.example.com", "b.example.com", "c.example.com"]
        );
        for bad in [
            "",
            "https://h5.example.com",
            "h5.example.com:8443",
            "a/b",
            "a_b",
        ] {
            assert!(js_domains(bad).is_err(), "{bad}");
        }
        assert_eq!(token_mode("stable").unwrap(), TokenMode::Stable);
        assert!(token_mode("Stable").is_err());
        assert_eq!(account_kind("wecom").unwrap(), AccountKind::WeCom);
        assert!(account_kind("corp").is_err());
    }
}
