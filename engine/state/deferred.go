package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// putClosedIntents records intents whose write was already attempted, as a
// settlement carries them (see Settlement.Intents): inserted, or replacing
// the fields of the intent with the same key. An intent whose outcome is
// unknown is left alone: only a person releases it.
func putClosedIntents(tx *wtx, ins []Intent) error {
	for _, in := range ins {
		switch {
		case in.Key == "":
			return errors.New("intent: key is required")
		case in.Status != IntentDone && in.Status != IntentFailed && in.Status != IntentPending:
			return fmt.Errorf("intent %s: %w: %q", in.Key, ErrInvalidStatus, in.Status)
		}
		created, updated := tx.now, tx.now
		if !in.CreatedAt.IsZero() {
			created = in.CreatedAt
		}
		if !in.UpdatedAt.IsZero() {
			updated = in.UpdatedAt
		}
		// The claim is 0: nothing is in flight any more.
		_, err := tx.exec(`INSERT INTO intents (idem_key, run_id, pipeline, step, connection, action, identity, fingerprint, status, output, error, owner, claim_until, created_at, updated_at, op)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13, ?14, ?15)
			ON CONFLICT (idem_key) DO UPDATE SET run_id = excluded.run_id, pipeline = excluded.pipeline, step = excluded.step,
				connection = excluded.connection, action = excluded.action, identity = excluded.identity,
				fingerprint = excluded.fingerprint, status = excluded.status, output = excluded.output, error = excluded.error,
				owner = excluded.owner, claim_until = 0, updated_at = excluded.updated_at, op = excluded.op
			WHERE intents.status != 'unknown'`,
			in.Key, in.RunID, in.Pipeline, in.Step, in.Connection, in.Action, in.Identity, in.Fingerprint,
			string(in.Status), in.Output, in.Error, in.Owner, created.UnixNano(), updated.UnixNano(), in.Op)
		if err != nil {
			return fmt.Errorf("intent %s: %w", in.Key, err)
		}
	}
	return nil
}

// RecordIntents records intents whose writes were already attempted, with
// their links, in one transaction (Settlement.Intents without a
// settlement).
func (s *Store) RecordIntents(ctx context.Context, ins []Intent, links ...Link) error {
	return s.write(ctx, "record intents", func(tx *wtx) error {
		if err := putClosedIntents(tx, ins); err != nil {
			return err
		}
		return putLinks(tx, links)
	})
}

// FenceHeld reports, from a read of the state file, whether f still holds
// its lease: nil, or ErrLeaseLost. A write whose intent is recorded only
// after it is made checks its fence with this just before the vendor call,
// as the open of an intent checks it in the write transaction.
func (s *Store) FenceHeld(ctx context.Context, f Fence) error {
	var holder string
	var token, expires int64
	err := s.queryRow(ctx, `SELECT holder, token, expires_at FROM leases WHERE name = ?`, f.Name).Scan(&holder, &token, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (holder != f.Holder || token != f.Token || expires <= s.now().UnixNano())) {
		return ErrLeaseLost
	}
	if err != nil {
		return fmt.Errorf("state: lease %s: %w", f.Name, err)
	}
	return nil
}
