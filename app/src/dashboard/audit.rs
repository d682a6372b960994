//! `/admin/audit`: the audit log of admin changes.

use super::{dashboard_page, when};
use crate::admin::*;
use leptos::prelude::*;

/// `/admin/audit`.
#[component]
pub fn AuditLog() -> impl IntoView {
    dashboard_page(
        super::t::AUDIT,
        || (),
        |_| Box::pin(admin_audit()),
        |entries: Vec<AuditEntry>| {
            let lang = crate::lang();
            view! {
                <section class="card">
                    <table class="table" data-testid="audit">
                        <tr>
                            <th>{t::WHEN.get(lang)}</th>
                            <th>{t::WHO.get(lang)}</th>
                            <th>{t::WHAT.get(lang)}</th>
                            <th>{t::ON.get(lang)}</th>
                            <th>{t::DETAIL.get(lang)}</th>
                        </tr>
                        {entries.into_iter().map(|e| view! {
                            <tr>
                                <td>{when(e.at_ms / 1000)}</td>
                                <td>{e.admin.clone()}</td>
                                <td>{e.action.clone()}</td>
                                <td>{e.target.clone()}</td>
                                <td class="detail">{e.detail.clone()}</td>
                            </tr>
                        }).collect::<Vec<_>>()}
                    </table>
                </section>
            }
            .into_any()
        },
    )
}

/// The texts of the audit log.
pub mod t {
    crate::texts! {
        WHEN: "时间", "When";
        WHO: "操作人", "Who";
        WHAT: "操作", "What";
        ON: "操作对象", "On";
        DETAIL: "详情", "Detail";
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn texts_are_in_both_languages() {
        let problems = crate::i18n::check_catalogue("dashboard::audit", super::t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
