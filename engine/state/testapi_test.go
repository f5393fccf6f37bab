package state

// Store methods only tests use. tote itself settles items, checks fences
// and releases unknown writes inside the transactions that need them
// (Settle, Requeue, the fenced writes), and finds links with LinksByKey.

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Finish marks an item done by the run runID.
func (s *Store) Finish(ctx context.Context, id int64, runID string) error {
	return s.write(ctx, fmt.Sprintf("finish item %d", id), func(tx *wtx) error {
		return mustAffect(tx.affected(`UPDATE inbox SET status = 'done', run_id = ?, lease_until = NULL, last_error = '', updated_at = ?
			WHERE id = ?`, runID, tx.now.UnixNano(), id))
	})
}

// Reschedule returns an item to pending, claimable again from notBefore.
func (s *Store) Reschedule(ctx context.Context, id int64, notBefore time.Time, lastError string) error {
	return s.write(ctx, fmt.Sprintf("reschedule item %d", id), func(tx *wtx) error {
		nb := notBefore
		if nb.IsZero() {
			nb = tx.now
		}
		return mustAffect(tx.affected(`UPDATE inbox SET status = 'pending', not_before = ?, lease_until = NULL, last_error = ?, updated_at = ?
			WHERE id = ?`, nb.UnixNano(), lastError, tx.now.UnixNano(), id))
	})
}

// CheckFence fails with ErrLeaseLost unless f still holds its lease.
func (s *Store) CheckFence(ctx context.Context, f Fence) error {
	return s.write(ctx, "check lease "+f.Name, func(tx *wtx) error { return checkFence(tx, f) })
}

// ReleaseUnknownIntents lets the writes of an item's runs whose outcome is
// unknown be sent again (tote retry): they become failed, which the next
// attempt may reopen. It reports how many there were.
func (s *Store) ReleaseUnknownIntents(ctx context.Context, itemID int64) (int, error) {
	var n int64
	err := s.write(ctx, fmt.Sprintf("release unknown intents of item %d", itemID), func(tx *wtx) error {
		var err error
		n, err = releaseUnknown(tx, itemID)
		return err
	})
	return int(n), err
}

// Link returns the link for (namespace, key); false when there is none.
func (s *Store) Link(ctx context.Context, namespace, key string) (Link, bool, error) {
	l := Link{Namespace: namespace, Key: key}
	err := s.queryRow(ctx, `SELECT value, updated_at FROM links WHERE namespace = ? AND link_key = ?`, namespace, key).
		Scan(&l.Value, timeCol{&l.UpdatedAt})
	if err != nil {
		if err = notFound(err); errors.Is(err, ErrNotFound) {
			return Link{}, false, nil
		}
		return Link{}, false, fmt.Errorf("state: link %s/%s: %w", namespace, key, err)
	}
	return l, true, nil
}
