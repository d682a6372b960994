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
        super::t::PAGES,
        || (),
        |_| Box::pin(admin_pages()),
        |pages: Vec<PageSummary>| {
            let lang = crate::lang();
            view! {
                <section class="card">
                    <p><a class="button small" href="/admin/pages/new" data-testid="new-page">{t::NEW_PAGE.get(lang)}</a></p>
                    <table class="table" data-testid="pages">
                        <tr>
                            <th>{t::SLUG.get(lang)}</th>
                            <th>{t::TITLE.get(lang)}</th>
                            <th>{t::AUTHORIZATION.get(lang)}</th>
                            <th>{t::UPDATED.get(lang)}</th>
                        </tr>
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
        t::PAGE,
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
            let lang = crate::lang();
            let new = slug == "new";
            match page {
                None if !new => {
                    let text = t::NO_PAGE.get(lang);
                    let (before, after) = text.split_once("{slug}").unwrap_or((text, ""));
                    view! { <p class="error">{before}<code>{slug}</code>{after}</p> }.into_any()
                }
                page => {
                    let original = page.as_ref().map(|p| p.slug.clone()).unwrap_or_default();
                    let form = page.unwrap_or_else(|| PageForm {
                        auth_scope: crate::scope::NO_SCOPE.into(),
                        js_api_list: "updateAppMessageShareData,updateTimelineShareData,onMenuShareAppMessage,onMenuShareTimeline".into(),
                        ..PageForm::default()
                    });
                    view! {
                        <crate::editor::PageEditor form original=original.clone() ctx texts=crate::editor::t::texts(lang) check=crate::admin::check_t::texts(lang)/>
                        {(!original.is_empty()).then(|| view! {
                            <section class="card">
                                <p><a href=format!("/p/{original}") data-testid="open-page">{t::OPEN_PAGE.get(lang)}</a></p>
                                <form method="post" action="/api/admin/delete_page"
                                    onsubmit=format!("return confirm('{}')", t::CONFIRM_DELETE.get(lang))>
                                    <input type="hidden" name="slug" value=original.clone()/>
                                    <button class="button small danger" data-testid="delete-page">{t::DELETE_PAGE.get(lang)}</button>
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

/// The texts of the pages list and the page editor's page.
pub mod t {
    crate::texts! {
        PAGE: "编辑页面", "Page";
        NEW_PAGE: "新建页面", "New page";
        SLUG: "页面标识", "Slug";
        TITLE: "页面标题", "Title";
        AUTHORIZATION: "网页授权", "Authorization";
        UPDATED: "更新时间", "Updated";
        NO_PAGE: "页面 {slug} 不存在。", "There is no page {slug}.";
        OPEN_PAGE: "打开页面", "Open the in-app page";
        DELETE_PAGE: "删除页面", "Delete the page";
        /// In a `confirm('…')`: no single quote.
        CONFIRM_DELETE: "确定删除这个页面吗？", "Delete this page?";
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn texts_are_in_both_languages() {
        let problems = crate::i18n::check_catalogue("dashboard::pages", super::t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
        for lang in crate::i18n::Lang::ALL {
            let confirm = super::t::CONFIRM_DELETE.get(lang);
            assert!(!confirm.contains(['\'', '"', '\\']), "{confirm}");
        }
    }
}
