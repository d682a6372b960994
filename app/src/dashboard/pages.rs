//! `/admin/pages` (the page list) and `/admin/pages/{slug}` (the page editor
//! island with its live preview, and deleting the page).

use super::{dashboard_page, when};
use crate::admin::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/admin/pages`.
#[component]
pub fn PagesList() -> impl IntoView {
    dashboard_page(
        "Pages",
        || (),
        |_| Box::pin(admin_pages()),
        |pages: Vec<PageSummary>| {
            view! {
                <section class="card">
                    <p><a class="button small" href="/admin/pages/new" data-testid="new-page">"New page"</a></p>
                    <table class="table" data-testid="pages">
                        <tr><th>"Slug"</th><th>"Title"</th><th>"Authorization"</th><th>"Updated"</th></tr>
                        {pages.into_iter().map(|p| view! {
                            <tr>
                                <td><a href=format!("/admin/pages/{}", p.slug)>{p.slug.clone()}</a></td>
                                <td>{p.title.clone()}</td>
                                <td>{p.auth_scope.clone()}</td>
                                <td>{when(p.updated_at)}</td>
                            </tr>
                        }).collect::<Vec<_>>()}
                    </table>
                </section>
            }
            .into_any()
        },
    )
}

/// `/admin/pages/new` and `/admin/pages/{slug}`: the editor with its live preview.
#[component]
pub fn PageEdit() -> impl IntoView {
    let params = use_params_map();
    dashboard_page(
        "Page",
        move || params.read().get("slug").unwrap_or_default(),
        |slug| {
            Box::pin(async move {
                let (page, ctx) = admin_page(if slug == "new" {
                    String::new()
                } else {
                    slug.clone()
                })
                .await?;
                Ok((slug, page, ctx))
            })
        },
        |(slug, page, ctx): (String, Option<PageForm>, EditorContext)| {
            let new = slug == "new";
            match page {
                None if !new => {
                    view! { <p class="error">"There is no page " <code>{slug}</code> "."</p> }
                        .into_any()
                }
                page => {
                    let original = page.as_ref().map(|p| p.slug.clone()).unwrap_or_default();
                    let form = page.unwrap_or_else(|| PageForm {
                        auth_scope: crate::scope::NO_SCOPE.into(),
                        js_api_list: "updateAppMessageShareData,updateTimelineShareData,onMenuShareAppMessage,onMenuShareTimeline".into(),
                        ..PageForm::default()
                    });
                    view! {
                        <crate::editor::PageEditor form original=original.clone() ctx/>
                        {(!original.is_empty()).then(|| view! {
                            <section class="card">
                                <p><a href=format!("/p/{original}") data-testid="open-page">"Open the in-app page"</a></p>
                                <form method="post" action="/api/admin/delete_page"
                                    onsubmit="return confirm('Delete this page?')">
                                    <input type="hidden" name="slug" value=original.clone()/>
                                    <button class="button small danger" data-testid="delete-page">"Delete the page"</button>
                                </form>
                            </section>
                        })}
                    }
                    .into_any()
                }
            }
        },
    )
}
