-- What in-memory copies of tables each process keeps, and their version:
-- every write to the table bumps its row, and each process reads the table
-- again when the version changed (server/src/page_cache.rs). Portable SQL.
CREATE TABLE cache_versions (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL DEFAULT 0
);
INSERT INTO cache_versions (name, version) VALUES ('pages', 1);
