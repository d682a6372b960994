-- The admin dashboard: admins (argon2id hashes), the audit log of their
-- changes, and what the card registry needs. Portable SQL.

CREATE TABLE admins (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_sign_in BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    admin TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at_ms);

-- Whether adding the card needs a code / an openid in its cardExt.
ALTER TABLE cards ADD COLUMN code_bound BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN openid_bound BIGINT NOT NULL DEFAULT 0;
