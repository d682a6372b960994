//! The in-app pages as every render reads them: a copy of the `pages` table
//! in memory, so that rendering a page (its metadata for the gate and the
//! signature, its content for the SSR) costs no database round trip.
//!
//! Invariants:
//! - Every write to `pages` bumps the `pages` row of `cache_versions`
//!   ([`bump`], in `crate::share`); each process re-reads the table when that
//!   version changed, at the latest [`RELOAD_EVERY`] after the write (at once
//!   in the process that wrote it). An operator editing `pages` by hand in
//!   SQL bumps the version the same way (the README says how).
//! - The version is read before the rows, so a write racing a reload is seen
//!   by the next reload at the latest: never stale for good. Reloads run one
//!   at a time, and the copy and its version are replaced together.
//! - When the database cannot be read, the last copy keeps being served: a
//!   database outage does not take the pages down.
//! - The copy holds only the pages an admin made: a visitor asking for a slug
//!   that does not exist grows nothing.

use crate::share::{PageMeta, PageRow};
use app::share::ServedPage;
use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How often each process looks at the pages' version.
pub const RELOAD_EVERY: Duration = Duration::from_secs(2);

/// One page, ready to render.
#[derive(Debug)]
pub struct CachedPage {
    pub meta: PageMeta,
    /// Its content and rendered fragments, shared with the renders that show
    /// it (no copy of the content per request); new with each copy of the
    /// pages, so a saved page starts with nothing rendered.
    pub served: ServedPage,
}

/// This process's copy of the pages.
pub struct PageCache {
    db: AnyPool,
    /// `scheme://host[:port]` that makes the pages' links absolute.
    origin: String,
    /// The copy, with the `cache_versions` version it was read at (-1:
    /// never read): one value, so a copy never carries another's version.
    copy: RwLock<Copy>,
    /// One reload at a time (the poll and an admin's save may overlap): an
    /// older read can never replace a newer one.
    reloading: tokio::sync::Mutex<()>,
}

struct Copy {
    version: i64,
    pages: Arc<HashMap<String, Arc<CachedPage>>>,
}

/// Marks the pages as changed for every process: run in the transaction
/// that writes to `pages` (so a write is never left without its bump).
pub async fn bump<'e>(e: impl sqlx::Executor<'e, Database = sqlx::Any>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cache_versions (name, version) VALUES ('pages', 1)
         ON CONFLICT (name) DO UPDATE SET version = cache_versions.version + 1",
    )
    .execute(e)
    .await?;
    Ok(())
}

impl PageCache {
    /// The pages as stored now.
    pub async fn load(db: AnyPool, origin: &str) -> Result<Arc<PageCache>, sqlx::Error> {
        let cache = Arc::new(PageCache {
            db,
            origin: origin.to_string(),
            copy: RwLock::new(Copy {
                version: -1,
                pages: Arc::new(HashMap::new()),
            }),
            reloading: tokio::sync::Mutex::new(()),
        });
        cache.reload().await?;
        Ok(cache)
    }

    /// Page `slug`, if there is one.
    pub fn get(&self, slug: &str) -> Option<Arc<CachedPage>> {
        let copy = self.copy.read().unwrap_or_else(|e| e.into_inner());
        copy.pages.get(slug).cloned()
    }

    /// Re-reads the pages when their version changed since the last read.
    /// `true`: the copy changed.
    pub async fn reload(&self) -> Result<bool, sqlx::Error> {
        let _one_at_a_time = self.reloading.lock().await;
        let version: i64 =
            sqlx::query_scalar("SELECT version FROM cache_versions WHERE name = 'pages'")
                .fetch_optional(&self.db)
                .await?
                .unwrap_or(0);
        if version == self.version() {
            return Ok(false);
        }
        let rows: Vec<PageRow> =
            sqlx::query_as(&format!("SELECT {} FROM pages", crate::share::PAGE_COLUMNS))
                .fetch_all(&self.db)
                .await?;
        let pages: HashMap<String, Arc<CachedPage>> = rows
            .into_iter()
            .map(|row| {
                let (meta, content) = PageMeta::with_content(row, &self.origin);
                let page = CachedPage {
                    meta,
                    served: ServedPage::new(content),
                };
                (page.meta.slug.clone(), Arc::new(page))
            })
            .collect();
        *self.copy.write().unwrap_or_else(|e| e.into_inner()) = Copy {
            version,
            pages: Arc::new(pages),
        };
        Ok(true)
    }

    fn version(&self) -> i64 {
        self.copy.read().unwrap_or_else(|e| e.into_inner()).version
    }

    /// Looks at the version every [`RELOAD_EVERY`], so a page an admin saved
    /// through another process reaches this one.
    pub fn spawn_reload(self: &Arc<Self>) {
        let me = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(RELOAD_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(cache) = me.upgrade() else { return };
                match cache.reload().await {
                    Ok(true) => tracing::debug!("pages changed: reloaded"),
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!("could not read the pages (serving the last copy): {e}")
                    }
                }
            }
        });
    }
}
