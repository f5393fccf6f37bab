-- An item's generation counts the times its attempts started afresh (tote
-- retry, or a wait for a target that was not ready), so that each attempt's
-- run has a name of its own without looking the runs up.
ALTER TABLE inbox ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;

-- Items from before: the highest generation their runs were named with
-- ("<item>.<attempt>.r<generation>"), one more when they were requeued
-- since and have not run yet.
UPDATE inbox SET generation = (
    SELECT COALESCE(MAX(CASE WHEN instr(runs.id, '.r') > 0
        THEN CAST(substr(runs.id, instr(runs.id, '.r') + 2) AS INTEGER) ELSE 1 END), 1)
    FROM runs WHERE runs.item_id = inbox.id
) + (CASE WHEN status = 'pending' AND attempts = 0
    AND EXISTS (SELECT 1 FROM runs WHERE runs.item_id = inbox.id) THEN 1 ELSE 0 END);
