-- An intent is a claim across processes: its owner (the engine that opened
-- it) holds it until claim_until, and nobody else may write the same record
-- meanwhile. 'unknown' is a write whose outcome cannot be known (it cannot be
-- read back); it is sent again only when a person says so (tote retry).
-- SQLite cannot alter a CHECK constraint, so the table is rebuilt.
CREATE TABLE intents_new (
    idem_key    TEXT    NOT NULL PRIMARY KEY,
    run_id      TEXT    NOT NULL DEFAULT '',
    pipeline    TEXT    NOT NULL DEFAULT '',
    step        TEXT    NOT NULL DEFAULT '',
    connection  TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL DEFAULT '',
    identity    TEXT    NOT NULL DEFAULT '',
    fingerprint TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'done', 'failed', 'unknown')),
    output      BLOB,
    error       TEXT    NOT NULL DEFAULT '',
    owner       TEXT    NOT NULL DEFAULT '',
    claim_until INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
INSERT INTO intents_new (idem_key, run_id, pipeline, step, connection, action, identity, fingerprint, status, output, error, created_at, updated_at)
    SELECT idem_key, run_id, pipeline, step, connection, action, identity, fingerprint, status, output, error, created_at, updated_at FROM intents;
DROP TABLE intents;
ALTER TABLE intents_new RENAME TO intents;
CREATE INDEX intents_pending ON intents (created_at) WHERE status = 'pending';
CREATE INDEX intents_unknown ON intents (run_id) WHERE status = 'unknown';
