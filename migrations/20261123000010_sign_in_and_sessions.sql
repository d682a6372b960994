-- Sign-in attempt limits per key, shared by every process (so three replicas
-- do not allow three times the attempts): GCRA, one "theoretical arrival
-- time" per key, in milliseconds. And the admin's session epoch: bumping it
-- ends every session of that admin. Portable SQL.

CREATE TABLE sign_in_limits (
    key TEXT PRIMARY KEY,
    tat_ms BIGINT NOT NULL
);
CREATE INDEX sign_in_limits_tat ON sign_in_limits (tat_ms);

ALTER TABLE admins ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;

-- Authorization attempts are no longer stored when they start (the attempt
-- travels in a signed cookie); only consumed states are, to refuse a replay.
CREATE INDEX oauth_states_created_at ON oauth_states (created_at);

-- Identical config-failure reports are counted, not duplicated.
ALTER TABLE config_failures ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE config_failures ADD COLUMN count BIGINT NOT NULL DEFAULT 1;
ALTER TABLE config_failures ADD COLUMN last_seen BIGINT NOT NULL DEFAULT 0;
UPDATE config_failures SET fingerprint = id, last_seen = created_at;
CREATE UNIQUE INDEX config_failures_fingerprint ON config_failures (fingerprint);
CREATE INDEX config_failures_last_seen ON config_failures (last_seen);

-- Keys that must be the same in every process (the OAuth cookie's HMAC key).
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
