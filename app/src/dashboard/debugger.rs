//! `/admin/debugger`: the signature debugger island (prefilled from the query)
//! above the config failures pages reported.

use super::dashboard_page;
use super::overview::Failures;
use crate::admin::*;
use crate::error::ApiError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The debugger's first form values, its result (when a URL was given) and
/// the reported failures.
type DebugView = (
    (String, String, String),
    Option<Result<SignDebug, ApiError>>,
    Vec<FailureReport>,
);

/// `/admin/debugger?url=…`: the exact string WeChat hashes, and the signature.
/// The URL may prefill the form and sign with the account's own ticket; a
/// ticket of one's own goes only in the form's POST (`?ticket=` is ignored).
#[component]
pub fn Debugger() -> impl IntoView {
    let query = use_query_map();
    dashboard_page(
        super::t::DEBUGGER,
        move || {
            let q = query.read();
            (
                q.get("url").unwrap_or_default(),
                q.get("nonce").unwrap_or_default(),
                q.get("timestamp").unwrap_or_default(),
            )
        },
        |(url, nonce, timestamp)| {
            Box::pin(async move {
                let result = if url.is_empty() {
                    None
                } else {
                    Some(
                        admin_sign_debug(
                            url.clone(),
                            nonce.clone(),
                            timestamp.clone(),
                            String::new(),
                        )
                        .await,
                    )
                };
                Ok(((url, nonce, timestamp), result, admin_failures().await?))
            })
        },
        |(query, result, failures): DebugView| {
            let (url, nonce, timestamp) = query;
            view! {
                <section class="card">
                    <crate::debugger::SignDebugger url nonce timestamp initial=result texts=crate::debugger::t::texts(crate::lang())/>
                </section>
                <Failures failures/>
            }
            .into_any()
        },
    )
}
