//! The configuration read from maps of settings: defaults, every refusal
//! names its variable, secrets stay out of messages.

use super::*;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn simulate_alone_has_working_defaults() {
    let c = Config::from_map(&map(&[("simulate", "1")])).unwrap();
    assert_eq!(c.app_id, SIM_APP_ID);
    assert_eq!(c.js_domains, vec!["127.0.0.1", "localhost"]);
    assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
    assert!(c.database_url.starts_with("sqlite://data/"));
    assert_eq!(
        c.wechat_api_base("http://127.0.0.1:3000"),
        "http://127.0.0.1:3000/_sim/api"
    );
    assert!(c.wecom.is_some());
}

#[test]
fn production_needs_account_and_origin() {
    let e = Config::from_map(&map(&[])).unwrap_err().to_string();
    assert!(e.starts_with("WXKIT_PUBLIC_ORIGIN"), "{e}");
    let e = Config::from_map(&map(&[("public_origin", "https://h5.example.com")]))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("WXKIT_APP_ID"), "{e}");
    let c = Config::from_map(&map(&[
        ("public_origin", "https://h5.example.com/"),
        ("app_id", "wx1234567890abcdef"),
        ("app_secret", "s3cr3t"),
    ]))
    .unwrap();
    assert_eq!(c.public_origin.as_deref(), Some("https://h5.example.com"));
    assert_eq!(c.js_domains, vec!["h5.example.com"]);
    assert_eq!(c.wechat_api_base("x"), "https://api.weixin.qq.com");
    assert!(
        !format!("{c:?}").contains("s3cr3t"),
        "Debug must not print the secret"
    );
}

#[test]
fn bad_values_name_their_variable() {
    let cases = [
        ("addr", "nope", "WXKIT_ADDR"),
        ("public_origin", "h5.example.com", "WXKIT_PUBLIC_ORIGIN"),
        (
            "public_origin",
            "https://h5.example.com/path",
            "WXKIT_PUBLIC_ORIGIN",
        ),
        ("database_url", "mysql://x", "WXKIT_DATABASE_URL"),
        ("token_mode", "fast", "WXKIT_TOKEN_MODE"),
        ("js_domains", "https://a.com", "WXKIT_JS_DOMAINS"),
        ("wechat_api", "ftp://x", "WXKIT_WECHAT_API"),
        ("simulate", "yes", "WXKIT_SIMULATE"),
        ("refresh_margin_secs", "-5", "WXKIT_REFRESH_MARGIN_SECS"),
    ];
    for (key, value, var) in cases {
        let e = Config::from_map(&map(&[("simulate", "1"), (key, value)]))
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with(var), "{key}={value}: {e}");
        assert!(!e.contains('\n'));
    }
}

#[test]
fn database_password_is_redacted_in_errors() {
    assert_eq!(
        redact_url("postgres://u:hunter2@h/db"),
        "postgres://u:***@h/db"
    );
}
