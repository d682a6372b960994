//! The languages wxkit speaks to people, Simplified Chinese and English, and
//! how one is chosen.
//!
//! A text is a [`Text`], one field per language: a translation left out is a
//! compile error, and a key that does not exist is one too (texts are
//! constants), and its `{name}` placeholders are filled by name.
//!
//! Islands get their texts from the server, already in the page's language:
//! an island's catalogue is declared with [`island_texts!`](crate::island_texts),
//! the server renders the island with `t::texts(lang)` as a prop (an
//! [`IslandTexts`], the texts of one language in the catalogue's order), and
//! the island's code names them by key. So the WASM carries no catalogue and
//! no second language: a key is an index, the words come with the page.
//!
//! Choosing: an in-app page's pinned language, else the `Language/` field
//! WeChat puts in its user agent (`zh_CN`, `zh_TW`, `en`), else the browser's
//! `Accept-Language`, else Simplified Chinese ([`Lang::negotiate`]). The
//! dashboard: the admin's choice (kept with the admin), else the browser's.

use serde::{Deserialize, Serialize};

/// A language wxkit speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    /// Simplified Chinese (`zh-CN`); also what a Traditional Chinese
    /// reader gets, being closer than English.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Every language, in the order the dashboard offers them.
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    /// The BCP 47 tag, for `<html lang>` and storage.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language's own name (for a language menu).
    pub fn name(self) -> &'static str {
        match self {
            Lang::ZhCn => "简体中文",
            Lang::En => "English",
        }
    }

    /// The language of a tag as browsers and WeChat write them (`zh-CN`,
    /// `zh_TW`, `zh-Hans`, `en-US`, `EN`); `None` for any other language.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::ZhCn)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language WeChat's in-app browser says its user reads: the
    /// `Language/…` field of its user agent.
    pub fn from_wechat_user_agent(user_agent: &str) -> Option<Lang> {
        if !user_agent.contains("MicroMessenger") && !user_agent.contains("wxwork") {
            return None;
        }
        // The field as its own token (" Language/…"), not inside another one.
        let (_, rest) = user_agent.split_once(" Language/")?;
        Lang::from_tag(rest.split([' ', ';', ')']).next().unwrap_or(""))
    }

    /// The most preferred language of an `Accept-Language` header that
    /// wxkit speaks (entries with `q=0` are refused ones; at most the first
    /// 16 entries are read).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(u16, Lang)> = None;
        for entry in header.split(',').take(16) {
            let mut parts = entry.split(';');
            let Some(lang) = Lang::from_tag(parts.next().unwrap_or("")) else {
                continue;
            };
            let q = parts
                .find_map(|p| {
                    let p = p.trim();
                    let (name, value) = p.split_once('=')?;
                    name.trim().eq_ignore_ascii_case("q").then_some(value)
                })
                .map_or(1000, quality);
            // The first of equal weights wins, as the header orders them.
            if q > 0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// The language of a request that no page pins and no admin chose: the
    /// visitor's ([`Lang::negotiate`]) from its `User-Agent` and
    /// `Accept-Language` headers.
    pub fn of_request(headers: &http::HeaderMap) -> Lang {
        let header = |name| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        Lang::negotiate(
            header(http::header::USER_AGENT),
            header(http::header::ACCEPT_LANGUAGE),
        )
    }

    /// The language for a visitor: WeChat's, then the browser's, then
    /// Simplified Chinese.
    pub fn negotiate(user_agent: &str, accept_language: &str) -> Lang {
        Lang::from_wechat_user_agent(user_agent)
            .or_else(|| Lang::from_accept_language(accept_language))
            .unwrap_or_default()
    }
}

/// The language a signed-in admin chose for the dashboard (`None`: the
/// browser's), as the server found it for this request (its language menu
/// shows it chosen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChosenLang(pub Option<Lang>);

/// An `Accept-Language` weight in thousandths (`0.8` → 800); a malformed
/// one (`1.5`, `abc`) counts as 0 (refused).
fn quality(q: &str) -> u16 {
    let q = q.trim();
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    let thousandths = || -> Option<u16> {
        let int: u16 = match int {
            "0" => 0,
            "1" => 1000,
            _ => return None,
        };
        // RFC 9110: "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ].
        if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let frac: u16 = format!("{frac:0<3}").parse().ok()?;
        (int == 0 || frac == 0).then_some(int + frac)
    };
    thousandths().unwrap_or(0)
}

/// One text in every language wxkit speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Text {
    /// The text in `lang`.
    pub const fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::ZhCn => self.zh,
            Lang::En => self.en,
        }
    }

    /// The text in `lang` with its `{name}` placeholders replaced by
    /// `values` (`("name", value)`); the catalogue checks make sure both
    /// languages have the same placeholders.
    pub fn fill(self, lang: Lang, values: &[(&str, &str)]) -> String {
        fill(self.get(lang), values)
    }
}

