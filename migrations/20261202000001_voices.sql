-- Voices recorded on a page (wx.uploadVoice, fetched through media/get like
-- images): a media row says which kind it is, and a voice how long it plays
-- (counted from its AMR frames). Existing rows are images. A page's list
-- reads its newest rows of one kind through the index. Portable SQL.
ALTER TABLE media ADD COLUMN kind TEXT NOT NULL DEFAULT 'image';
ALTER TABLE media ADD COLUMN duration_ms BIGINT NOT NULL DEFAULT 0;
CREATE INDEX media_page_kind ON media (page_id, kind, uploaded_ms);

-- The seeded demo page offers voice (/p/demo/voice), unless an admin has
-- edited it (updated_at is set on every save): its list gains the voice
-- interfaces, once.
UPDATE pages
SET js_api_list = js_api_list || ',startRecord,stopRecord,onVoiceRecordEnd,uploadVoice,downloadVoice,playVoice,stopVoice,onVoicePlayEnd'
WHERE slug = 'demo' AND updated_at = 0 AND js_api_list <> ''
  AND js_api_list NOT LIKE '%Record%' AND js_api_list NOT LIKE '%Voice%';
