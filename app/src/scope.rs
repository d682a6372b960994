//! The OAuth scopes: what a page may require and what a visitor granted. The
//! one spelling of `snsapi_base` and `snsapi_userinfo` (and of a page's
//! `none`), used by the editor, the pages and the server alike; scope columns
//! and session fields store [`Scope::as_str`].
//!
//! `snsapi_userinfo` covers `snsapi_base`, never the other way round.

/// What a page requires, or what a visitor granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `snsapi_base`: silent, the openid only.
    Base,
    /// `snsapi_userinfo`: a consent page, then the profile.
    UserInfo,
}

/// A page's `auth_scope` when it requires no authorization.
pub const NO_SCOPE: &str = "none";

/// The values a page's `auth_scope` may take, as the editor offers them.
pub const AUTH_SCOPES: &[&str] = &[NO_SCOPE, Scope::Base.as_str(), Scope::UserInfo.as_str()];

impl Scope {
    /// The scope spelled `value` (`snsapi_base` or `snsapi_userinfo`).
    pub fn parse(value: &str) -> Option<Scope> {
        match value {
            "snsapi_base" => Some(Scope::Base),
            "snsapi_userinfo" => Some(Scope::UserInfo),
            _ => None,
        }
    }

    /// The scope a page's `auth_scope` requires ([`NO_SCOPE`] → `None`).
    pub fn from_page(value: &str) -> Option<Scope> {
        Scope::parse(value)
    }

    /// WeChat's spelling, as stored and as sent in the authorize URL.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::Base => "snsapi_base",
            Scope::UserInfo => "snsapi_userinfo",
        }
    }

    /// A session granted `granted` may see a page requiring `self`.
    pub fn covered_by(self, granted: &str) -> bool {
        match (self, Scope::parse(granted)) {
            (Scope::Base, Some(_)) => true,
            (Scope::UserInfo, Some(g)) => g == Scope::UserInfo,
            (_, None) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_cover_each_other_one_way() {
        assert!(Scope::Base.covered_by("snsapi_userinfo"));
        assert!(Scope::Base.covered_by("snsapi_base"));
        assert!(!Scope::UserInfo.covered_by("snsapi_base"));
        assert!(Scope::UserInfo.covered_by("snsapi_userinfo"));
        assert!(!Scope::Base.covered_by(NO_SCOPE));
        assert!(!Scope::Base.covered_by(""));
    }

    #[test]
    fn each_scope_reads_back_its_spelling() {
        for s in [Scope::Base, Scope::UserInfo] {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
            assert!(AUTH_SCOPES.contains(&s.as_str()));
        }
        assert_eq!(Scope::from_page(NO_SCOPE), None);
        assert_eq!(AUTH_SCOPES, ["none", "snsapi_base", "snsapi_userinfo"]);
    }
}
