//! Upload quotas: all stored uploads, images and voices together
//! (`WXKIT_MEDIA_MAX_TOTAL_BYTES`), and the uploads of one visitor
//! (`WXKIT_MEDIA_MAX_VISITOR_BYTES`; the visitor is the signed-in openid, else
//! the client IP). Before each `media/get` the room left under both is
//! reserved in this process, so uploads running at the same time cannot each
//! spend the same room; a reservation is released when the file is stored
//! (the row counts from then on) or given up.

use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Which limit bounds one download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `WXKIT_MEDIA_MAX_BYTES`, the largest file kept.
    File,
    /// What is left of the total quota.
    Total,
    /// What is left of the visitor's quota.
    Visitor,
}

/// A quota with no room left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuotaFull {
    #[error("the site's upload storage ({0} bytes) is full: no more uploads can be kept")]
    Total(u64),
    #[error("your upload quota ({0} bytes) is used up: no more uploads can be kept from you")]
    Visitor(u64),
}

impl QuotaFull {
    /// The quota, named for the visitor.
    pub fn name(&self) -> String {
        match self {
            QuotaFull::Total(n) => format!("the site's upload storage ({n} bytes)"),
            QuotaFull::Visitor(n) => format!("your upload quota ({n} bytes)"),
        }
    }
}

#[derive(Default)]
struct Reserved {
    total: u64,
    per_visitor: HashMap<String, u64>,
}

/// The two quotas and what uploads in flight have reserved of them.
pub struct Quotas {
    pub max_total: u64,
    pub max_visitor: u64,
    reserved: Arc<Mutex<Reserved>>,
    /// Serialises "sum what is stored, then reserve" within this process.
    check: tokio::sync::Mutex<()>,
}

/// Room reserved for one download; released on drop.
pub struct Reservation {
    /// The most this download may bring.
    pub max_bytes: usize,
    /// Which limit that is.
    pub bound: Bound,
    visitor: String,
    reserved: Arc<Mutex<Reserved>>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut r = self.reserved.lock().unwrap_or_else(|p| p.into_inner());
        let n = self.max_bytes as u64;
        r.total = r.total.saturating_sub(n);
        if let Some(v) = r.per_visitor.get_mut(&self.visitor) {
            *v = v.saturating_sub(n);
            if *v == 0 {
                r.per_visitor.remove(&self.visitor);
            }
        }
    }
}

impl Quotas {
    pub fn new(max_total: u64, max_visitor: u64) -> Quotas {
        Quotas {
            max_total,
            max_visitor,
            reserved: Arc::default(),
            check: tokio::sync::Mutex::new(()),
        }
    }

    /// Reserves room for one upload of `visitor`: the smallest of `max_file`
    /// and what is left of each quota. `Ok(Err(_))` when a quota is full.
    pub async fn reserve(
        &self,
        db: &AnyPool,
        visitor: &str,
        max_file: usize,
    ) -> Result<Result<Reservation, QuotaFull>, sqlx::Error> {
        let _one_at_a_time = self.check.lock().await;
        // CAST: PostgreSQL's SUM of a BIGINT is a NUMERIC.
        let total: i64 =
            sqlx::query_scalar("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM media")
                .fetch_one(db)
                .await?;
        let mine: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM media WHERE visitor = $1",
        )
        .bind(visitor)
        .fetch_one(db)
        .await?;
        let mut r = self.reserved.lock().unwrap_or_else(|p| p.into_inner());
        let left_total = self
            .max_total
            .saturating_sub(total.max(0) as u64)
            .saturating_sub(r.total);
        let left_mine = self
            .max_visitor
            .saturating_sub(mine.max(0) as u64)
            .saturating_sub(r.per_visitor.get(visitor).copied().unwrap_or(0));
        if left_total == 0 {
            return Ok(Err(QuotaFull::Total(self.max_total)));
        }
        if left_mine == 0 {
            return Ok(Err(QuotaFull::Visitor(self.max_visitor)));
        }
        let (max_bytes, bound) = [
            (max_file as u64, Bound::File),
            (left_total, Bound::Total),
            (left_mine, Bound::Visitor),
        ]
        .into_iter()
        .min_by_key(|(n, _)| *n)
        .expect("three candidates");
        r.total += max_bytes;
        *r.per_visitor.entry(visitor.to_string()).or_default() += max_bytes;
        Ok(Ok(Reservation {
            max_bytes: max_bytes as usize,
            bound,
            visitor: visitor.to_string(),
            reserved: self.reserved.clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reservations_share_the_room_left_and_give_it_back() {
        sqlx::any::install_default_drivers();
        // One connection: each would have its own in-memory database.
        let db = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("CREATE TABLE media (size BIGINT NOT NULL, visitor TEXT NOT NULL)")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("INSERT INTO media (size, visitor) VALUES (600, 'ip:1.2.3.4')")
            .execute(&db)
            .await
            .unwrap();
        let q = Quotas::new(10_000, 1000);
        let a = q.reserve(&db, "ip:1.2.3.4", 5000).await.unwrap().unwrap();
        assert_eq!((a.max_bytes, a.bound), (400, Bound::Visitor));
        // Everything left is reserved by the download in flight.
        assert_eq!(
            q.reserve(&db, "ip:1.2.3.4", 5000).await.unwrap().err(),
            Some(QuotaFull::Visitor(1000))
        );
        let b = q.reserve(&db, "openid:o1", 5000).await.unwrap().unwrap();
        assert_eq!((b.max_bytes, b.bound), (1000, Bound::Visitor));
        let c = q.reserve(&db, "openid:o2", 100).await.unwrap().unwrap();
        assert_eq!((c.max_bytes, c.bound), (100, Bound::File));
        drop(a);
        let d = q.reserve(&db, "ip:1.2.3.4", 5000).await.unwrap().unwrap();
        assert_eq!(d.max_bytes, 400);
        let full = Quotas::new(600, 1000);
        assert_eq!(
            full.reserve(&db, "openid:o3", 5000).await.unwrap().err(),
            Some(QuotaFull::Total(600)),
            "600 of 600 stored"
        );
    }
}
