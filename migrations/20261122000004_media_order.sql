-- Order a page's gallery by upload time to the millisecond (several uploads
-- are saved within the same second). Portable SQL.
ALTER TABLE media ADD COLUMN uploaded_ms BIGINT NOT NULL DEFAULT 0;
