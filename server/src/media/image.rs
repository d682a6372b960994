//! Images from a page (`wx.chooseImage` + `wx.uploadImage`): which types are
//! kept, saving a page's uploads and listing its gallery.

use super::{Checked, Kind, MediaError, MediaStore, Uploader};
use crate::limits::PerKey;
use app::media::StoredImage;

/// The file extension of an image type wxkit keeps.
fn extension(content_type: &str) -> Option<&'static str> {
    Some(match content_type.split(';').next().unwrap_or("").trim() {
        "image/jpeg" | "image/jpg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => return None,
    })
}

/// An image is kept when WeChat says it is one of the types above.
pub(super) fn check(id: &str, content_type: &str) -> Result<Checked, MediaError> {
    match extension(content_type) {
        Some(ext) => Ok(Checked {
            ext,
            duration_ms: 0,
        }),
        None => Err(MediaError::WrongKind {
            id: id.to_string(),
            content_type: content_type.chars().take(80).collect(),
            kind: Kind::Image,
        }),
    }
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
    /// Downloads and keeps the images `ids` uploaded from page `slug` by
    /// `who`; answers the page's gallery afterwards.
    pub async fn save_images(
        &self,
        slug: &str,
        ids: &[String],
        who: &Uploader,
        gets: &PerKey,
    ) -> Result<Vec<StoredImage>, MediaError> {
        self.save(Kind::Image, slug, ids, who, gets).await?;
        self.images(slug).await
    }

    /// The images of page `slug`, newest first (at most [`super::LIST_MAX`]).
    pub async fn images(&self, slug: &str) -> Result<Vec<StoredImage>, MediaError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT m.media_id, m.file, m.content_type, m.size FROM media m
             JOIN pages p ON p.id = m.page_id
             WHERE p.slug = $1 AND m.page_id <> '' AND m.kind = 'image'
             ORDER BY m.uploaded_ms DESC, m.media_id LIMIT $2",
        )
        .bind(slug)
        .bind(super::LIST_MAX)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.into_iter().map(StoredImage::from).collect())
    }
}
