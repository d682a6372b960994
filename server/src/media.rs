//! Media: what people upload from a page, images (`wx.uploadImage`,
//! [`image`]) and voices (`wx.uploadVoice`, [`voice`]). WeChat keeps an
//! upload for 3 days under its `serverId` (a media_id, "获取临时素材" /
//! `cgi-bin/media/get`); the server fetches the bytes through the
//! credentials' token-retry path, reading at most what the smallest of
//! `WXKIT_MEDIA_MAX_BYTES` and the room left in the quotas allows, checks
//! them for their kind, and keeps them under `<data dir>/media`. A row ties
//! each file to its page's stable id (never its slug: a new page with a
//! deleted page's slug starts empty) and to the visitor whose quota it counts
//! against. A media_id already stored is skipped; WeChat's JSON error replies
//! become clear errors. Serving is in [`serve`], quotas in [`quota`], the
//! dashboard's listing and deleting in [`manage`].

pub mod image;
mod manage;
pub mod quota;
pub mod serve;
pub mod voice;

use crate::credentials::{self, CredentialError, Credentials};
use crate::limits::{Limited, PerKey};
use crate::wechat::{self, Download};
pub use quota::Quotas;
use quota::{Bound, QuotaFull};
use sqlx::AnyPool;
use std::path::PathBuf;
use std::sync::Arc;

/// At most this many uploads per request (WeChat's chooseImage maximum).
pub const MAX_PER_REQUEST: usize = 9;

/// A page lists at most this many images, and as many voices (the newest,
/// read through the `media_page_kind` index), however many are kept.
pub const LIST_MAX: i64 = 200;

/// What a media row holds (its `kind` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Image,
    Voice,
}

impl Kind {
    /// The `kind` column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Image => "image",
            Kind::Voice => "voice",
        }
    }

    /// The most a download of this kind may bring: `max_bytes`
    /// (`WXKIT_MEDIA_MAX_BYTES`), and for a voice no more than the longest
    /// one WeChat records.
    fn max_bytes(self, max_bytes: usize) -> usize {
        match self {
            Kind::Image => max_bytes,
            Kind::Voice => max_bytes.min(voice::MAX_BYTES),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Image => "an image",
            Kind::Voice => "a voice",
        }
    }
}

