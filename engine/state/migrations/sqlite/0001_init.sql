-- Inbox: events waiting to be run. event_key NULL means "no deduplication".
CREATE TABLE inbox (
    id           INTEGER PRIMARY KEY,
    pipeline     TEXT    NOT NULL,
    trigger_name TEXT    NOT NULL,
    event_key    TEXT,
    payload      BLOB,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'done', 'dead', 'superseded')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   INTEGER NOT NULL,
    lease_until  INTEGER,
    last_error   TEXT    NOT NULL DEFAULT '',
    run_id       TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
-- Deduplication of events on the vendor's key.
CREATE UNIQUE INDEX inbox_dedupe ON inbox (pipeline, trigger_name, event_key);
-- Claim (status = 'pending' ORDER BY not_before), NextDue, recovery, counts.
CREATE INDEX inbox_due ON inbox (status, not_before);
-- Overlap policies look only at live items of one pipeline and trigger.
CREATE INDEX inbox_live ON inbox (pipeline, trigger_name) WHERE status IN ('pending', 'running');

CREATE TABLE runs (
    id           TEXT    NOT NULL PRIMARY KEY,
    pipeline     TEXT    NOT NULL,
    trigger_name TEXT    NOT NULL DEFAULT '',
    event_key    TEXT    NOT NULL DEFAULT '',
    item_id      INTEGER,
    mode         TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'dead')),
    attempt      INTEGER NOT NULL DEFAULT 0,
    writes       INTEGER NOT NULL DEFAULT 0,
    error        TEXT    NOT NULL DEFAULT '',
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER
);
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_pipeline ON runs (pipeline, started_at);
CREATE INDEX runs_status ON runs (status, started_at);

CREATE TABLE step_attempts (
    run_id      TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step        TEXT    NOT NULL,
    attempt     INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    started_at  INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (run_id, step, attempt)
) WITHOUT ROWID;

-- The write ledger.
CREATE TABLE intents (
    idem_key    TEXT    NOT NULL PRIMARY KEY,
    run_id      TEXT    NOT NULL DEFAULT '',
    pipeline    TEXT    NOT NULL DEFAULT '',
    step        TEXT    NOT NULL DEFAULT '',
    connection  TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL DEFAULT '',
    identity    TEXT    NOT NULL DEFAULT '',
    fingerprint TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    output      BLOB,
    error       TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX intents_pending ON intents (created_at) WHERE status = 'pending';

CREATE TABLE links (
    namespace  TEXT    NOT NULL,
    link_key   TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (namespace, link_key)
) WITHOUT ROWID;

CREATE TABLE cursors (
    name       TEXT    NOT NULL PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE leases (
    name       TEXT    NOT NULL PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
