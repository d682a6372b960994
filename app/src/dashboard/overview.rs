//! `/admin`, the overview: credential health (with "Refresh now"), share
//! activity as bars per page and day, and the config failures pages reported
//! (the list the signature debugger shows too).

use super::{dashboard_page, form_error, when};
use crate::admin::*;
use leptos::prelude::*;

/// `/admin`: credential health, share activity, reported config failures.
#[component]
pub fn Overview() -> impl IntoView {
    dashboard_page(
        "Overview",
        || (),
        |_| {
            Box::pin(async move {
                Ok((
                    admin_health().await?,
                    admin_share_activity().await?,
                    admin_failures().await?,
                ))
            })
        },
        |(health, activity, failures): (
            Vec<CredentialHealth>,
            Vec<ShareDay>,
            Vec<FailureReport>,
        )| {
            view! {
                <section class="card">
                    <h2>"Credentials"</h2>
                    {form_error::<AdminRefresh>()}
                    <table class="table" data-testid="health">
                        <tr><th>"Credential"</th><th>"State"</th><th>"Expires in"</th><th>"Last refresh"</th><th>"Refreshes"</th><th>"Last upstream error"</th><th></th></tr>
                        {health.into_iter().map(|h| {
                            let state = if h.present { "valid" } else { "none" };
                            view! {
                                <tr data-kind=h.kind.clone()>
                                    <td>{h.kind.clone()}</td>
                                    <td class=if h.present { "ok" } else { "muted" }>{state}</td>
                                    <td>{if h.present { format!("{} min {} s", h.expires_in_secs / 60, h.expires_in_secs % 60) } else { "—".into() }}</td>
                                    <td>{when(h.fetched_at)}</td>
                                    <td data-testid="refresh-count">{h.refresh_count}</td>
                                    <td class="error">{if h.last_error.is_empty() { String::new() } else { format!("{} (failures in a row: {})", h.last_error, h.failures) }}</td>
                                    <td>
                                        <form method="post" action="/api/admin/refresh">
                                            <input type="hidden" name="kind" value=h.kind.clone()/>
                                            <button class="button small" data-testid=format!("refresh-{}", h.kind)>"Refresh now"</button>
                                        </form>
                                    </td>
                                </tr>
                            }
                        }).collect::<Vec<_>>()}
                    </table>
                </section>
                <section class="card">
                    <h2>"Share activity"</h2>
                    <ShareChart days=activity/>
                </section>
                <Failures failures/>
            }
            .into_any()
        },
    )
}

/// Share successes (green) and cancels (grey) per page and day, as bars.
#[component]
fn ShareChart(days: Vec<ShareDay>) -> impl IntoView {
    if days.is_empty() {
        return view! { <p class="muted" data-testid="share-chart">"No shares yet."</p> }
            .into_any();
    }
    let mut slugs: Vec<String> = days.iter().map(|d| d.slug.clone()).collect();
    slugs.dedup();
    let max = days
        .iter()
        .map(|d| d.successes.max(d.cancels))
        .max()
        .unwrap_or(1)
        .max(1);
    view! {
        <div data-testid="share-chart">
            {slugs.into_iter().map(|slug| {
                let rows: Vec<ShareDay> = days.iter().filter(|d| d.slug == slug).cloned().collect();
                let width = 24 * rows.len() as i64 + 8;
                view! {
                    <figure class="chart">
                        <figcaption>{slug.clone()}</figcaption>
                        <svg width=width height="96" viewBox=format!("0 0 {width} 96") role="img">
                            {rows.iter().enumerate().map(|(i, d)| {
                                let x = 8 + 24 * i as i64;
                                let hs = 70 * d.successes / max;
                                let hc = 70 * d.cancels / max;
                                view! {
                                    <g>
                                        <title>{format!("{}: {} shared, {} cancelled", d.day, d.successes, d.cancels)}</title>
                                        <rect x=x y=76 - hs width="9" height=hs fill="#07c160"/>
                                        <rect x=x + 10 y=76 - hc width="9" height=hc fill="#c9c9c9"/>
                                        <text x=x y="92" font-size="8" fill="#808080">{d.day.get(5..).unwrap_or_default().to_string()}</text>
                                    </g>
                                }
                            }).collect::<Vec<_>>()}
                        </svg>
                    </figure>
                }
            }).collect::<Vec<_>>()}
            <p class="muted">"Green: shared. Grey: cancelled."</p>
        </div>
    }
    .into_any()
}

/// The config failures pages reported, each with its diagnosis, in a card.
#[component]
pub(super) fn Failures(failures: Vec<FailureReport>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Config failures reported by pages"</h2>
            <FailureList failures/>
        </section>
    }
}

#[component]
fn FailureList(failures: Vec<FailureReport>) -> impl IntoView {
    if failures.is_empty() {
        return view! { <p class="muted" data-testid="failures">"No failures reported."</p> }
            .into_any();
    }
    view! {
        <ul class="failures" data-testid="failures">
            {failures.into_iter().map(|f| view! {
                <li>
                    <p><b>{f.err_msg.clone()}</b> " · " {when(f.last_seen.max(f.created_at))} " · "
                        <span data-testid="failure-count">{format!("{}×", f.count.max(1))}</span></p>
                    <p data-testid="diagnosis">{f.diagnosis.clone()}</p>
                    <p class="muted">{f.user_agent.clone()}</p>
                </li>
            }).collect::<Vec<_>>()}
        </ul>
    }
    .into_any()
}
