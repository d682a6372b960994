-- Credentials (access tokens and tickets) shared by every process serving an
-- account, and the lease locks that make their refresh single-flight.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are Unix seconds
-- unless the column name says _ms.

CREATE TABLE credentials (
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL DEFAULT 0,
    fetched_at BIGINT NOT NULL DEFAULT 0,
    refresh_count BIGINT NOT NULL DEFAULT 0,
    failures BIGINT NOT NULL DEFAULT 0,
    backoff_until_ms BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    last_errcode BIGINT NOT NULL DEFAULT 0,
    last_error_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account, kind)
);

CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
