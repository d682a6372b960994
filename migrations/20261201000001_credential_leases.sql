-- The refresh lease of a credential lives in its own row, with a generation
-- that grows by one each time a process takes it. A new value (or a failure
-- and its backoff) is written only by a statement that checks the holder and
-- the generation, so a process whose lease expired and was taken over cannot
-- overwrite what the new holder wrote (fencing). Lease times are on the
-- database's clock (Unix milliseconds).
-- The `locks` table of earlier versions is no longer used by this one; it is
-- kept so that processes of the previous version still running during a
-- rolling upgrade keep working.

ALTER TABLE credentials ADD COLUMN lease_holder TEXT NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN lease_until_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE credentials ADD COLUMN lease_generation BIGINT NOT NULL DEFAULT 0;
