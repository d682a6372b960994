//! The validation of page forms, shared by the editor island (as one types)
//! and the server (before it saves): every problem is named with its field.
//! Link hosts are parsed as a browser parses them. The messages are in the
//! admin's language: the caller passes them ([`check_t::texts`], built by the
//! server), so the words stay out of the editor's WASM.

use super::PageForm;
use crate::error::FieldError;
use crate::scope::AUTH_SCOPES;

/// The messages of [`validate_page`] (an island catalogue: the editor gets
/// them as a prop, the server builds them for the admin's language).
pub mod check_t {
    crate::island_texts! {
        SLUG_LENGTH: "1 到 64 个字符", "1 to 64 characters";
        SLUG_CHARS: "只能包含小写字母、数字和 `-`", "lower-case letters, digits and `-` only";
        REQUIRED: "必填", "required";
        TOO_LONG: "最多 {max} 个字符（现在 {n} 个）", "at most {max} characters (now {n})";
        URL_TOO_LONG: "最多 {max} 个字符", "at most {max} characters";
        AUTH_SCOPE: "只能是 none、snsapi_base 或 snsapi_userinfo", "none, snsapi_base or snsapi_userinfo";
        NOT_APIS: "不是 JS-SDK 接口：{list}", "not JS-SDK APIs: {list}";
        NOT_SAFE_DOMAIN: "链接的域名 `{host}` 不是JS接口安全域名（{domains}）", "the link's host `{host}` is not a JS interface safe domain ({domains})";
        NOT_URL: "请填写以 http:// 或 https:// 开头的完整网址", "an absolute http(s) URL";
        NOT_IMAGE_URL: "请填写以 http:// 或 https:// 开头的完整图片网址", "an absolute http(s) image URL";
    }
}

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

/// Checks a page form; every problem is named with its field, in the
/// language of `texts`.
pub fn validate_page(
    form: &PageForm,
    js_domains: &[String],
    texts: &check_t::Texts,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut bad = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_string(),
            message,
        })
    };
    let slug = form.slug.trim();
    if slug.is_empty() || slug.len() > 64 {
        bad("slug", texts.get(check_t::SLUG_LENGTH).to_string());
    } else if !slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || slug.starts_with('-')
    {
        bad("slug", texts.get(check_t::SLUG_CHARS).to_string());
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
            bad(field, texts.get(check_t::REQUIRED).to_string());
        } else if n > max {
            bad(
                field,
                texts.fill(
                    check_t::TOO_LONG,
                    &[("max", &max.to_string()), ("n", &n.to_string())],
                ),
            );
        }
    }
    if !AUTH_SCOPES.contains(&form.auth_scope.as_str()) {
        bad("auth_scope", texts.get(check_t::AUTH_SCOPE).to_string());
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
            texts.fill(check_t::NOT_APIS, &[("list", &unknown.join(", "))]),
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
            _ if value.len() > 1024 => {
                bad(field, texts.fill(check_t::URL_TOO_LONG, &[("max", "1024")]))
            }
            Some(("http" | "https", host)) if host_allowed(host, js_domains) => {}
            Some(("http" | "https", host)) => bad(
                field,
                texts.fill(
                    check_t::NOT_SAFE_DOMAIN,
                    &[("host", host), ("domains", &js_domains.join(", "))],
                ),
            ),
            _ => bad(field, texts.get(check_t::NOT_URL).to_string()),
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
            _ if value.len() > 1024 => {
                bad(field, texts.fill(check_t::URL_TOO_LONG, &[("max", "1024")]))
            }
            Some("http" | "https") => {}
            _ => bad(field, texts.get(check_t::NOT_IMAGE_URL).to_string()),
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn en() -> check_t::Texts {
        check_t::texts(Lang::En)
    }

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
        assert_eq!(validate_page(&f, &["h5.example.com".into()], &en()), vec![]);
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
        let errors = validate_page(&f, &["h5.example.com".into()], &en());
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
        assert_eq!(errors[2].message, "at most 64 characters (now 65)");
        assert!(errors[5]
            .message
            .contains("is not a JS interface safe domain (h5.example.com)"));
    }

    #[test]
    fn the_messages_are_in_the_language_of_the_texts() {
        let mut f = form();
        f.title = "".into();
        f.share_title = "长".repeat(65);
        f.share_link = "https://evil.example/x".into();
        let zh = check_t::texts(Lang::ZhCn);
        let errors = validate_page(&f, &["h5.example.com".into()], &zh);
        assert_eq!(fields(&errors), vec!["title", "share_title", "share_link"]);
        assert_eq!(errors[0].message, "必填");
        assert_eq!(errors[1].message, "最多 64 个字符（现在 65 个）");
        assert!(errors[2].message.contains("`evil.example`"));
        assert!(errors[2].message.contains("JS接口安全域名"));
        // The same problems, in English.
        let errors = validate_page(&f, &["h5.example.com".into()], &en());
        assert_eq!(errors[0].message, "required");
    }

    #[test]
    fn the_messages_are_written_in_both_languages() {
        let problems = crate::i18n::check_catalogue("check", check_t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn a_lookalike_host_is_not_a_subdomain() {
        let mut f = form();
        f.share_link = "https://evilh5.example.com/".into();
        assert_eq!(
            fields(&validate_page(&f, &["h5.example.com".into()], &en())),
            vec!["share_link"]
        );
        f.share_link = "https://h5.example.com@evil.example/".into();
        assert_eq!(
            fields(&validate_page(&f, &["h5.example.com".into()], &en())),
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
            let errors = validate_page(&f, &["h5.example.com".into()], &en());
            assert_eq!(fields(&errors), vec!["share_link"], "{link}");
        }
        let mut f = form();
        f.share_link = "https://H5.Example.COM./p".into();
        assert_eq!(
            fields(&validate_page(&f, &["h5.example.com".into()], &en())),
            Vec::<&str>::new()
        );
    }
}