/// The file types wxkit keeps: a stored file's extension and the
/// Content-Type it is served with.
const TYPES: [(&str, &str); 5] = [
    ("jpg", "image/jpeg"),
    ("png", "image/png"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("amr", "audio/amr"),
];

/// A fetched file that passed its kind's check.
struct Checked {
    /// One of [`TYPES`]' extensions.
    ext: &'static str,
    /// How long a voice plays; 0 for an image.
    duration_ms: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("`{0}` is not a media_id")]
    BadId(String),
    #[error("at most {MAX_PER_REQUEST} uploads at a time")]
    TooMany,
    #[error("there is no page `{0}`")]
    NoPage(String),
    #[error("media {id} is {content_type}, not {}", kind.noun())]
    WrongKind {
        id: String,
        content_type: String,
        kind: Kind,
    },
    #[error("media {id} is not a voice WeChat recorded: {reason}")]
    BadVoice { id: String, reason: &'static str },
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
    #[error("too many uploads fetched from WeChat for this address: {0}")]
    Limited(#[from] Limited),
    #[error(transparent)]
    Credential(#[from] CredentialError),
    #[error("cannot store the upload: {0}")]
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

/// The Content-Type a kept file is served with, from its name's extension
/// (which its kind's check chose).
pub(crate) fn served_type(file: &str) -> &'static str {
    let ext = file.rsplit('.').next().unwrap_or("");
    TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map_or("application/octet-stream", |(_, t)| t)
}

/// A stored file's name as wxkit makes them: lower-case hex, a dot, a known
/// extension. Nothing else is ever joined onto the media directory.
pub(crate) fn valid_file(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    (1..=128).contains(&stem.len())
        && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && TYPES.iter().any(|(e, _)| *e == ext)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
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

    /// Downloads and keeps the uploads `ids` of `kind` from page `slug` by
    /// `who`, one after the other. Each download first reserves room in the
    /// quotas, then counts once against `gets` (per client IP): a full quota
    /// or a spent limit refuses before WeChat is asked. A file that fails its
    /// kind's check is not written.
    async fn save(
        &self,
        kind: Kind,
        slug: &str,
        ids: &[String],
        who: &Uploader,
        gets: &PerKey,
    ) -> Result<(), MediaError> {
        if ids.len() > MAX_PER_REQUEST {
            return Err(MediaError::TooMany);
        }
        if let Some(bad) = ids.iter().find(|id| !valid_id(id)) {
            return Err(MediaError::BadId(bad.chars().take(40).collect()));
        }
        let Some(page_id) = self.page_id(slug).await? else {
            return Err(MediaError::NoPage(slug.to_string()));
        };
        // Strictly increasing, so uploads saved within one millisecond keep their order.
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
                .reserve(&self.db, &who.visitor, kind.max_bytes(self.max_bytes))
                .await??;
            gets.check(&who.ip_key)?;
            let (content_type, bytes) = self.download(kind, id, &room).await?;
            let checked = match kind {
                Kind::Image => image::check(id, &content_type)?,
                Kind::Voice => voice::check(id, &content_type, &bytes)?,
            };
            uploaded_ms = crate::db::now_ms().max(uploaded_ms + 1);
            let upload = NewUpload {
                kind,
                media_id: id,
                page_id: &page_id,
                slug,
                checked,
                content_type: &content_type,
                bytes: &bytes,
                who,
                uploaded_ms,
            };
            self.store(upload).await?;
            crate::telemetry::metrics::upload("stored", bytes.len());
            // Stored: the row counts against the quotas from now on.
            drop(room);
        }
        Ok(())
    }

    /// `media/get` of `id`, reading at most what `room` allows: its
    /// Content-Type and bytes.
    async fn download(
        &self,
        kind: Kind,
        id: &str,
        room: &quota::Reservation,
    ) -> Result<(String, Vec<u8>), MediaError> {
        let url = self.api.mp("/cgi-bin/media/get");
        let max = room.max_bytes;
        let download = self
            .credentials
            .call_with_token(credentials::Kind::AccessToken, |token| {
                let (client, url) = (self.api.client.clone(), url.clone());
                async move {
                    let query = [("access_token", token.as_str()), ("media_id", id)];
                    client.get_bytes_limited(&url, &query, max).await
                }
            })
            .await?;
        match download {
            Download::Complete {
                content_type,
                bytes,
            } => Ok((content_type, bytes)),
            Download::TooLarge { at_least } => {
                let id = id.to_string();
                Err(match room.bound {
                    Bound::File => MediaError::TooLarge {
                        id,
                        size: at_least,
                        max: kind.max_bytes(self.max_bytes),
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
                })
            }
        }
    }

    /// Writes one upload and its row. A page deleted meanwhile takes the
    /// upload with it.
    async fn store(&self, i: NewUpload<'_>) -> Result<(), MediaError> {
        let file = format!(
            "{}.{}",
            hex::encode(<sha1::Sha1 as sha1::Digest>::digest(i.media_id.as_bytes())),
            i.checked.ext
        );
        tokio::fs::create_dir_all(&self.dir).await?;
        // Written aside, then renamed: a full disk or a crash never leaves a
        // partial file under a name that is served.
        let part = self.dir.join(format!("{file}.part"));
        if let Err(e) = tokio::fs::write(&part, i.bytes).await {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(e.into());
        }
        tokio::fs::rename(&part, self.dir.join(&file)).await?;
        let inserted = sqlx::query(
            "INSERT INTO media (media_id, slug, page_id, visitor, file, content_type, size, uploader,
                                created_at, uploaded_ms, kind, duration_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (media_id) DO NOTHING",
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
        .bind(i.kind.as_str())
        .bind(i.checked.duration_ms)
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
}

/// One upload on its way to storage.
struct NewUpload<'a> {
    kind: Kind,
    media_id: &'a str,
    page_id: &'a str,
    slug: &'a str,
    checked: Checked,
    content_type: &'a str,
    bytes: &'a [u8],
    who: &'a Uploader,
    uploaded_ms: i64,
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
            | MediaError::WrongKind { .. }
            | MediaError::BadVoice { .. }
            | MediaError::TooLarge { .. } => ApiError::bad_request(e.to_string()),
            MediaError::Io(_) | MediaError::Db(_) => {
                crate::api_error::internal("media", &e, "the upload could not be stored")
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
        assert!(valid_file("0a1b2c.amr"));
        assert_eq!(served_type("0a.jpg"), "image/jpeg");
        assert_eq!(served_type("0a.png"), "image/png");
        assert_eq!(served_type("0a.amr"), "audio/amr");
        assert_eq!(served_type("0a.html"), "application/octet-stream");
    }
}