/// `template` with each `{name}` replaced by its value in `values`, in one
/// pass (a value that itself contains `{…}` is left as it is); a
/// placeholder without a value stays as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// An island's texts in one language, in the order of its catalogue
/// ([`island_texts!`](crate::island_texts)): the server builds it for the
/// page's language and renders the island with it as a prop; the island
/// reads a text by its catalogue's key (`K`, so a key of another island's
/// catalogue does not compile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent, bound = "")]
pub struct IslandTexts<K> {
    texts: Vec<String>,
    #[serde(skip)]
    key: std::marker::PhantomData<K>,
}

impl<K> Default for IslandTexts<K> {
    fn default() -> Self {
        IslandTexts {
            texts: Vec::new(),
            key: std::marker::PhantomData,
        }
    }
}

impl<K: Into<usize>> IslandTexts<K> {
    /// The texts of `catalogue` in `lang` (server side).
    pub fn new(lang: Lang, catalogue: &[(&str, Text)]) -> Self {
        IslandTexts {
            texts: catalogue
                .iter()
                .map(|(_, t)| t.get(lang).to_string())
                .collect(),
            key: std::marker::PhantomData,
        }
    }

    /// The text of `key` (empty if the prop was cut short).
    pub fn get(&self, key: K) -> &str {
        self.texts.get(key.into()).map_or("", String::as_str)
    }

    /// The text of `key` with its placeholders filled ([`fill`]).
    pub fn fill(&self, key: K, values: &[(&str, &str)]) -> String {
        fill(self.get(key), values)
    }
}

/// Declares a module's texts as [`Text`] constants, each in every language,
/// and `ALL`, the list the catalogue checks read:
///
/// ```ignore
/// texts! {
///     RECORD: "录音", "Record";
/// }
/// ```
#[macro_export]
macro_rules! texts {
    ($($(#[$meta:meta])* $name:ident: $zh:literal, $en:literal;)*) => {
        $(
            $(#[$meta])*
            pub const $name: $crate::i18n::Text = $crate::i18n::Text { zh: $zh, en: $en };
        )*
        /// Every text above, by name (for the catalogue checks).
        #[allow(dead_code)]
        pub const ALL: &[(&str, $crate::i18n::Text)] = &[$((stringify!($name), $name)),*];
    };
}

/// Declares an island's texts: `Key` (one variant per text, also in scope by
/// name), `ALL` (the catalogue, for the checks and the server), `Texts` (the
/// island's prop type) and `texts(lang)`, the prop for a page in `lang`.
/// Only `texts` reads the words, and only the server calls it, so the words
/// stay out of the WASM:
///
/// ```ignore
/// pub mod t {
///     crate::island_texts! {
///         RECORD: "录音", "Record";
///     }
/// }
/// // server: <VoicesIsland texts=t::texts(lang) …/>; island: texts.get(t::RECORD)
/// ```
#[macro_export]
macro_rules! island_texts {
    ($($(#[$meta:meta])* $name:ident: $zh:literal, $en:literal;)*) => {
        /// The key of each text of this catalogue.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms, dead_code)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key {
            $($(#[$meta])* $name),*
        }
        #[allow(unused_imports)]
        pub use self::Key::*;

        impl From<Key> for usize {
            fn from(key: Key) -> usize {
                key as usize
            }
        }

        /// Every text of this catalogue, in `Key`'s order.
        #[allow(dead_code)]
        pub const ALL: &[(&str, $crate::i18n::Text)] =
            &[$((stringify!($name), $crate::i18n::Text { zh: $zh, en: $en })),*];

        /// The island's texts in one language (its prop).
        pub type Texts = $crate::i18n::IslandTexts<Key>;

        /// The island's texts in `lang` (server side).
        #[allow(dead_code)]
        pub fn texts(lang: $crate::i18n::Lang) -> Texts {
            $crate::i18n::IslandTexts::new(lang, ALL)
        }
    };
}

/// Whether `s` has a CJK ideograph (a Chinese text must).
pub fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}'))
}

/// Whether `s` has a letter outside its `{…}` placeholders.
fn has_words(s: &str) -> bool {
    let mut depth = 0;
    s.chars().any(|c| {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => return depth == 0 && c.is_alphabetic(),
        }
        false
    })
}

/// The `{…}` placeholders of a text, in order.
pub fn placeholders(s: &str) -> Vec<&str> {
    s.split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(name, _)| name))
        .collect()
}

/// What is wrong with a catalogue: a Chinese text without Chinese, an
/// English one with Chinese, an empty one, or placeholders that differ.
pub fn check_catalogue(module: &str, texts: &[(&str, Text)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, t) in texts {
        if t.zh.trim().is_empty() || t.en.trim().is_empty() {
            problems.push(format!("{module}::{name}: empty"));
        }
        // A text of placeholders and punctuation only has no words to translate.
        if !has_cjk(t.zh) && has_words(t.zh) {
            problems.push(format!(
                "{module}::{name}: the Chinese text has no Chinese: {:?}",
                t.zh
            ));
        }
        if has_cjk(t.en) {
            problems.push(format!(
                "{module}::{name}: the English text has Chinese: {:?}",
                t.en
            ));
        }
        let (mut zh, mut en) = (placeholders(t.zh), placeholders(t.en));
        zh.sort_unstable();
        en.sort_unstable();
        if zh != en {
            problems.push(format!(
                "{module}::{name}: placeholders differ: {zh:?} / {en:?}"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests;
