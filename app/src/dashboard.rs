//! The admin dashboard's pages (`/admin/…`), server-rendered: sign-in,
//! overview (credential health, share activity, reported config failures),
//! pages and their share content, cards, media, users, the signature debugger,
//! the audit log and the account. Each page loads through admin server
//! functions, so each checks the admin session; without one it answers 401
//! with the sign-in form. Forms post to the server functions (no script
//! needed); only the page editor is an island.

use crate::admin::*;
use crate::jssdk::ApiError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;
use std::pin::Pin;

type Load<K, T> = fn(K) -> Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send>>;

/// `s` percent-encoded for a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn when(at: i64) -> String {
    if at <= 0 {
        return "—".into();
    }
    #[cfg(feature = "ssr")]
    {
        if let Ok(t) = time::OffsetDateTime::from_unix_timestamp(at) {
            let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
            if let Ok(s) = t.format(f) {
                return s;
            }
        }
    }
    at.to_string()
}

/// The frame of every dashboard page: navigation, sign-out, then the page.
#[component]
fn Frame(title: &'static str, who: String, children: Children) -> impl IntoView {
    view! {
        <leptos_meta::Title text=format!("{title} · wxkit admin")/>
        <div class="admin">
            <header class="admin-bar">
                <strong>"wxkit admin"</strong>
                <nav>
                    <a href="/admin">"Overview"</a>
                    <a href="/admin/pages">"Pages"</a>
                    <a href="/admin/cards">"Cards"</a>
                    <a href="/admin/media">"Media"</a>
                    <a href="/admin/users">"Users"</a>
                    <a href="/admin/debugger">"Signature debugger"</a>
                    <a href="/admin/audit">"Audit log"</a>
                    <a href="/admin/account">"Account"</a>
                </nav>
                <form method="post" action="/api/admin/sign_out" class="inline">
                    <span data-testid="admin-who">{who}</span>
                    " "
                    <button class="link-button" data-testid="sign-out">"Sign out"</button>
                </form>
                <form method="post" action="/api/admin/sign_out_everywhere" class="inline">
                    <button class="link-button" data-testid="sign-out-everywhere">"Sign out everywhere"</button>
                </form>
            </header>
            <h1>{title}</h1>
            {children()}
        </div>
    }
}

/// The sign-in form (and the error of the last attempt, when there was one).
#[component]
pub fn SignInForm() -> impl IntoView {
    let action = ServerAction::<AdminSignIn>::new();
    view! {
        <leptos_meta::Title text="Sign in · wxkit admin"/>
        <section class="card sign-in">
            <h1>"wxkit admin"</h1>
            {move || action.value().get().and_then(|r| r.err()).map(|e| view! {
                <p class="error" data-testid="sign-in-error">{e.to_string()}</p>
            })}
            <form method="post" action="/api/admin/sign_in">
                <label>"Username" <input name="username" autocomplete="username" required data-testid="username"/></label>
                <label>"Password" <input name="password" type="password" autocomplete="current-password" required data-testid="password"/></label>
                <button class="button" data-testid="sign-in">"Sign in"</button>
            </form>
            <p class="muted">"No admin yet? Run " <code>"wxkit admin create --username NAME"</code> " on the server."</p>
        </section>
    }
}

