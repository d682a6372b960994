-- Domain verification files an admin uploaded (server/src/verify_files.rs):
-- served at the site root under their own name. Portable SQL.
CREATE TABLE verify_files (
    name TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
