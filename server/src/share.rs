//! Pages and sharing, server side: loads a page with its share content made
//! absolute (a missing link is the page's own URL, a missing image the site's
//! default), counts share outcomes per page and day, and stores the config
//! failures pages report; and the pages, share counts and reports as the
//! dashboard lists, edits and deletes them.

use crate::api_error::DbFailure;
use app::admin::{FailureReport, PageSummary, ShareDay};
use app::backend::is_known_api;
use app::share::{ConfigFailure, PageContent};
use app::wx::{AppMessageShare, ChooseImage, TimelineShare};
use sqlx::AnyPool;

/// The columns of [`PageRow`], in a `SELECT`.
pub(crate) const PAGE_COLUMNS: &str =
    "slug, title, body, share_title, share_desc, share_link, share_image, timeline_title,
     timeline_link, timeline_image, js_api_list, image_count, image_source, image_size, auth_scope,
     menu_hidden, lang";

/// A stored page, as renders read it (through [`crate::page_cache`]).
#[derive(sqlx::FromRow)]
pub(crate) struct PageRow {
    slug: String,
    title: String,
    body: String,
    share_title: String,
    share_desc: String,
    share_link: String,
    share_image: String,
    timeline_title: String,
    timeline_link: String,
    timeline_image: String,
    js_api_list: String,
    image_count: i64,
    image_source: String,
    image_size: String,
    auth_scope: String,
    menu_hidden: String,
    lang: String,
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn or<'a>(value: &'a str, fallback: &'a str) -> &'a str {
    if value.trim().is_empty() {
        fallback
    } else {
        value
    }
}

/// The JS-SDK APIs a page's stored list names (unknown names dropped),
/// always with `checkJsApi`, and the menu APIs its hidden menu items need.
fn api_list(stored: &str, menu_hidden: &[String]) -> Vec<String> {
    let mut apis: Vec<String> = list(stored)
        .into_iter()
        .filter(|a| is_known_api(a))
        .collect();
    let all = menu_hidden.iter().any(|m| m == app::wx::ALL_NON_BASE);
    let named = menu_hidden.iter().any(|m| m != app::wx::ALL_NON_BASE);
    for (needed, api) in [
        (true, "checkJsApi"),
        (all, "hideAllNonBaseMenuItem"),
        (named, "hideMenuItems"),
    ] {
        if needed && !apis.iter().any(|a| a == api) {
            apis.push(api.into());
        }
    }
    apis
}

/// A stored page's hidden menu items; an entry that does not parse (a row
/// written before the check, or by hand) is dropped with a warning, the
/// others stay.
fn menu_hidden(slug: &str, stored: &str) -> Vec<String> {
    let (good, bad) = app::wx::filter_hidden(stored);
    if !bad.is_empty() {
        tracing::warn!(
            page = slug,
            ?bad,
            "a page's hidden menu items name what WeChat's list does not (ignored)"
        );
    }
    good
}

/// What the server needs to know of an in-app page before rendering it.
#[derive(Debug, Clone)]
pub struct PageMeta {
    pub slug: String,
    /// The jsApiList it signs for.
    pub apis: Vec<String>,
    /// `none`, `snsapi_base` or `snsapi_userinfo`.
    pub auth_scope: String,
    /// The language the page is pinned to; `None`: the visitor's.
    pub lang: Option<app::i18n::Lang>,
}

/// The slug of an in-app page path (`/p/{slug}…`).
pub fn page_slug(path: &str) -> Option<&str> {
    path.strip_prefix("/p/")
        .and_then(|rest| rest.split('/').next())
        .filter(|s| !s.is_empty())
}

impl PageMeta {
    /// Page `r`'s meta and its content (`origin` makes links absolute),
    /// read once: the meta's jsApiList is the content's.
    pub(crate) fn with_content(r: PageRow, origin: &str) -> (PageMeta, PageContent) {
        let auth_scope = r.auth_scope.clone();
        let lang = app::i18n::Lang::from_tag(&r.lang);
        let content = page_content(r, origin);
        let meta = PageMeta {
            slug: content.slug.clone(),
            apis: content.js_api_list.clone(),
            auth_scope,
            lang,
        };
        (meta, content)
    }
}

/// Page `r` as the browser gets it; `origin` makes links absolute.
fn page_content(r: PageRow, origin: &str) -> PageContent {
    let own_url = format!("{origin}/p/{}", r.slug);
    let default_image = format!("{origin}/share.png");
    let friend = AppMessageShare {
        title: or(&r.share_title, &r.title).to_string(),
        desc: r.share_desc.clone(),
        link: or(&r.share_link, &own_url).to_string(),
        img_url: or(&r.share_image, &default_image).to_string(),
    };
    let timeline = TimelineShare {
        title: or(&r.timeline_title, &friend.title).to_string(),
        link: or(&r.timeline_link, &friend.link).to_string(),
        img_url: or(&r.timeline_image, &friend.img_url).to_string(),
    };
    let menu_hidden = menu_hidden(&r.slug, &r.menu_hidden);
    let js_api_list = api_list(&r.js_api_list, &menu_hidden);
    PageContent {
        slug: r.slug,
        title: r.title,
        body: r.body,
        friend,
        timeline,
        js_api_list,
        choose: ChooseImage {
            count: r.image_count.clamp(1, 9) as u32,
            size_type: list(&r.image_size),
            source_type: list(&r.image_source),
        },
        menu_hidden,
    }
}

/// Counts one share outcome for today (UTC). `false`: no such page.
pub async fn record_share(
    db: &AnyPool,
    slug: &str,
    channel: &str,
    outcome: &str,
) -> Result<bool, DbFailure> {
    let exists: Option<String> = sqlx::query_scalar("SELECT slug FROM pages WHERE slug = $1")
        .bind(slug)
        .fetch_optional(db)
        .await?;
    if exists.is_none() {
        return Ok(false);
    }
    let day = time::OffsetDateTime::now_utc().date().to_string();
    sqlx::query(
        "INSERT INTO share_events (slug, channel, outcome, day, count) VALUES ($1, $2, $3, $4, 1)
         ON CONFLICT (slug, channel, outcome, day) DO UPDATE SET count = share_events.count + 1",
    )
    .bind(slug)
    .bind(channel)
    .bind(outcome)
    .bind(day)
    .execute(db)
    .await?;
    Ok(true)
}

/// Share outcomes per page and day, for the dashboard.
pub async fn share_activity(db: &AnyPool) -> Result<Vec<ShareDay>, DbFailure> {
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT slug, day,
                SUM(CASE WHEN outcome = 'success' THEN count ELSE 0 END),
                SUM(CASE WHEN outcome = 'cancel' THEN count ELSE 0 END)
         FROM share_events GROUP BY slug, day ORDER BY slug, day",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(slug, day, successes, cancels)| ShareDay {
            slug,
            day,
            successes,
            cancels,
        })
        .collect())
}

