//! Media: images people upload from a page. WeChat keeps an upload for 3 days
//! under its `serverId` (a media_id, "获取临时素材" / `cgi-bin/media/get`); the
//! server fetches the bytes through the credentials' token-retry path, reading
//! at most what the smallest of `WXKIT_MEDIA_MAX_BYTES` and the room left in
//! the quotas allows, checks the type, and keeps them under `<data dir>/media`.
//! A row ties each image to its page's stable id (never its slug: a new page
//! with a deleted page's slug starts empty) and to the visitor whose quota it
//! counts against. A media_id already stored is skipped; WeChat's JSON error
//! replies become clear errors. Serving is in [`serve`], quotas in [`quota`].

pub mod quota;
pub mod serve;

use crate::credentials::{CredentialError, Credentials, Kind};
use crate::limits::{Limited, PerKey};
use crate::wechat::{self, Download};
use app::media::StoredImage;
pub use quota::Quotas;
use quota::{Bound, QuotaFull};
use sqlx::AnyPool;
use std::path::PathBuf;
use std::sync::Arc;

/// At most this many images per request (WeChat's chooseImage maximum).
pub const MAX_PER_REQUEST: usize = 9;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("`{0}` is not a media_id")]
    BadId(String),
    #[error("at most {MAX_PER_REQUEST} images at a time")]
    TooMany,
    #[error("there is no page `{0}`")]
    NoPage(String),
    #[error("media {id} is {content_type}, not an image")]
    NotAnImage { id: String, content_type: String },
    #[error("media {id} is at least {size} bytes; at most {max} are kept")]
    TooLarge { id: String, size: u64, max: usize },
    #[error(transparent)]
    QuotaFull(#[from] QuotaFull),
    #[error("media {id} is larger than the {left} bytes left of {}", quota.name())]
    OverQuota {
        id: String,
        left: usize,
        quota: QuotaFull,
    },
    #[error("too many images fetched from WeChat for this address: {0}")]
    Limited(#[from] Limited),
    #[error(transparent)]
    Credential(#[from] CredentialError),
    #[error("cannot store the image: {0}")]
    Io(#[from] std::io::Error),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

pub struct MediaStore {
    pub db: AnyPool,
    pub credentials: Arc<Credentials>,
    pub api: Arc<wechat::Api>,
    pub dir: PathBuf,
    pub max_bytes: usize,
    /// `WXKIT_MEDIA_MAX_TOTAL_BYTES` and `WXKIT_MEDIA_MAX_VISITOR_BYTES`.
    pub quotas: Quotas,
}

/// Who is uploading, as quotas and rate limits count them.
#[derive(Debug, Clone)]
pub struct Uploader {
    /// The signed-in visitor's openid, or empty.
    pub openid: String,
    /// The per-visitor quota's key: `openid:…` when signed in, else `ip:…`.
    pub visitor: String,
    /// The client IP's limiter key (`media/get` calls per IP).
    pub ip_key: String,
}

impl Uploader {
    pub fn new(openid: Option<String>, ip: crate::client_ip::ClientIp) -> Uploader {
        let ip_key = ip.limit_key();
        let visitor = match &openid {
            Some(o) => format!("openid:{o}"),
            None => format!("ip:{ip_key}"),
        };
        Uploader {
            openid: openid.unwrap_or_default(),
            visitor,
            ip_key,
        }
    }
}

/// The file extension for an image type wxkit keeps.
fn extension(content_type: &str) -> Option<&'static str> {
    Some(match content_type.split(';').next().unwrap_or("").trim() {
        "image/jpeg" | "image/jpg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => return None,
    })
}

/// The Content-Type a kept image is served with.
pub(crate) fn served_type(content_type: &str) -> &'static str {
    match extension(content_type) {
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => "image/jpeg",
    }
}

/// A stored file's name as wxkit makes them: lower-case hex, a dot, a known
/// extension. Nothing else is ever joined onto the media directory.
pub(crate) fn valid_file(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    (1..=128).contains(&stem.len())
        && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && matches!(ext, "jpg" | "png" | "gif" | "webp")
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[derive(sqlx::FromRow)]
struct Row {
    media_id: String,
    file: String,
    content_type: String,
    size: i64,
}

impl From<Row> for StoredImage {
    fn from(r: Row) -> Self {
        StoredImage {
            media_id: r.media_id,
            url: format!("/media/{}", r.file),
            content_type: r.content_type,
            size: r.size,
        }
    }
}

impl MediaStore {
    /// The stable id of page `slug`. A page a later migration inserted
    /// without one gets one now.
    async fn page_id(&self, slug: &str) -> Result<Option<String>, sqlx::Error> {
        let q = "SELECT id FROM pages WHERE slug = $1";
        let id: Option<String> = sqlx::query_scalar(q)
            .bind(slug)
            .fetch_optional(&self.db)
            .await?;
        match id {
            Some(id) if id.is_empty() => {
                sqlx::query("UPDATE pages SET id = $1 WHERE slug = $2 AND id = ''")
                    .bind(crate::share::new_page_id())
                    .bind(slug)
                    .execute(&self.db)
                    .await?;
                sqlx::query_scalar(q)
                    .bind(slug)
                    .fetch_optional(&self.db)
                    .await
            }
            other => Ok(other),
        }
    }

    /// Downloads and keeps the images `ids` uploaded from page `slug` by
    /// `who`, one after the other; answers the page's gallery afterwards.
    /// Each download first reserves room in the quotas, then counts once
    /// against `gets` (per client IP): a full quota or a spent limit refuses
    /// before WeChat is asked.
    pub async fn save(
        &self,
        slug: &str,
        ids: &[String],
        who: &Uploader,
        gets: &PerKey,
    ) -> Result<Vec<StoredImage>, MediaError> {
        if ids.len() > MAX_PER_REQUEST {
            return Err(MediaError::TooMany);
        }
        if let Some(bad) = ids.iter().find(|id| !valid_id(id)) {
            return Err(MediaError::BadId(bad.chars().take(40).collect()));
        }
        let Some(page_id) = self.page_id(slug).await? else {
            return Err(MediaError::NoPage(slug.to_string()));
        };
        // Strictly increasing, so images saved within one millisecond keep their order.
        let mut uploaded_ms = 0;
        for id in ids {
            let known: Option<String> =
                sqlx::query_scalar("SELECT media_id FROM media WHERE media_id = $1")
                    .bind(id)
                    .fetch_optional(&self.db)
                    .await?;
            if known.is_some() {
                continue;
            }
            let room = self
                .quotas
                .reserve(&self.db, &who.visitor, self.max_bytes)
                .await??;
            gets.check(&who.ip_key)?;
            let url = self.api.mp("/cgi-bin/media/get");
            let max = room.max_bytes;
            let download = self
                .credentials
                .call_with_token(Kind::AccessToken, |token| {
                    let (client, url) = (self.api.client.clone(), url.clone());
                    async move {
                        let query = [("access_token", token.as_str()), ("media_id", id.as_str())];
                        client.get_bytes_limited(&url, &query, max).await
                    }
                })
                .await?;
            let (content_type, bytes) = match download {
                Download::Complete {
                    content_type,
                    bytes,
                } => (content_type, bytes),
                Download::TooLarge { at_least } => {
                    let id = id.clone();
                    return Err(match room.bound {
                        Bound::File => MediaError::TooLarge {
                            id,
                            size: at_least,
                            max: self.max_bytes,
                        },
                        Bound::Total => MediaError::OverQuota {
                            id,
                            left: max,
                            quota: QuotaFull::Total(self.quotas.max_total),
                        },
                        Bound::Visitor => MediaError::OverQuota {
                            id,
                            left: max,
                            quota: QuotaFull::Visitor(self.quotas.max_visitor),
                        },
                    });
                }
            };
            let Some(ext) = extension(&content_type) else {
                return Err(MediaError::NotAnImage {
                    id: id.clone(),
                    content_type,
                });
            };
            uploaded_ms = crate::db::now_ms().max(uploaded_ms + 1);
            let image = NewImage {
                media_id: id,
                page_id: &page_id,
                slug,
                ext,
                content_type: &content_type,
                bytes: &bytes,
                who,
                uploaded_ms,
            };
            self.store(image).await?;
            crate::telemetry::metrics::upload("stored", bytes.len());
            // Stored: the row counts against the quotas from now on.
            drop(room);
        }
        self.list(slug).await
    }

    /// Writes one image and its row. A page deleted meanwhile takes the
    /// image with it.
    async fn store(&self, i: NewImage<'_>) -> Result<(), MediaError> {
        let file = format!(
            "{}.{}",
            hex::encode(<sha1::Sha1 as sha1::Digest>::digest(i.media_id.as_bytes())),
            i.ext
        );
        tokio::fs::create_dir_all(&self.dir).await?;
        tokio::fs::write(self.dir.join(&file), i.bytes).await?;
        let inserted = sqlx::query(
            "INSERT INTO media (media_id, slug, page_id, visitor, file, content_type, size, uploader,
                                created_at, uploaded_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (media_id) DO NOTHING",
        )
        .bind(i.media_id)
        .bind(i.slug)
        .bind(i.page_id)
        .bind(&i.who.visitor)
        .bind(&file)
        .bind(i.content_type)
        .bind(i.bytes.len() as i64)
        .bind(&i.who.openid)
        .bind(crate::db::now())
        .bind(i.uploaded_ms)
        .execute(&self.db)
        .await;
        if let Err(e) = inserted {
            self.remove_file(&file).await?;
            return Err(e.into());
        }
        let page: Option<String> = sqlx::query_scalar("SELECT id FROM pages WHERE id = $1")
            .bind(i.page_id)
            .fetch_optional(&self.db)
            .await?;
        if page.is_none() {
            self.delete(i.media_id).await?;
            return Err(MediaError::NoPage(i.slug.to_string()));
        }
        Ok(())
    }

    /// The images of page `slug`, newest first.
    pub async fn list(&self, slug: &str) -> Result<Vec<StoredImage>, MediaError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT m.media_id, m.file, m.content_type, m.size FROM media m
             JOIN pages p ON p.id = m.page_id
             WHERE p.slug = $1 AND m.page_id <> ''
             ORDER BY m.uploaded_ms DESC, m.media_id",
        )
        .bind(slug)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.into_iter().map(StoredImage::from).collect())
    }
}