/// `/admin/sign-in`.
#[component]
pub fn SignInPage() -> impl IntoView {
    let who = Resource::new(|| (), |_| admin_whoami());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match who.await {
                    Ok(name) => view! {
                        <section class="card sign-in">
                            <p>"Signed in as " <b>{name}</b> ". " <a href="/admin">"Open the dashboard"</a></p>
                        </section>
                    }.into_any(),
                    Err(_) => {
                        // Not an error here: this is where one signs in.
                        #[cfg(feature = "ssr")]
                        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
                            resp.set_status(http::StatusCode::OK);
                        }
                        view! { <SignInForm/> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A dashboard page: `load` (keyed by `key`) through an admin server
/// function, drawn by `render` inside the frame; the sign-in form (401) when
/// there is no admin session.
fn dashboard_page<K, T>(
    title: &'static str,
    key: impl Fn() -> K + Send + Sync + 'static,
    load: Load<K, T>,
    render: fn(T) -> AnyView,
) -> impl IntoView
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
{
    let data = Resource::new(key, load);
    let who = Resource::new(|| (), |_| admin_whoami());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let who = who.await;
                match (who, data.await) {
                    (Err(ApiError::Unauthorized { .. }), _) | (_, Err(ApiError::Unauthorized { .. })) => {
                        view! { <SignInForm/> }.into_any()
                    }
                    (Err(e), _) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    (Ok(who), Ok(data)) => view! { <Frame title who>{render(data)}</Frame> }.into_any(),
                    (Ok(who), Err(e)) => view! {
                        <Frame title who><p class="error" data-testid="load-error">{e.to_string()}</p></Frame>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The error a plain form post came back with (from the redirect's URL).
fn form_error<S>() -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    move || {
        action.value().get().and_then(|r| r.err()).map(|e| {
            view! { <p class="error" data-testid="form-error">{e.to_string()}</p> }
        })
    }
}

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
fn Failures(failures: Vec<FailureReport>) -> impl IntoView {
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
                        auth_scope: "none".into(),
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

/// `/admin/media`.
#[component]
pub fn MediaAdmin() -> impl IntoView {
    dashboard_page(
        "Media",
        || (),
        |_| Box::pin(admin_media()),
        |items: Vec<MediaItem>| {
            if items.is_empty() {
                return view! { <section class="card"><p class="muted">"No uploads yet."</p></section> }.into_any();
            }
            view! {
                <section class="card">
                    {form_error::<AdminDeleteMedia>()}
                    <ul class="media-grid" data-testid="media">
                        {items.into_iter().map(|m| view! {
                            <li>
                                <a href=m.url.clone()><img src=m.url.clone() alt="" loading="lazy" class="thumb"/></a>
                                <p>{m.slug.clone()} " · " {format!("{:.1} KB", m.size as f64 / 1024.0)}</p>
                                <p class="muted">{if m.uploader.is_empty() { "anonymous".to_string() } else { m.uploader.clone() }}</p>
                                <p class="muted">{when(m.created_at)}</p>
                                <form method="post" action="/api/admin/delete_media">
                                    <input type="hidden" name="media_id" value=m.media_id.clone()/>
                                    <button class="button small danger">"Delete"</button>
                                </form>
                            </li>
                        }).collect::<Vec<_>>()}
                    </ul>
                </section>
            }
            .into_any()
        },
    )
}

/// `/admin/users?q=…&page=…`.
#[component]
pub fn UsersAdmin() -> impl IntoView {
    let query = use_query_map();
    dashboard_page(
        "Users",
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
            let pages = ((p.total + p.per_page - 1) / p.per_page).max(1);
            view! {
                <section class="card">
                    <form method="get" action="/admin/users" class="search">
                        <input name="q" value=q.clone() placeholder="nickname or openid" data-testid="user-search"/>
                        <button class="button small">"Search"</button>
                    </form>
                    <p class="muted" data-testid="user-total">{format!("{} user(s)", p.total)}</p>
                    <table class="table" data-testid="users">
                        <tr><th></th><th>"Nickname"</th><th>"Openid"</th><th>"Scope"</th><th>"First seen"</th><th>"Last seen"</th></tr>
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
        "Signature debugger",
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
                    <crate::debugger::SignDebugger url nonce timestamp initial=result/>
                </section>
                <Failures failures/>
            }
            .into_any()
        },
    )
}

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

/// `/admin/account`: what is configured, and the form to change it. Secrets
/// are write-only: the form shows whether one is set, and an empty field keeps it.
#[component]
pub fn AccountView() -> impl IntoView {
    dashboard_page(
        "Account",
        || (),
        |_| Box::pin(admin_account()),
        |a: AccountInfo| {
            let set = |b: bool| if b { "set (never shown)" } else { "not set" };
            let secret_hint = |b: bool| {
                if b {
                    "set: leave empty to keep it"
                } else {
                    "not set"
                }
            };
            view! {
                <section class="card">
                    <dl data-testid="account">
                        <dt>"Kind"</dt><dd>{a.kind.clone()}</dd>
                        <dt>"AppID"</dt><dd>{a.app_id.clone()}</dd>
                        <dt>"AppSecret"</dt><dd>{set(a.app_secret_set)}</dd>
                        <dt>"WeCom corp ID"</dt><dd>{a.corp_id.clone()}</dd>
                        <dt>"WeCom agent ID"</dt><dd>{a.agent_id.clone()}</dd>
                        <dt>"WeCom secret"</dt><dd>{set(a.corp_secret_set)}</dd>
                        <dt>"JS interface safe domains"</dt><dd>{a.js_domains.join(", ")}</dd>
                        <dt>"Token mode"</dt><dd>{a.token_mode.clone()}</dd>
                        <dt>"Message-server token"</dt><dd>{set(a.mp_token_set)}</dd>
                    </dl>
                </section>
                <section class="card">
                    <h2>"Change the account"</h2>
                    {form_error::<AdminSaveAccount>()}
                    <form method="post" action="/api/admin/save_account" class="grid-form" data-testid="account-form">
                        <label>"Kind"
                            <select name="form[kind]">
                                <option value="official" selected=a.kind == "official">"official (Official Account)"</option>
                                <option value="wecom" selected=a.kind == "wecom">"wecom (WeCom corp)"</option>
                            </select>
                        </label>
                        <label>"AppID" <input name="form[app_id]" value=a.app_id.clone() required/></label>
                        <label>"AppSecret" <input name="form[app_secret]" type="password" autocomplete="off" placeholder=secret_hint(a.app_secret_set)/></label>
                        <label>"WeCom corp ID" <input name="form[corp_id]" value=a.corp_id.clone()/></label>
                        <label>"WeCom agent ID" <input name="form[agent_id]" value=a.agent_id.clone()/></label>
                        <label>"WeCom secret" <input name="form[corp_secret]" type="password" autocomplete="off" placeholder=secret_hint(a.corp_secret_set)/></label>
                        <label>"JS interface safe domains (comma-separated)" <input name="form[js_domains]" value=a.js_domains.join(",") required/></label>
                        <label>"Token mode"
                            <select name="form[token_mode]">
                                <option value="client_credential" selected=a.token_mode == "client_credential">"client_credential"</option>
                                <option value="stable" selected=a.token_mode == "stable">"stable (safe when other systems also fetch tokens)"</option>
                            </select>
                        </label>
                        <label>"Your password (required to replace a secret)" <input name="form[password]" type="password" autocomplete="current-password" data-testid="confirm-password"/></label>
                        <button class="button small" data-testid="save-account">"Save the account"</button>
                    </form>
                    <p class="muted">"Saved settings override the WXKIT_* environment and reach every wxkit process within seconds."</p>
                </section>
            }
            .into_any()
        },
    )
}
