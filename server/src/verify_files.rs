//! Domain verification files: before WeChat accepts a JS interface safe
//! domain or a web authorization callback domain, its admin pages ask for a
//! file (`MP_verify_<code>.txt`; WeCom's `WW_verify_<code>.txt`) to be served
//! at the domain's root. An admin uploads it on the dashboard's Account page
//! (kept in the `verify_files` table, so every replica serves it), or an
//! operator places it in `<data dir>/verify/`, which wins over an upload of
//! the same name.
//!
//! Served from memory: every process reads both places again every
//! [`RELOAD_EVERY`] and right after an upload, so a request for such a name
//! never reaches the database or the disk. Bounds: only names of that form
//! ([`file_name`]), at most [`MAX_CONTENT`] bytes of printable ASCII each,
//! at most [`MAX_FILES`] uploads.

use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::AnyPool;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How often every process reads the files again.
pub const RELOAD_EVERY: Duration = Duration::from_secs(5);
/// The most bytes of one file (WeChat's hold a 16-character code).
pub const MAX_CONTENT: usize = 256;
/// The most uploaded files.
pub const MAX_FILES: usize = 20;

/// `name` when it is a verification file's name: `MP_verify_` or
/// `WW_verify_`, 1–64 letters or digits, `.txt`.
pub fn file_name(name: &str) -> Option<&str> {
    let code = name
        .strip_prefix("MP_verify_")
        .or_else(|| name.strip_prefix("WW_verify_"))?
        .strip_suffix(".txt")?;
    (!code.is_empty() && code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(name)
}

/// A file's content, checked: printable ASCII, at most [`MAX_CONTENT`]
/// bytes once trailing white space is trimmed, not empty.
pub fn content(bytes: &[u8]) -> Result<&str, VerifyError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| VerifyError::BadContent)?
        .trim_end();
    if text.is_empty()
        || text.len() > MAX_CONTENT
        || !text.bytes().all(|b| (0x20..0x7f).contains(&b))
    {
        return Err(VerifyError::BadContent);
    }
    Ok(text)
}

/// Why a file was refused.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("a verification file is named MP_verify_<letters and digits>.txt or WW_verify_<letters and digits>.txt")]
    BadName,
    #[error("a verification file holds at most {MAX_CONTENT} characters of printable text (WeChat's hold a short code)")]
    BadContent,
    #[error("at most {MAX_FILES} verification files can be uploaded: remove one first")]
    TooMany,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Where a served file comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Uploaded,
    DataDir,
}

#[derive(Debug, Clone)]
struct File {
    content: Arc<str>,
    source: Source,
}

/// The verification files of this site, in memory.
pub struct VerifyFiles {
    db: AnyPool,
    dir: PathBuf,
    files: RwLock<Arc<BTreeMap<String, File>>>,
}

impl VerifyFiles {
    /// Reads both places once; `dir` is `<data dir>/verify`.
    pub async fn load(db: AnyPool, dir: PathBuf) -> Result<Arc<VerifyFiles>, sqlx::Error> {
        let files = Arc::new(VerifyFiles {
            db,
            dir,
            files: RwLock::new(Arc::default()),
        });
        files.reload().await?;
        Ok(files)
    }

