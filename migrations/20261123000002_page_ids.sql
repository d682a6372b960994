-- Pages get a stable id, and uploads belong to it rather than to the slug: a
-- renamed page keeps its images, a new page with a deleted page's slug starts
-- without any. Each upload also records the visitor its quota counts against
-- (`openid:…` when signed in, else `ip:…`). Portable SQL: runs unchanged on
-- SQLite and PostgreSQL.

ALTER TABLE pages ADD COLUMN id TEXT NOT NULL DEFAULT '';
UPDATE pages SET id = 'page-' || slug;
-- New pages get a random id on insert (server/src/share.rs); a page inserted
-- without one gets it when it is first needed.
CREATE UNIQUE INDEX pages_id ON pages (id) WHERE id <> '';

ALTER TABLE media ADD COLUMN page_id TEXT NOT NULL DEFAULT '';
UPDATE media SET page_id = 'page-' || slug;
CREATE INDEX media_page_id ON media (page_id);

ALTER TABLE media ADD COLUMN visitor TEXT NOT NULL DEFAULT '';
CREATE INDEX media_visitor ON media (visitor);
CREATE INDEX media_file ON media (file);
