//! Voices recorded on a page (`wx.startRecord` … `wx.uploadVoice`): WeChat's
//! `media/get` hands a voice over as AMR, which is checked frame by frame
//! (a file that is not one, or plays longer than WeChat lets anyone record,
//! is refused before anything is written) and kept with its length; the
//! page lists them and plays them back through `wx.downloadVoice` +
//! `wx.playVoice` while WeChat still holds them.

use super::{Checked, Kind, MediaError, MediaStore, Uploader};
use crate::limits::PerKey;
use app::voice::StoredVoice;

/// The AMR storage format's magic (AMR-NB, single channel; RFC 4867 §5).
const MAGIC: &[u8] = b"#!AMR\n";

/// The bytes of an AMR-NB frame, its header byte included, by frame type
/// (3GPP TS 26.101: modes 4.75 … 12.2 kbit/s, SID; 9–14 reserved and 15 "no
/// data" carry no speech bits).
const FRAME_BYTES: [usize; 16] = [13, 14, 16, 18, 20, 21, 27, 32, 6, 1, 1, 1, 1, 1, 1, 1];

/// Every AMR frame is 20 ms of sound.
const FRAME_MS: i64 = 20;

/// WeChat stops a recording at one minute ("startRecord": at most 60 s);
/// one second more allows for how the last frame is rounded.
pub const MAX_DURATION_MS: i64 = 61_000;

/// The largest voice WeChat records: [`MAX_DURATION_MS`] of the largest
/// frames, after the magic. A download stops there.
pub const MAX_BYTES: usize = MAGIC.len() + (MAX_DURATION_MS / FRAME_MS) as usize * 32;

/// How long WeChat keeps an uploaded voice ("获取临时素材": 3 days), less a
/// margin: after that the page no longer offers to play it in WeChat.
pub const ON_WECHAT_MS: i64 = 3 * 24 * 3600 * 1000 - 10 * 60 * 1000;

/// How long the AMR file `bytes` plays, or why it is not one: the magic,
/// then whole frames whose headers are well formed (padding bits zero).
pub fn amr_duration_ms(bytes: &[u8]) -> Result<i64, &'static str> {
    let Some(mut rest) = bytes.strip_prefix(MAGIC) else {
        return Err("it is not an AMR file");
    };
    let mut frames: i64 = 0;
    while let Some(&header) = rest.first() {
        if header & 0x83 != 0 {
            return Err("a frame header is malformed");
        }
        let size = FRAME_BYTES[usize::from((header >> 3) & 0x0f)];
        let Some(next) = rest.get(size..) else {
            return Err("its last frame is cut short");
        };
        rest = next;
        frames += 1;
        if frames * FRAME_MS > MAX_DURATION_MS {
            return Err("it plays longer than WeChat lets anyone record (one minute)");
        }
    }
    if frames == 0 {
        return Err("it holds no sound");
    }
    Ok(frames * FRAME_MS)
}

/// A voice is kept when it is what WeChat records: AMR of at most a minute.
/// The bytes decide; the Content-Type only rules out what is plainly
/// something else.
pub(super) fn check(id: &str, content_type: &str, bytes: &[u8]) -> Result<Checked, MediaError> {
    let base = content_type.split(';').next().unwrap_or("").trim();
    let plausible = base.starts_with("audio/")
        || base.starts_with("voice/")
        || base == "application/octet-stream";
    if !plausible {
        return Err(MediaError::WrongKind {
            id: id.to_string(),
            content_type: content_type.chars().take(80).collect(),
            kind: Kind::Voice,
        });
    }
    match amr_duration_ms(bytes) {
        Ok(duration_ms) => Ok(Checked {
            ext: "amr",
            duration_ms,
        }),
        Err(reason) => Err(MediaError::BadVoice {
            id: id.to_string(),
            reason,
        }),
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    media_id: String,
    file: String,
    size: i64,
    duration_ms: i64,
    uploaded_ms: i64,
}

impl MediaStore {
    /// Downloads and keeps the voices `ids` recorded on page `slug` by `who`;
    /// answers the page's voices afterwards.
    pub async fn save_voices(
        &self,
        slug: &str,
        ids: &[String],
        who: &Uploader,
        gets: &PerKey,
    ) -> Result<Vec<StoredVoice>, MediaError> {
        self.save(Kind::Voice, slug, ids, who, gets).await?;
        self.voices(slug).await
    }

    /// The voices of page `slug`, newest first (at most [`super::LIST_MAX`]),
    /// each saying whether WeChat
    /// still holds it (so a phone can download and play it).
    pub async fn voices(&self, slug: &str) -> Result<Vec<StoredVoice>, MediaError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT m.media_id, m.file, m.size, m.duration_ms, m.uploaded_ms FROM media m
             JOIN pages p ON p.id = m.page_id
             WHERE p.slug = $1 AND m.page_id <> '' AND m.kind = 'voice'
             ORDER BY m.uploaded_ms DESC, m.media_id LIMIT $2",
        )
        .bind(slug)
        .bind(super::LIST_MAX)
        .fetch_all(&self.db)
        .await?;
        let now = crate::db::now_ms();
        Ok(rows
            .into_iter()
            .map(|r| StoredVoice {
                on_wechat: now < r.uploaded_ms + ON_WECHAT_MS,
                media_id: r.media_id,
                url: format!("/media/{}", r.file),
                size: r.size,
                duration_ms: r.duration_ms,
                uploaded_ms: r.uploaded_ms,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amr(frames: &[u8]) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        for &ft in frames {
            let header = ft << 3 | 0x04;
            b.push(header);
            b.resize(b.len() + FRAME_BYTES[usize::from(ft)] - 1, 0);
        }
        b
    }

    #[test]
    fn amr_files_are_read_frame_by_frame() {
        assert_eq!(amr_duration_ms(&amr(&[7; 50])), Ok(1000));
        // Mixed modes, SID and no-data frames all last 20 ms.
        assert_eq!(
            amr_duration_ms(&amr(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 15])),
            Ok(200)
        );
        // One minute is the most WeChat records.
        assert_eq!(amr_duration_ms(&amr(&[15; 3000])), Ok(60_000));
        assert!(amr_duration_ms(&amr(&[15; 3100])).is_err());
        let mut cut = amr(&[7; 3]);
        cut.pop();
        assert_eq!(amr_duration_ms(&cut), Err("its last frame is cut short"));
        let mut bad = amr(&[7]);
        bad[MAGIC.len()] |= 0x80;
        assert_eq!(amr_duration_ms(&bad), Err("a frame header is malformed"));
        assert_eq!(amr_duration_ms(MAGIC), Err("it holds no sound"));
        for not_amr in [&b"#!AMR-WB\n\x04"[..], b"\x89PNG\r\n", b"", b"<html>"] {
            assert!(amr_duration_ms(not_amr).is_err());
        }
    }

    #[test]
    fn a_voice_is_decided_by_its_bytes() {
        let ok = amr(&[7; 10]);
        let kept = check("m", "audio/amr", &ok).unwrap();
        assert_eq!((kept.ext, kept.duration_ms), ("amr", 200));
        assert!(check("m", "application/octet-stream", &ok).is_ok());
        assert!(matches!(
            check("m", "image/png", &ok),
            Err(MediaError::WrongKind { .. })
        ));
        assert!(matches!(
            check("m", "audio/amr", b"<html></html>"),
            Err(MediaError::BadVoice { .. })
        ));
    }
}
