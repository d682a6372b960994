-- The account as an admin edited it (the environment gives the defaults until
-- then). One row, id 'default'. Secrets are stored to be used, never shown.
CREATE TABLE account_settings (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    app_id TEXT NOT NULL,
    app_secret TEXT NOT NULL,
    corp_id TEXT NOT NULL DEFAULT '',
    corp_secret TEXT NOT NULL DEFAULT '',
    agent_id TEXT NOT NULL DEFAULT '',
    js_domains TEXT NOT NULL,
    token_mode TEXT NOT NULL,
    updated_ms BIGINT NOT NULL
);
