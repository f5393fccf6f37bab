-- Replicas: a poll tick is claimed by one replica before it polls, and done
-- once its events and cursor are committed, so two replicas that fire the
-- same tick poll once. A claim whose holder is gone expires; a done tick is
-- kept for a while and then pruned by the next claim of its schedule.
CREATE TABLE schedule_ticks (
    name        TEXT    NOT NULL,
    tick        INTEGER NOT NULL,
    holder      TEXT    NOT NULL,
    claim_until INTEGER NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (name, tick)
) WITHOUT ROWID;
