package state

import (
	"context"
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
	err := fenceIn(s.queryRow(ctx, fenceQuery, f.Name), f, s.now())
	if err != nil && !errors.Is(err, ErrLeaseLost) {
		return fmt.Errorf("state: lease %s: %w", f.Name, err)
	}
	return err
}
