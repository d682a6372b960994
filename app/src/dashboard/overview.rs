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
        super::t::OVERVIEW,
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
            let lang = crate::lang();
            view! {
                <section class="card">
                    <h2>{t::CREDENTIALS.get(lang)}</h2>
                    {form_error::<AdminRefresh>()}
                    <table class="table" data-testid="health">
                        <tr>
                            <th>{t::CREDENTIAL.get(lang)}</th>
                            <th>{t::STATE.get(lang)}</th>
                            <th>{t::EXPIRES_IN.get(lang)}</th>
                            <th>{t::LAST_REFRESH.get(lang)}</th>
                            <th>{t::REFRESHES.get(lang)}</th>
                            <th>{t::LAST_ERROR.get(lang)}</th>
                            <th></th>
                        </tr>
                        {health.into_iter().map(|h| {
                            let state = if h.present { t::VALID.get(lang) } else { t::NONE.get(lang) };
                            let expires = if h.present {
                                let (min, s) = ((h.expires_in_secs / 60).to_string(), (h.expires_in_secs % 60).to_string());
                                t::EXPIRES.fill(lang, &[("min", &min), ("s", &s)])
                            } else {
                                "—".to_string()
                            };
                            let error = if h.last_error.is_empty() {
                                String::new()
                            } else {
                                let in_a_row = h.failures.to_string();
                                t::LAST_ERROR_IN_A_ROW.fill(lang, &[("error", &h.last_error), ("n", &in_a_row)])
                            };
                            view! {
                                <tr data-kind=h.kind.clone()>
                                    <td>{h.kind.clone()}</td>
                                    <td class=if h.present { "ok" } else { "muted" }>{state}</td>
                                    <td>{expires}</td>
                                    <td>{when(h.fetched_at)}</td>
                                    <td data-testid="refresh-count">{h.refresh_count}</td>
                                    <td class="error">{error}</td>
                                    <td>
                                        <form method="post" action="/api/admin/refresh">
                                            <input type="hidden" name="kind" value=h.kind.clone()/>
                                            <button class="button small" data-testid=format!("refresh-{}", h.kind)>{t::REFRESH_NOW.get(lang)}</button>
                                        </form>
                                    </td>
                                </tr>
                            }
                        }).collect::<Vec<_>>()}
                    </table>
                </section>
                <section class="card">
                    <h2>{t::SHARE_ACTIVITY.get(lang)}</h2>
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
    let lang = crate::lang();
    if days.is_empty() {
        return view! { <p class="muted" data-testid="share-chart">{t::NO_SHARES.get(lang)}</p> }
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
                                let (shared, cancelled) = (d.successes.to_string(), d.cancels.to_string());
                                let tip = t::DAY_SHARES.fill(lang, &[("day", &d.day), ("shared", &shared), ("cancelled", &cancelled)]);
                                view! {
                                    <g>
                                        <title>{tip}</title>
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
            <p class="muted">{t::LEGEND.get(lang)}</p>
        </div>
    }
    .into_any()
}

/// The config failures pages reported, each with its diagnosis, in a card.
#[component]
pub(super) fn Failures(failures: Vec<FailureReport>) -> impl IntoView {
    let lang = crate::lang();
    view! {
        <section class="card">
            <h2>{t::FAILURES.get(lang)}</h2>
            <FailureList failures/>
        </section>
    }
}

#[component]
fn FailureList(failures: Vec<FailureReport>) -> impl IntoView {
    let lang = crate::lang();
    if failures.is_empty() {
        return view! { <p class="muted" data-testid="failures">{t::NO_FAILURES.get(lang)}</p> }
            .into_any();
    }
    view! {
        <ul class="failures" data-testid="failures">
            {failures.into_iter().map(|f| {
                let count = t::TIMES.fill(lang, &[("n", &f.count.max(1).to_string())]);
                view! {
                    <li>
                        <p><b>{f.err_msg.clone()}</b> " · " {when(f.last_seen.max(f.created_at))} " · "
                            <span data-testid="failure-count">{count}</span></p>
                        <p data-testid="diagnosis">{f.diagnosis.clone()}</p>
                        <p class="muted">{f.user_agent.clone()}</p>
                    </li>
                }
            }).collect::<Vec<_>>()}
        </ul>
    }
    .into_any()
}

/// The texts of the overview.
pub mod t {
    crate::texts! {
        CREDENTIALS: "接口凭证", "Credentials";
        CREDENTIAL: "凭证", "Credential";
        STATE: "状态", "State";
        EXPIRES_IN: "剩余有效期", "Expires in";
        LAST_REFRESH: "上次刷新", "Last refresh";
        REFRESHES: "刷新次数", "Refreshes";
        LAST_ERROR: "最近一次上游错误", "Last upstream error";
        VALID: "有效", "valid";
        NONE: "无", "none";
        /// Minutes and seconds until the credential expires.
        EXPIRES: "{min} 分 {s} 秒", "{min} min {s} s";
        /// `{error}` is the upstream error as the server recorded it.
        LAST_ERROR_IN_A_ROW: "{error}（已连续失败 {n} 次）", "{error} (failures in a row: {n})";
        REFRESH_NOW: "立即刷新", "Refresh now";
        SHARE_ACTIVITY: "分享统计", "Share activity";
        NO_SHARES: "暂无分享。", "No shares yet.";
        /// A bar's tooltip: one page's shares on one day.
        DAY_SHARES: "{day}：分享 {shared} 次，取消 {cancelled} 次", "{day}: {shared} shared, {cancelled} cancelled";
        LEGEND: "绿色：已分享。灰色：已取消。", "Green: shared. Grey: cancelled.";
        FAILURES: "页面上报的配置失败", "Config failures reported by pages";
        NO_FAILURES: "暂无页面上报配置失败。", "No failures reported.";
        /// How many times a failure was reported.
        TIMES: "{n} 次", "{n}×";
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn texts_are_in_both_languages() {
        let problems = crate::i18n::check_catalogue("dashboard::overview", super::t::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
