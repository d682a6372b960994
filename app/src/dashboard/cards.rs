//! `/admin/cards`: the registered cards, registering one, and the code pool of
//! custom-code cards.

use super::{dashboard_page, form_error};
use crate::admin::*;
use crate::i18n::Lang;
use leptos::prelude::*;

/// `/admin/cards`.
#[component]
pub fn CardsAdmin() -> impl IntoView {
    dashboard_page(
        super::t::CARDS,
        || (),
        |_| Box::pin(admin_cards()),
        |cards: Vec<CardRow>| {
            let lang = crate::lang();
            let yes_no = move |b: bool| {
                if b {
                    t::YES.get(lang)
                } else {
                    t::NO.get(lang)
                }
            };
            view! {
                <section class="card">
                    {form_error::<AdminSaveCard>()}
                    {form_error::<AdminDeleteCard>()}
                    {form_error::<AdminSaveCardCodes>()}
                    <table class="table" data-testid="cards">
                        <tr>
                            <th>{t::CARD_ID.get(lang)}</th>
                            <th>{t::CARD_TITLE.get(lang)}</th>
                            <th>{t::CARD_TYPE.get(lang)}</th>
                            <th>{t::CODE_BOUND.get(lang)}</th>
                            <th>{t::OPENID_BOUND.get(lang)}</th>
                            <th>{t::CODES_LEFT.get(lang)}</th>
                            <th></th>
                        </tr>
                        {cards.into_iter().map(|c| view! {
                            <tr>
                                <td><code>{c.card_id.clone()}</code></td>
                                <td>{c.title.clone()}</td>
                                <td>{c.card_type.clone()}</td>
                                <td>{yes_no(c.code_bound)}</td>
                                <td>{yes_no(c.openid_bound)}</td>
                                <td>{code_pool(&c, lang)}</td>
                                <td>
                                    <form method="post" action="/api/admin/delete_card">
                                        <input type="hidden" name="card_id" value=c.card_id.clone()/>
                                        <button class="button small danger">{t::REMOVE.get(lang)}</button>
                                    </form>
                                </td>
                            </tr>
                        }).collect::<Vec<_>>()}
                    </table>
                    <h2>{t::REGISTER_TITLE.get(lang)}</h2>
                    <form method="post" action="/api/admin/save_card" class="grid-form">
                        <label>{t::CARD_ID.get(lang)} <input name="card_id" required maxlength="64"/></label>
                        <label>{t::CARD_TITLE.get(lang)} <input name="title" required maxlength="64"/></label>
                        <label>{t::CARD_TYPE.get(lang)}
                            <select name="card_type">
                                {crate::cards::CARD_TYPES.iter().copied()
                                    .map(|ty| view! { <option value=ty>{ty}</option> }).collect::<Vec<_>>()}
                            </select>
                        </label>
                        <label class="check"><input type="checkbox" name="code_bound" value="true"/> {t::CODE_BOUND_FIELD.get(lang)}</label>
                        <label class="check"><input type="checkbox" name="openid_bound" value="true"/> {t::OPENID_BOUND_FIELD.get(lang)}</label>
                        <button class="button small">{t::REGISTER.get(lang)}</button>
                    </form>
                </section>
            }
            .into_any()
        },
    )
}

/// A custom-code card's pool: how many codes are left, and a form adding more
/// (one per line). Other cards have no pool.
fn code_pool(c: &CardRow, lang: Lang) -> impl IntoView {
    if !c.code_bound {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    view! {
        <span data-testid=format!("codes-left-{}", c.card_id)>{c.codes_left}</span>
        <form method="post" action="/api/admin/save_card_codes" class="code-pool">
            <input type="hidden" name="card_id" value=c.card_id.clone()/>
            <textarea name="codes" rows="3" required placeholder=t::CODES_PLACEHOLDER.get(lang)
                data-testid=format!("codes-{}", c.card_id)></textarea>
            <button class="button small">{t::ADD_CODES.get(lang)}</button>
        </form>
    }
    .into_any()
}

/// The texts of the cards page.
pub mod t {
    crate::texts! {
        CARD_ID: "卡券 ID", "Card ID";
        CARD_TITLE: "卡券标题", "Title";
        CARD_TYPE: "卡券类型", "Type";
        CODE_BOUND: "自定义 code", "Code bound";
        OPENID_BOUND: "指定 openid", "Openid bound";
        CODES_LEFT: "剩余 code 数", "Codes left";
        YES: "是", "yes";
        NO: "否", "no";
        REMOVE: "删除", "Remove";
        REGISTER_TITLE: "添加卡券", "Register a card";
        CODE_BOUND_FIELD: "自定义 code（由 cardExt 携带）", "A code is bound (cardExt carries it)";
        OPENID_BOUND_FIELD: "指定 openid 领取", "An openid is bound";
        REGISTER: "添加", "Register";
        CODES_PLACEHOLDER: "每行一个 code", "one code per line";
        ADD_CODES: "添加 code", "Add codes";
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn texts_are_in_both_languages() {
        let problems = crate::i18n::check_catalogue("dashboard::cards", super::t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