/// The longest field of a config-failure report that is kept (longer ones are cut).
const REPORT_FIELD_MAX: usize = 2048;

/// Stores a config failure report: an identical one (same page URL, signed
/// URL, user agent and error) is counted, not stored again; past `max` rows
/// the least recently seen are dropped.
pub async fn store_config_failure(
    db: &AnyPool,
    r: &ConfigFailure,
    max: u64,
) -> Result<(), DbFailure> {
    let cut = |s: &str| s.chars().take(REPORT_FIELD_MAX).collect::<String>();
    let (page_url, signed_url, user_agent, err_msg) = (
        cut(&r.page_url),
        cut(&r.signed_url),
        cut(&r.user_agent),
        cut(&r.err_msg),
    );
    let fingerprint = {
        use sha1::Digest;
        let mut h = sha1::Sha1::new();
        for part in [&page_url, &signed_url, &user_agent, &err_msg] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        hex::encode(h.finalize())
    };
    let now = crate::db::now();
    let count: i64 = sqlx::query_scalar(
        "INSERT INTO config_failures (id, page_url, signed_url, user_agent, err_msg, created_at,
                                      fingerprint, count, last_seen)
         VALUES ($1, $2, $3, $4, $5, $6, $1, 1, $6)
         ON CONFLICT (fingerprint) DO UPDATE SET count = config_failures.count + 1,
                                                 last_seen = excluded.last_seen
         RETURNING count",
    )
    .bind(&fingerprint)
    .bind(&page_url)
    .bind(&signed_url)
    .bind(&user_agent)
    .bind(&err_msg)
    .bind(now)
    .fetch_one(db)
    .await?;
    if count == 1 {
        // A new row: drop whatever is past the newest `max` (by the index).
        let edge: Option<(i64, String)> = sqlx::query_as(
            "SELECT last_seen, fingerprint FROM config_failures
             ORDER BY last_seen DESC, fingerprint DESC LIMIT 1 OFFSET $1",
        )
        .bind(max as i64)
        .fetch_optional(db)
        .await?;
        if let Some((last_seen, fp)) = edge {
            sqlx::query(
                "DELETE FROM config_failures
                 WHERE last_seen < $1 OR (last_seen = $1 AND fingerprint <= $2)",
            )
            .bind(last_seen)
            .bind(fp)
            .execute(db)
            .await?;
        }
    }
    Ok(())
}

