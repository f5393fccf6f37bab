package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

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
