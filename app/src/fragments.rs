//! Rendered fragments of an in-app page, kept with the version of the page
//! they were rendered from (a [`crate::share::ServedPage`]): the part of a
//! page that is the same for every visitor who opens it in the same language
//! on the same tab is rendered once per version of the page, not once per
//! request.
//!
//! Invariants:
//! - A fragment is only what its page and its [`FragmentKey`] decide: never
//!   the visitor, the signature or a nonce (those are rendered around it, per
//!   request).
//! - A saved page is a new version with nothing rendered yet (the server's
//!   page cache makes a new [`Fragments`] with each copy of a page), so a
//!   fragment is never older than its page.
//! - The slots are fixed ([`MAX_TABS`] tabs in each language, in and out of
//!   simulate mode): what a visitor can ask for grows nothing. A key outside
//!   them is rendered and not kept.

use crate::i18n::Lang;
use std::sync::{Arc, OnceLock};

/// The tabs a page may have for its fragments to be kept.
pub const MAX_TABS: usize = 4;

const SLOTS: usize = Lang::ALL.len() * MAX_TABS * 2;

/// What a fragment depends on besides its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentKey {
    pub lang: Lang,
    /// The index of the tab shown.
    pub tab: usize,
    /// Simulate mode (the simulated client stands in for WeChat): the same
    /// for a whole process today, in the key so that a fragment never
    /// depends on anything outside it.
    pub simulate: bool,
}

impl FragmentKey {
    fn slot(self) -> Option<usize> {
        let lang = Lang::ALL.iter().position(|l| *l == self.lang)?;
        (self.tab < MAX_TABS).then(|| (lang * MAX_TABS + self.tab) * 2 + usize::from(self.simulate))
    }
}

/// One version of a page's rendered fragments.
#[derive(Debug)]
pub struct Fragments {
    slots: [OnceLock<Arc<str>>; SLOTS],
}

impl Default for Fragments {
    fn default() -> Self {
        Fragments {
            slots: std::array::from_fn(|_| OnceLock::new()),
        }
    }
}

impl Fragments {
    /// The fragment of `key`: rendered by `render` the first time it is asked
    /// for, then the same text. Two requests asking at once for a fragment not
    /// rendered yet: one renders, the other's thread waits for it (a render
    /// takes tens of microseconds, once per version of a page).
    pub fn get_or_render(&self, key: FragmentKey, render: impl FnOnce() -> String) -> Arc<str> {
        match key.slot() {
            Some(slot) => self.slots[slot].get_or_init(|| render().into()).clone(),
            None => render().into(),
        }
    }

    /// How many fragments are kept.
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.slots.iter().filter(|s| s.get().is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(lang: Lang, tab: usize, simulate: bool) -> FragmentKey {
        FragmentKey {
            lang,
            tab,
            simulate,
        }
    }

    #[test]
    fn each_key_is_rendered_once_and_keys_do_not_share_a_slot() {
        let fragments = Fragments::default();
        let mut renders = 0;
        for lang in Lang::ALL {
            for tab in 0..MAX_TABS {
                for simulate in [false, true] {
                    let text = format!("{lang:?} {tab} {simulate}");
                    for _ in 0..2 {
                        let got = fragments.get_or_render(key(lang, tab, simulate), || {
                            renders += 1;
                            text.clone()
                        });
                        assert_eq!(&*got, text);
                    }
                }
            }
        }
        assert_eq!(renders, SLOTS);
        assert_eq!(fragments.kept(), SLOTS);
    }

    #[test]
    fn a_tab_past_the_slots_is_rendered_each_time_and_not_kept() {
        let fragments = Fragments::default();
        let mut renders = 0;
        for _ in 0..3 {
            let got = fragments.get_or_render(key(Lang::En, MAX_TABS, true), || {
                renders += 1;
                "x".into()
            });
            assert_eq!(&*got, "x");
        }
        assert_eq!(renders, 3);
        assert_eq!(fragments.kept(), 0);
    }
}
