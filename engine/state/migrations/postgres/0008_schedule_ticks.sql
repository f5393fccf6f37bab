-- Replicas: a poll tick is claimed by one replica before it polls (see the
-- SQLite migration of the same number).
CREATE TABLE schedule_ticks (
    name        TEXT    NOT NULL,
    tick        BIGINT  NOT NULL,
    holder      TEXT    NOT NULL,
    claim_until BIGINT  NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (name, tick)
);
