-- 'parked': an item whose run made a write with an unknown outcome that
-- cannot be read back (an email, a relative stock change). It waits for a
-- person (tote retry) and is never retried on its own. SQLite cannot alter a
-- CHECK constraint, so inbox and runs are rebuilt. step_attempts refers to
-- runs and would lose its rows with it (ON DELETE CASCADE), so its rows wait
-- in a plain table meanwhile.
CREATE TABLE inbox_new (
    id           INTEGER PRIMARY KEY,
    pipeline     TEXT    NOT NULL,
    trigger_name TEXT    NOT NULL,
    event_key    TEXT,
    payload      BLOB,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'done', 'dead', 'superseded', 'parked')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   INTEGER NOT NULL,
    lease_until  INTEGER,
    last_error   TEXT    NOT NULL DEFAULT '',
    run_id       TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    generation   INTEGER NOT NULL DEFAULT 1,
    claim_token  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO inbox_new (id, pipeline, trigger_name, event_key, payload, status, attempts, not_before, lease_until, last_error, run_id, created_at, updated_at, generation, claim_token)
    SELECT id, pipeline, trigger_name, event_key, payload, status, attempts, not_before, lease_until, last_error, run_id, created_at, updated_at, generation, claim_token FROM inbox;
DROP TABLE inbox;
ALTER TABLE inbox_new RENAME TO inbox;
CREATE UNIQUE INDEX inbox_dedupe ON inbox (pipeline, trigger_name, event_key);
CREATE INDEX inbox_due ON inbox (status, not_before);
CREATE INDEX inbox_live ON inbox (pipeline, trigger_name) WHERE status IN ('pending', 'running');

CREATE TABLE step_attempts_keep AS SELECT * FROM step_attempts;
DROP TABLE step_attempts;

CREATE TABLE runs_new (
    id           TEXT    NOT NULL PRIMARY KEY,
    pipeline     TEXT    NOT NULL,
    trigger_name TEXT    NOT NULL DEFAULT '',
    event_key    TEXT    NOT NULL DEFAULT '',
    item_id      INTEGER,
    mode         TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'dead', 'parked')),
    attempt      INTEGER NOT NULL DEFAULT 0,
    writes       INTEGER NOT NULL DEFAULT 0,
    error        TEXT    NOT NULL DEFAULT '',
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER
);
INSERT INTO runs_new SELECT id, pipeline, trigger_name, event_key, item_id, mode, status, attempt, writes, error, started_at, finished_at FROM runs;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;
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
INSERT INTO step_attempts SELECT run_id, step, attempt, status, error, started_at, finished_at FROM step_attempts_keep;
DROP TABLE step_attempts_keep;
