//! Media: images people upload from a page. WeChat keeps an upload for 3 days
//! under its `serverId` (a media_id); the server fetches the bytes with
//! `cgi-bin/media/get` (through the credentials' token-retry path), checks the
//! type and size, and keeps them under `<data dir>/media`. A media_id already
//! stored is skipped. WeChat's JSON error replies become clear errors.

use crate::credentials::{CredentialError, Credentials, Kind};
use crate::wechat;
use app::media::StoredImage;
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
    #[error("media {id} is {size} bytes; at most {max} are kept")]
    TooLarge { id: String, size: usize, max: usize },
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
    pub client: wechat::Client,
    pub api: String,
    pub dir: PathBuf,
    pub max_bytes: usize,
}

fn extension(content_type: &str) -> Option<&'static str> {
    Some(match content_type.split(';').next().unwrap_or("").trim() {
        "image/jpeg" | "image/jpg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => return None,
    })
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
    /// Downloads and keeps the images `ids` uploaded from page `slug`, one
    /// after the other; answers the page's gallery afterwards.
    pub async fn save(
        &self,
        slug: &str,
        ids: &[String],
        uploader: &str,
    ) -> Result<Vec<StoredImage>, MediaError> {
        if ids.len() > MAX_PER_REQUEST {
            return Err(MediaError::TooMany);
        }
        if let Some(bad) = ids.iter().find(|id| !valid_id(id)) {
            return Err(MediaError::BadId(bad.chars().take(40).collect()));
        }
        let page: Option<String> = sqlx::query_scalar("SELECT slug FROM pages WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.db)
            .await?;
        if page.is_none() {
            return Err(MediaError::NoPage(slug.to_string()));
        }
        tokio::fs::create_dir_all(&self.dir).await?;
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
            let url = format!("{}/cgi-bin/media/get", self.api);
            let (content_type, bytes) = self
                .credentials
                .call_with_token(Kind::AccessToken, |token| {
                    let (client, url) = (self.client.clone(), url.clone());
                    async move {
                        client
                            .get_bytes(
                                &url,
                                &[("access_token", token.as_str()), ("media_id", id.as_str())],
                            )
                            .await
                    }
                })
                .await?;
            let Some(ext) = extension(&content_type) else {
                return Err(MediaError::NotAnImage {
                    id: id.clone(),
                    content_type,
                });
            };
            if bytes.len() > self.max_bytes {
                return Err(MediaError::TooLarge {
                    id: id.clone(),
                    size: bytes.len(),
                    max: self.max_bytes,
                });
            }
            let file = format!(
                "{}.{ext}",
                hex::encode(<sha1::Sha1 as sha1::Digest>::digest(id.as_bytes()))
            );
            tokio::fs::write(self.dir.join(&file), &bytes).await?;
            sqlx::query(
                "INSERT INTO media (media_id, slug, file, content_type, size, uploader, created_at, uploaded_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (media_id) DO NOTHING",
            )
            .bind(id)
            .bind(slug)
            .bind(&file)
            .bind(&content_type)
            .bind(bytes.len() as i64)
            .bind(uploader)
            .bind(crate::db::now())
            .bind({
                uploaded_ms = crate::db::now_ms().max(uploaded_ms + 1);
                uploaded_ms
            })
            .execute(&self.db)
            .await?;
        }
        self.list(slug).await
    }

    /// The images of page `slug`, newest first.
    pub async fn list(&self, slug: &str) -> Result<Vec<StoredImage>, MediaError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT media_id, file, content_type, size FROM media WHERE slug = $1 ORDER BY uploaded_ms DESC, media_id",
        )
        .bind(slug)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.into_iter().map(StoredImage::from).collect())
    }
}

impl MediaStore {
    /// Every stored upload, newest first (for the dashboard).
    pub async fn all(&self) -> Result<Vec<app::admin::MediaItem>, MediaError> {
        let rows: Vec<(String, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT media_id, slug, file, uploader, size, created_at FROM media
             ORDER BY uploaded_ms DESC, media_id LIMIT 500",
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
        // The file name is ours (no separators), never the client's.
        if !file.contains('/') && !file.contains("..") {
            match tokio::fs::remove_file(self.dir.join(&file)).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(true)
    }
}

/// How a media failure is told to the browser.
pub fn api_error(e: MediaError) -> app::jssdk::ApiError {
    use app::jssdk::ApiError;
    match e {
        MediaError::Credential(c) => crate::jssdk::api_error(c),
        MediaError::BadId(_)
        | MediaError::TooMany
        | MediaError::NoPage(_)
        | MediaError::NotAnImage { .. }
        | MediaError::TooLarge { .. } => ApiError::bad_request(e.to_string()),
        MediaError::Io(_) | MediaError::Db(_) => {
            tracing::error!("media: {e}");
            ApiError::Internal {
                message: "the image could not be stored".into(),
            }
        }
    }
}
