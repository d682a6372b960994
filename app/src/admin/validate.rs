//! The validation of page forms, shared by the editor island (as one types)
//! and the server (before it saves): every problem is named with its field.
//! Link hosts are parsed as a browser parses them.

use super::PageForm;
use crate::error::FieldError;
use crate::scope::AUTH_SCOPES;

fn host_allowed(host: &str, domains: &[String]) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    domains
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// The (scheme, host) of an absolute URL, as a browser parses it (the WHATWG
/// URL standard: a `\\` in the authority, `user@host`, percent-encoding and IDN
/// are resolved as WeChat's webview resolves them). In the browser the
/// browser's own parser (no extra KB of WASM); on the server the `url` crate.
fn scheme_and_host(url: &str) -> Option<(String, String)> {
    #[cfg(target_arch = "wasm32")]
    {
        let u = web_sys::Url::new(url).ok()?;
        let scheme = u.protocol().trim_end_matches(':').to_string();
        let host = u.hostname();
        (!host.is_empty()).then_some((scheme, host))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let u = url::Url::parse(url).ok()?;
        let host = u.host_str()?.to_string();
        Some((u.scheme().to_string(), host))
    }
}

/// Checks a page form; every problem is named with its field.
pub fn validate_page(form: &PageForm, js_domains: &[String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut bad = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_string(),
            message,
        })
    };
    let slug = form.slug.trim();
    if slug.is_empty() || slug.len() > 64 {
        bad("slug", "1 to 64 characters".into());
    } else if !slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || slug.starts_with('-')
    {
        bad("slug", "lower-case letters, digits and `-` only".into());
    }
    for (field, value, max, required) in [
        ("title", &form.title, 64, true),
        ("body", &form.body, 4000, false),
        ("share_title", &form.share_title, 64, false),
        ("share_desc", &form.share_desc, 120, false),
        ("timeline_title", &form.timeline_title, 64, false),
    ] {
        let n = value.chars().count();
        if required && value.trim().is_empty() {
            bad(field, "required".into());
        } else if n > max {
            bad(field, format!("at most {max} characters (now {n})"));
        }
    }
    if !AUTH_SCOPES.contains(&form.auth_scope.as_str()) {
        bad("auth_scope", "none, snsapi_base or snsapi_userinfo".into());
    }
    let unknown: Vec<&str> = form
        .js_api_list
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty() && !crate::backend::is_known_api(a))
        .collect();
    if !unknown.is_empty() {
        bad(
            "js_api_list",
            format!("not JS-SDK APIs: {}", unknown.join(", ")),
        );
    }
    for field in ["share_link", "timeline_link"] {
        let value = if field == "share_link" {
            &form.share_link
        } else {
            &form.timeline_link
        };
        if value.is_empty() {
            continue;
        }
        let parsed = scheme_and_host(value);
        match parsed.as_ref().map(|(s, h)| (s.as_str(), h.as_str())) {
            _ if value.len() > 1024 => bad(field, "at most 1024 characters".into()),
            Some(("http" | "https", host)) if host_allowed(host, js_domains) => {}
            Some(("http" | "https", host)) => bad(
                field,
                format!(
                    "the link's host `{host}` is not a JS interface safe domain ({})",
                    js_domains.join(", ")
                ),
            ),
            _ => bad(field, "an absolute http(s) URL".into()),
        }
    }
    for field in ["share_image", "timeline_image"] {
        let value = if field == "share_image" {
            &form.share_image
        } else {
            &form.timeline_image
        };
        if value.is_empty() {
            continue;
        }
        match scheme_and_host(value).as_ref().map(|(s, _)| s.as_str()) {
            _ if value.len() > 1024 => bad(field, "at most 1024 characters".into()),
            Some("http" | "https") => {}
            _ => bad(field, "an absolute http(s) image URL".into()),
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PageForm {
        PageForm {
            slug: "spring-sale".into(),
            title: "Spring sale".into(),
            auth_scope: "none".into(),
            js_api_list: "updateAppMessageShareData,checkJsApi".into(),
            ..PageForm::default()
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_good_form_passes() {
        let mut f = form();
        f.share_link = "https://h5.example.com/p/spring-sale?x=1".into();
        f.timeline_link = "https://m.h5.example.com:8443/x".into();
        f.share_image = "https://cdn.other.example/a.png".into();
        assert_eq!(validate_page(&f, &["h5.example.com".into()]), vec![]);
    }

    #[test]
    fn each_problem_is_named_with_its_field() {
        let mut f = form();
        f.slug = "Spring Sale".into();
        f.title = "".into();
        f.share_title = "长".repeat(65);
        f.share_link = "https://evil.example/x".into();
        f.timeline_link = "javascript:alert(1)".into();
        f.share_image = "/relative.png".into();
        f.js_api_list = "updateAppMessageShareData,noSuchApi".into();
        f.auth_scope = "admin".into();
        let errors = validate_page(&f, &["h5.example.com".into()]);
        assert_eq!(
            fields(&errors),
            vec![
                "slug",
                "title",
                "share_title",
                "auth_scope",
                "js_api_list",
                "share_link",
                "timeline_link",
                "share_image"
            ]
        );
        assert!(errors[5].message.contains("evil.example"));
    }

    #[test]
    fn a_lookalike_host_is_not_a_subdomain() {
        let mut f = form();
        f.share_link = "https://evilh5.example.com/".into();
        assert_eq!(
            fields(&validate_page(&f, &["h5.example.com".into()])),
            vec!["share_link"]
        );
        f.share_link = "https://h5.example.com@evil.example/".into();
        assert_eq!(
            fields(&validate_page(&f, &["h5.example.com".into()])),
            vec!["share_link"]
        );
    }

    #[test]
    fn a_backslash_in_the_authority_cannot_smuggle_another_host() {
        // A browser reads `\` as `/`: the host of these is evil.example.
        for link in [
            "https://evil.example\\@h5.example.com/",
            "https://evil.example\\.h5.example.com/",
            "https:\\\\evil.example/h5.example.com",
        ] {
            let mut f = form();
            f.share_link = link.into();
            let errors = validate_page(&f, &["h5.example.com".into()]);
            assert_eq!(fields(&errors), vec!["share_link"], "{link}");
        }
        let mut f = form();
        f.share_link = "https://H5.Example.COM./p".into();
        assert_eq!(
            fields(&validate_page(&f, &["h5.example.com".into()])),
            Vec::<&str>::new()
        );
    }
}
