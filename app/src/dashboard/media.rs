//! `/admin/media`: the stored uploads (images, and voices as AMR downloads),
//! and deleting one.

use super::{dashboard_page, form_error, when};
use crate::admin::*;
use leptos::prelude::*;

/// `/admin/media`.
#[component]
pub fn MediaAdmin() -> impl IntoView {
    dashboard_page(
        "Media",
        || (),
        |_| Box::pin(admin_media()),
        |items: Vec<MediaItem>| {
            if items.is_empty() {
                return view! { <section class="card"><p class="muted">"No uploads yet."</p></section> }.into_any();
            }
            view! {
                <section class="card">
                    {form_error::<AdminDeleteMedia>()}
                    <ul class="media-grid" data-testid="media">
                        {items.into_iter().map(|m| view! {
                            <li>
                                {if m.voice {
                                    view! {
                                        <a href=m.url.clone() class="thumb voice" data-testid="media-voice">
                                            {format!("🎤 {:.1} s", m.duration_ms as f64 / 1000.0)}
                                        </a>
                                    }.into_any()
                                } else {
                                    view! { <a href=m.url.clone()><img src=m.url.clone() alt="" loading="lazy" class="thumb"/></a> }.into_any()
                                }}
                                <p>{m.slug.clone()} " · " {format!("{:.1} KB", m.size as f64 / 1024.0)}</p>
                                <p class="muted">{if m.uploader.is_empty() { "anonymous".to_string() } else { m.uploader.clone() }}</p>
                                <p class="muted">{when(m.created_at)}</p>
                                <form method="post" action="/api/admin/delete_media">
                                    <input type="hidden" name="media_id" value=m.media_id.clone()/>
                                    <button class="button small danger">"Delete"</button>
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