/// One image on its way to storage.
struct NewImage<'a> {
    media_id: &'a str,
    page_id: &'a str,
    slug: &'a str,
    ext: &'static str,
    content_type: &'a str,
    bytes: &'a [u8],
    who: &'a Uploader,
    uploaded_ms: i64,
}

impl MediaStore {
    /// Every stored upload, newest first (for the dashboard), under its
    /// page's slug of today.
    pub async fn all(&self) -> Result<Vec<app::admin::MediaItem>, MediaError> {
        let rows: Vec<(String, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT m.media_id, COALESCE(p.slug, m.slug), m.file, m.uploader, m.size, m.created_at
             FROM media m LEFT JOIN pages p ON p.id = m.page_id AND m.page_id <> ''
             ORDER BY m.uploaded_ms DESC, m.media_id LIMIT 500",
        )
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(media_id, slug, file, uploader, size, created_at)| app::admin::MediaItem {
                    media_id,
                    slug,
                    url: format!("/media/{file}"),
                    uploader,
                    size,
                    created_at,
                },
            )
            .collect())
    }

    /// Deletes an upload and its file; `false` when there is no such upload.
    pub async fn delete(&self, media_id: &str) -> Result<bool, MediaError> {
        let file: Option<String> = sqlx::query_scalar("SELECT file FROM media WHERE media_id = $1")
            .bind(media_id)
            .fetch_optional(&self.db)
            .await?;
        let Some(file) = file else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM media WHERE media_id = $1")
            .bind(media_id)
            .execute(&self.db)
            .await?;
        self.remove_file(&file).await?;
        Ok(true)
    }

    /// Deletes every upload of the page with id `page_id` (rows and files);
    /// answers how many.
    pub async fn delete_page(&self, page_id: &str) -> Result<usize, MediaError> {
        if page_id.is_empty() {
            return Ok(0);
        }
        let ids: Vec<String> = sqlx::query_scalar("SELECT media_id FROM media WHERE page_id = $1")
            .bind(page_id)
            .fetch_all(&self.db)
            .await?;
        for id in &ids {
            self.delete(id).await?;
        }
        Ok(ids.len())
    }

    /// Removes a stored file (gone already is fine).
    async fn remove_file(&self, file: &str) -> Result<(), MediaError> {
        // The file name is ours (no separators), never the client's.
        if file.contains('/') || file.contains('\\') || file.contains("..") {
            return Ok(());
        }
        match tokio::fs::remove_file(self.dir.join(file)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// How a media failure is told to the browser; a disk or database failure is
/// logged (its detail stays on the server).
impl From<MediaError> for app::error::ApiError {
    fn from(e: MediaError) -> Self {
        use app::error::ApiError;
        match e {
            MediaError::Credential(c) => c.into(),
            MediaError::Limited(l) => ApiError::TooMany {
                message: MediaError::Limited(l).to_string(),
            },
            MediaError::QuotaFull(_) | MediaError::OverQuota { .. } => ApiError::TooMany {
                message: e.to_string(),
            },
            MediaError::BadId(_)
            | MediaError::TooMany
            | MediaError::NoPage(_)
            | MediaError::NotAnImage { .. }
            | MediaError::TooLarge { .. } => ApiError::bad_request(e.to_string()),
            MediaError::Io(_) | MediaError::Db(_) => {
                crate::api_error::internal("media", &e, "the image could not be stored")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_file_names_are_served() {
        assert!(valid_file("0a1b2c.jpg"));
        assert!(valid_file(&format!("{}.webp", "f".repeat(40))));
        for bad in [
            "../etc/passwd",
            "..%2Fx.jpg",
            "abc.jpg/../x",
            "ABC.jpg",
            "abc.svg",
            "abc.html",
            ".jpg",
            "abc",
            "abc.jpg.png",
        ] {
            assert!(!valid_file(bad), "{bad}");
        }
        assert_eq!(served_type("image/jpg"), "image/jpeg");
        assert_eq!(served_type("image/png; x=y"), "image/png");
    }
}
