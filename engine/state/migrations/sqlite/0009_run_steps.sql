-- A run's step attempts, as a JSON array, in the run's own row: a settled
-- run is one row, not one plus one per attempt. Runs recorded before, and
-- attempts recorded one at a time (tote apply), stay in step_attempts;
-- a run's attempts are those of both.
ALTER TABLE runs ADD COLUMN steps TEXT;
