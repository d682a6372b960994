//! `/admin/audit`: the audit log of admin changes.

use super::{dashboard_page, when};
use crate::admin::*;
use leptos::prelude::*;

/// `/admin/audit`.
#[component]
pub fn AuditLog() -> impl IntoView {
    dashboard_page(
        "Audit log",
        || (),
        |_| Box::pin(admin_audit()),
        |entries: Vec<AuditEntry>| {
            view! {
                <section class="card">
                    <table class="table" data-testid="audit">
                        <tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"On"</th><th>"Detail"</th></tr>
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