/// The 100 most recently seen config-failure reports, with no diagnosis yet
/// (`diagnosis` empty).
pub async fn config_failures(db: &AnyPool) -> Result<Vec<FailureReport>, DbFailure> {
    let rows: Vec<(String, String, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT page_url, signed_url, user_agent, err_msg, created_at, count, last_seen
         FROM config_failures ORDER BY last_seen DESC, fingerprint LIMIT 100",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(page_url, signed_url, user_agent, err_msg, created_at, count, last_seen)| {
                FailureReport {
                    page_url,
                    signed_url,
                    user_agent,
                    err_msg,
                    created_at,
                    diagnosis: String::new(),
                    count,
                    last_seen,
                }
            },
        )
        .collect())
}

/// Every page, by slug, as the dashboard lists them.
pub async fn page_summaries(db: &AnyPool) -> Result<Vec<PageSummary>, DbFailure> {
    let rows: Vec<(String, String, String, i64)> =
        sqlx::query_as("SELECT slug, title, auth_scope, updated_at FROM pages ORDER BY slug")
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(slug, title, auth_scope, updated_at)| PageSummary {
            slug,
            title,
            auth_scope,
            updated_at,
        })
        .collect())
}

/// Deletes page `slug`. `None`: there was no such page; else the deleted
/// page's id (what its uploads belong to; empty if it was not read).
pub async fn delete_page(db: &AnyPool, slug: &str) -> Result<Option<String>, DbFailure> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM pages WHERE slug = $1")
        .bind(slug)
        .fetch_optional(db)
        .await?;
    let mut tx = db.begin().await?;
    let done = sqlx::query("DELETE FROM pages WHERE slug = $1")
        .bind(slug)
        .execute(&mut *tx)
        .await?;
    crate::page_cache::bump(&mut *tx).await?;
    tx.commit().await?;
    Ok((done.rows_affected() != 0).then(|| id.unwrap_or_default()))
}

/// What saving a page came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    Ok,
    /// Another page has the slug.
    SlugTaken,
    /// The page to update is gone.
    Missing,
}

#[derive(sqlx::FromRow)]
struct FormRow {
    slug: String,
    title: String,
    body: String,
    auth_scope: String,
    js_api_list: String,
    share_title: String,
    share_desc: String,
    share_link: String,
    share_image: String,
    timeline_title: String,
    timeline_link: String,
    timeline_image: String,
    menu_hidden: String,
    lang: String,
}

