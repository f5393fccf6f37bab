-- What each inbox item concerns (a BigCommerce order id, a SKU), written
-- at enqueue from what the trigger's connector names, so that
-- `tote runs -order 123` is an index lookup, not a scan of payloads.
CREATE TABLE subjects (
    kind    TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    item_id INTEGER NOT NULL,
    PRIMARY KEY (kind, value, item_id)
) WITHOUT ROWID;
-- Removing an item's subjects with the item.
CREATE INDEX subjects_item ON subjects (item_id);

-- Refused webhook deliveries, newest kept: when, where, the status and the
-- reason; never the body or headers.
CREATE TABLE rejections (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    path   TEXT    NOT NULL,
    status INTEGER NOT NULL,
    reason TEXT    NOT NULL
);

-- What each write was planned as (create, update, delete), for
-- `tote runs show`.
ALTER TABLE intents ADD COLUMN op TEXT NOT NULL DEFAULT '';
-- The writes of one run.
CREATE INDEX intents_run ON intents (run_id);
