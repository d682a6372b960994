//! `/admin/media`: the stored uploads (images, and voices as AMR downloads),
//! and deleting one.

use super::{dashboard_page, form_error, when};
use crate::admin::*;
use leptos::prelude::*;

/// `/admin/media`.
#[component]
pub fn MediaAdmin() -> impl IntoView {
    dashboard_page(
        super::t::MEDIA,
        || (),
        |_| Box::pin(admin_media()),
        |items: Vec<MediaItem>| {
            let lang = crate::lang();
            if items.is_empty() {
                return view! { <section class="card"><p class="muted">{t::NO_UPLOADS.get(lang)}</p></section> }.into_any();
            }
            view! {
                <section class="card">
                    {form_error::<AdminDeleteMedia>()}
                    <ul class="media-grid" data-testid="media">
                        {items.into_iter().map(|m| view! {
                            <li>
                                {if m.voice {
                                    let seconds = format!("{:.1}", m.duration_ms as f64 / 1000.0);
                                    view! {
                                        <a href=m.url.clone() class="thumb voice" data-testid="media-voice">
                                            {t::VOICE.fill(lang, &[("s", &seconds)])}
                                        </a>
                                    }.into_any()
                                } else {
                                    view! { <a href=m.url.clone()><img src=m.url.clone() alt="" loading="lazy" class="thumb"/></a> }.into_any()
                                }}
                                <p>{m.slug.clone()} " · " {format!("{:.1} KB", m.size as f64 / 1024.0)}</p>
                                <p class="muted">{if m.uploader.is_empty() { t::ANONYMOUS.get(lang).to_string() } else { m.uploader.clone() }}</p>
                                <p class="muted">{when(m.created_at)}</p>
                                <form method="post" action="/api/admin/delete_media">
                                    <input type="hidden" name="media_id" value=m.media_id.clone()/>
                                    <button class="button small danger">{t::DELETE.get(lang)}</button>
                                </form>
                            </li>
                        }).collect::<Vec<_>>()}
                    </ul>
                </section>
            }
            .into_any()
        },
    )
}

/// The texts of the media page.
pub mod t {
    crate::texts! {
        NO_UPLOADS: "暂无上传的素材。", "No uploads yet.";
        /// A voice's length in seconds.
        VOICE: "🎤 {s} 秒", "🎤 {s} s";
        /// Who uploaded an item when no user was signed in.
        ANONYMOUS: "匿名用户", "anonymous";
        DELETE: "删除", "Delete";
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn texts_are_in_both_languages() {
        let problems = crate::i18n::check_catalogue("dashboard::media", super::t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