/// Page `slug` as the dashboard edits it.
pub async fn page_form(
    db: &AnyPool,
    slug: &str,
) -> Result<Option<app::admin::PageForm>, DbFailure> {
    let row: Option<FormRow> = sqlx::query_as(
        "SELECT slug, title, body, auth_scope, js_api_list, share_title, share_desc, share_link,
                share_image, timeline_title, timeline_link, timeline_image, menu_hidden, lang
         FROM pages WHERE slug = $1",
    )
    .bind(slug)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| app::admin::PageForm {
        slug: r.slug,
        title: r.title,
        body: r.body,
        auth_scope: r.auth_scope,
        js_api_list: r.js_api_list,
        share_title: r.share_title,
        share_desc: r.share_desc,
        share_link: r.share_link,
        share_image: r.share_image,
        timeline_title: r.timeline_title,
        timeline_link: r.timeline_link,
        timeline_image: r.timeline_image,
        // What the editor can show and save again: only valid entries.
        menu_hidden: app::wx::filter_hidden(&r.menu_hidden).0.join(","),
        lang: r.lang,
    }))
}

/// A new page's stable id: what its uploads belong to, whatever its slug
/// becomes (22 characters of `[A-Za-z0-9]` from the thread's CSPRNG).
pub fn new_page_id() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    format!("pg_{}", Alphanumeric.sample_string(&mut rand::rng(), 22))
}

/// Creates (`original` empty, with a new [`new_page_id`]) or updates page
/// `original` (possibly renaming it; its id, and so its images, stay) from a
/// validated form. The in-app page shows it on its next load.
pub async fn save_page(
    db: &AnyPool,
    original: &str,
    f: &app::admin::PageForm,
) -> Result<Saved, DbFailure> {
    let slug = f.slug.trim();
    if slug != original {
        let taken: Option<String> = sqlx::query_scalar("SELECT slug FROM pages WHERE slug = $1")
            .bind(slug)
            .fetch_optional(db)
            .await?;
        if taken.is_some() {
            return Ok(Saved::SlugTaken);
        }
    }
    let apis: Vec<&str> = f
        .js_api_list
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    let now = crate::db::now();
    let sql = if original.is_empty() {
        "INSERT INTO pages (title, body, auth_scope, js_api_list, share_title, share_desc, share_link,
                            share_image, timeline_title, timeline_link, timeline_image, slug,
                            created_at, updated_at, id, menu_hidden, lang)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15, $16)"
    } else {
        "UPDATE pages SET title = $1, body = $2, auth_scope = $3, js_api_list = $4, share_title = $5,
                share_desc = $6, share_link = $7, share_image = $8, timeline_title = $9,
                timeline_link = $10, timeline_image = $11, slug = $12, updated_at = $13,
                menu_hidden = $15, lang = $16
         WHERE slug = $14"
    };
    let mut q = sqlx::query(sql)
        .bind(f.title.trim())
        .bind(f.body.trim())
        .bind(&f.auth_scope)
        .bind(apis.join(","))
        .bind(f.share_title.trim())
        .bind(f.share_desc.trim())
        .bind(f.share_link.trim())
        .bind(f.share_image.trim())
        .bind(f.timeline_title.trim())
        .bind(f.timeline_link.trim())
        .bind(f.timeline_image.trim())
        .bind(slug)
        .bind(now);
    q = if original.is_empty() {
        q.bind(new_page_id())
    } else {
        q.bind(original)
    };
    // Validated by the caller: the normalised list.
    q = q.bind(app::wx::filter_hidden(&f.menu_hidden).0.join(","));
    q = q.bind(f.lang.trim());
    let mut tx = db.begin().await?;
    let done = q.execute(&mut *tx).await?;
    crate::page_cache::bump(&mut *tx).await?;
    tx.commit().await?;
    Ok(if done.rows_affected() == 1 {
        Saved::Ok
    } else {
        Saved::Missing
    })
}
