//! Stored uploads as the dashboard lists and deletes them, and deleting a
//! page's uploads with it (rows and files).

use super::{Kind, MediaError, MediaStore};

impl MediaStore {
    /// Every stored upload, newest first (for the dashboard), under its
    /// page's slug of today.
    pub async fn all(&self) -> Result<Vec<app::admin::MediaItem>, MediaError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            media_id: String,
            slug: String,
            file: String,
            uploader: String,
            size: i64,
            created_at: i64,
            kind: String,
            duration_ms: i64,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT m.media_id, COALESCE(p.slug, m.slug) AS slug, m.file, m.uploader, m.size,
                    m.created_at, m.kind, m.duration_ms
             FROM media m LEFT JOIN pages p ON p.id = m.page_id AND m.page_id <> ''
             ORDER BY m.uploaded_ms DESC, m.media_id LIMIT 500",
        )
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| app::admin::MediaItem {
                media_id: r.media_id,
                slug: r.slug,
                url: format!("/media/{}", r.file),
                uploader: r.uploader,
                size: r.size,
                created_at: r.created_at,
                voice: r.kind == Kind::Voice.as_str(),
                duration_ms: r.duration_ms,
            })
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
    pub(super) async fn remove_file(&self, file: &str) -> Result<(), MediaError> {
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