    /// Reads the table and the folder again.
    pub async fn reload(&self) -> Result<(), sqlx::Error> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT name, content FROM verify_files ORDER BY name")
                .fetch_all(&self.db)
                .await?;
        let mut files: BTreeMap<String, File> = rows
            .into_iter()
            .filter(|(name, _)| file_name(name).is_some())
            .map(|(name, content)| {
                let file = File {
                    content: content.into(),
                    source: Source::Uploaded,
                };
                (name, file)
            })
            .collect();
        files.extend(self.read_dir().await);
        *self.files.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(files);
        Ok(())
    }

    /// The files of the data folder with a verification file's name and a
    /// valid content (others are skipped, with a warning for a bad content).
    async fn read_dir(&self) -> Vec<(String, File)> {
        let mut found = Vec::new();
        let Ok(mut entries) = tokio::fs::read_dir(&self.dir).await else {
            return found;
        };
        while let Ok(Some(entry)) = entries.next_entry().await {
            let name = entry.file_name().to_string_lossy().into_owned();
            if file_name(&name).is_none() {
                continue;
            }
            let small = entry
                .metadata()
                .await
                .is_ok_and(|m| m.is_file() && m.len() <= MAX_CONTENT as u64 + 2);
            let bytes = if small {
                tokio::fs::read(entry.path()).await.unwrap_or_default()
            } else {
                Vec::new()
            };
            match content(&bytes) {
                Ok(text) => found.push((
                    name,
                    File {
                        content: text.into(),
                        source: Source::DataDir,
                    },
                )),
                Err(_) => {
                    tracing::warn!(file = %name, "a verification file in the data folder is not a short text: not served")
                }
            }
        }
        found
    }

    /// Reads both places every [`RELOAD_EVERY`], for as long as the process runs.
    pub fn spawn_reload(self: &Arc<Self>) {
        let files = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(RELOAD_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(files) = files.upgrade() else { return };
                if let Err(e) = files.reload().await {
                    tracing::warn!("cannot read the verification files: {e}");
                }
            }
        });
    }

    /// The content served under `name`.
    pub fn get(&self, name: &str) -> Option<Arc<str>> {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner()).clone();
        files.get(name).map(|f| f.content.clone())
    }

    /// Every file: name, and whether it was uploaded (else it is in the data folder).
    pub fn list(&self) -> Vec<(String, Source)> {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner()).clone();
        files.iter().map(|(n, f)| (n.clone(), f.source)).collect()
    }

    /// Keeps an uploaded file (replacing one of the same name).
    pub async fn save(&self, name: &str, bytes: &[u8]) -> Result<(), VerifyError> {
        let name = file_name(name).ok_or(VerifyError::BadName)?;
        let text = content(bytes)?;
        let mut tx = self.db.begin().await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM verify_files WHERE name <> $1")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        if count as usize >= MAX_FILES {
            return Err(VerifyError::TooMany);
        }
        sqlx::query(
            "INSERT INTO verify_files (name, content, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET content = excluded.content, created_at = excluded.created_at",
        )
        .bind(name)
        .bind(text)
        .bind(crate::db::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(())
    }

    /// Removes an uploaded file; `false` when there was none of that name.
    pub async fn delete(&self, name: &str) -> Result<bool, VerifyError> {
        let gone = sqlx::query("DELETE FROM verify_files WHERE name = $1")
            .bind(name)
            .execute(&self.db)
            .await?
            .rows_affected()
            > 0;
        self.reload().await?;
        Ok(gone)
    }
}

/// Middleware: answers `GET`/`HEAD /<verification file name>` from memory
/// as `text/plain`; every other request goes on.
pub async fn serve(State(files): State<Arc<VerifyFiles>>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        if let Some(content) = req
            .uri()
            .path()
            .strip_prefix('/')
            .and_then(file_name)
            .and_then(|name| files.get(name))
        {
            return (
                [
                    (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-cache"),
                ],
                content.to_string(),
            )
                .into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_verification_names_and_short_texts() {
        for good in ["MP_verify_AbC123.txt", "WW_verify_x.txt"] {
            assert_eq!(file_name(good), Some(good));
        }
        for bad in [
            "MP_verify_.txt",
            "MP_verify_a.txt.txt",
            "MP_verify_../a.txt",
            "mp_verify_a.txt",
            "MP_verify_a.html",
            "XX_verify_a.txt",
            "MP_verify_a b.txt",
            &format!("MP_verify_{}.txt", "a".repeat(65)),
        ] {
            assert_eq!(file_name(bad), None, "{bad}");
        }
        assert_eq!(content(b"AbC123\n").unwrap(), "AbC123");
        assert!(content(b"").is_err());
        assert!(content(b"<script>\x00").is_err());
        assert!(content(&[b'a'; MAX_CONTENT + 1]).is_err());
        assert!(content(&[0xff, 0xfe]).is_err());
    }
}
