//! `/admin/cards`: the registered cards, registering one, and the code pool of
//! custom-code cards.

use super::{dashboard_page, form_error};
use crate::admin::*;
use leptos::prelude::*;

/// `/admin/cards`.
#[component]
pub fn CardsAdmin() -> impl IntoView {
    dashboard_page(
        "Cards",
        || (),
        |_| Box::pin(admin_cards()),
        |cards: Vec<CardRow>| {
            view! {
                <section class="card">
                    {form_error::<AdminSaveCard>()}
                    {form_error::<AdminDeleteCard>()}
                    {form_error::<AdminSaveCardCodes>()}
                    <table class="table" data-testid="cards">
                        <tr><th>"Card ID"</th><th>"Title"</th><th>"Type"</th><th>"Code bound"</th><th>"Openid bound"</th><th>"Codes left"</th><th></th></tr>
                        {cards.into_iter().map(|c| view! {
                            <tr>
                                <td><code>{c.card_id.clone()}</code></td>
                                <td>{c.title.clone()}</td>
                                <td>{c.card_type.clone()}</td>
                                <td>{if c.code_bound { "yes" } else { "no" }}</td>
                                <td>{if c.openid_bound { "yes" } else { "no" }}</td>
                                <td>{code_pool(&c)}</td>
                                <td>
                                    <form method="post" action="/api/admin/delete_card">
                                        <input type="hidden" name="card_id" value=c.card_id.clone()/>
                                        <button class="button small danger">"Remove"</button>
                                    </form>
                                </td>
                            </tr>
                        }).collect::<Vec<_>>()}
                    </table>
                    <h2>"Register a card"</h2>
                    <form method="post" action="/api/admin/save_card" class="grid-form">
                        <label>"Card ID" <input name="card_id" required maxlength="64"/></label>
                        <label>"Title" <input name="title" required maxlength="64"/></label>
                        <label>"Type"
                            <select name="card_type">
                                {crate::cards::CARD_TYPES.iter().copied()
                                    .map(|t| view! { <option value=t>{t}</option> }).collect::<Vec<_>>()}
                            </select>
                        </label>
                        <label class="check"><input type="checkbox" name="code_bound" value="true"/> "A code is bound (cardExt carries it)"</label>
                        <label class="check"><input type="checkbox" name="openid_bound" value="true"/> "An openid is bound"</label>
                        <button class="button small">"Register"</button>
                    </form>
                </section>
            }
            .into_any()
        },
    )
}

/// A custom-code card's pool: how many codes are left, and a form adding more
/// (one per line). Other cards have no pool.
fn code_pool(c: &CardRow) -> impl IntoView {
    if !c.code_bound {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    view! {
        <span data-testid=format!("codes-left-{}", c.card_id)>{c.codes_left}</span>
        <form method="post" action="/api/admin/save_card_codes" class="code-pool">
            <input type="hidden" name="card_id" value=c.card_id.clone()/>
            <textarea name="codes" rows="3" required placeholder="one code per line"
                data-testid=format!("codes-{}", c.card_id)></textarea>
            <button class="button small">"Add codes"</button>
        </form>
    }
    .into_any()
}
