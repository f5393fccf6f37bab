-- Fencing: a lease's token grows by one whenever the lease changes holder,
-- and is never reused (a released lease keeps its row). A claimed inbox item
-- records the token of the lease its claimer held, and only that claim may
-- settle it.
ALTER TABLE leases ADD COLUMN token INTEGER NOT NULL DEFAULT 1;
ALTER TABLE inbox ADD COLUMN claim_token INTEGER NOT NULL DEFAULT 0;
