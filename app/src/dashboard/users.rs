//! `/admin/users`: the users who authorized a page, searchable and paged.

use super::{dashboard_page, encode, when};
use crate::admin::*;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/admin/users?q=…&page=…`.
#[component]
pub fn UsersAdmin() -> impl IntoView {
    let query = use_query_map();
    dashboard_page(
        super::t::USERS,
        move || {
            let q = query.read();
            (
                q.get("q").unwrap_or_default(),
                q.get("page")
                    .and_then(|p| p.parse::<i64>().ok())
                    .unwrap_or(1),
            )
        },
        |(q, page)| {
            Box::pin(async move {
                let users = admin_users(q.clone(), page).await?;
                Ok((q, users))
            })
        },
        |(q, p): (String, UsersPage)| {
            let lang = crate::lang();
            let pages = ((p.total + p.per_page - 1) / p.per_page).max(1);
            let total = p.total.to_string();
            view! {
                <section class="card">
                    <form method="get" action="/admin/users" class="search">
                        <input name="q" value=q.clone() placeholder=t::SEARCH_PLACEHOLDER.get(lang) data-testid="user-search"/>
                        <button class="button small">{t::SEARCH.get(lang)}</button>
                    </form>
                    <p class="muted" data-testid="user-total">{t::TOTAL.fill(lang, &[("n", &total)])}</p>
                    <table class="table" data-testid="users">
                        <tr>
                            <th></th>
                            <th>{t::NICKNAME.get(lang)}</th>
                            <th>"Openid"</th>
                            <th>{t::SCOPE.get(lang)}</th>
                            <th>{t::FIRST_SEEN.get(lang)}</th>
                            <th>{t::LAST_SEEN.get(lang)}</th>
                        </tr>
                        {p.users.into_iter().map(|u| view! {
                            <tr>
                                <td>{(!u.avatar_url.is_empty()).then(|| view! {
                                    <img class="avatar-small" src=u.avatar_url.clone() alt="" width="32" height="32" referrerpolicy="no-referrer"/>
                                })}</td>
                                <td>{u.nickname.clone()}</td>
                                <td><code>{u.openid.clone()}</code></td>
                                <td>{u.scope.clone()}</td>
                                <td>{when(u.first_seen)}</td>
                                <td>{when(u.last_seen)}</td>
                            </tr>
                        }).collect::<Vec<_>>()}
                    </table>
                    <p class="pager">
                        {(1..=pages).map(|n| view! {
                            <a href=format!("/admin/users?q={}&page={n}", encode(&q)) class:active=n == p.page>{n}</a>
                        }).collect::<Vec<_>>()}
                    </p>
                </section>
            }
            .into_any()
        },
    )
}

/// The texts of the users page.
pub mod t {
    crate::texts! {
        SEARCH_PLACEHOLDER: "昵称或 openid", "nickname or openid";
        SEARCH: "搜索", "Search";
        /// How many users match the search.
        TOTAL: "共 {n} 位用户", "{n} user(s)";
        NICKNAME: "昵称", "Nickname";
        SCOPE: "授权作用域", "Scope";
        FIRST_SEEN: "首次访问", "First seen";
        LAST_SEEN: "最近访问", "Last seen";
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn texts_are_in_both_languages() {
        let problems = crate::i18n::check_catalogue("dashboard::users", super::t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
