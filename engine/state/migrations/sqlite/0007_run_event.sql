-- The event a run saw, when it differs from its inbox item's payload: a
-- notification that only pointed at its records, fetched when the run
-- started. Kept without personal data, for `tote runs show`.
ALTER TABLE runs ADD COLUMN event BLOB;
