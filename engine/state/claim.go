package state

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Claim takes up to limit pending items whose not_before has passed, oldest
// due first. They become running with attempts incremented and a lease until
// now+lease; an item whose lease runs out is returned to pending by
// RecoverRunning. If ctx ends while Claim waits for its commit, items may be
// claimed without being returned; their leases expire in the same way.
func (s *Store) Claim(ctx context.Context, limit int, lease time.Duration) ([]Item, error) {
	return s.claim(ctx, nil, limit, lease)
}

// ClaimFenced is Claim for the holder of f, in the same transaction that
// verifies f still holds its lease (ErrLeaseLost otherwise). The items
// carry f's token, and a settlement naming them is refused once another
// claim took them over.
func (s *Store) ClaimFenced(ctx context.Context, f Fence, limit int, lease time.Duration) ([]Item, error) {
	return s.claim(ctx, &f, limit, lease)
}

func (s *Store) claim(ctx context.Context, f *Fence, limit int, lease time.Duration) ([]Item, error) {
	if limit <= 0 || lease <= 0 {
		return nil, fmt.Errorf("state: claim: limit (%d) and lease (%s) must be positive", limit, lease)
	}
	var token int64
	if f != nil {
		token = f.Token
	}
	var items []Item
	err := s.write(ctx, "claim", func(tx *wtx) error {
		items = items[:0] // the request may run again after a conflict
		if f != nil {
			if err := checkFence(tx, *f); err != nil {
				return err
			}
		}
		now := tx.now.UnixNano()
		rows, err := tx.query(`UPDATE inbox SET status = 'running', attempts = attempts + 1, lease_until = ?, claim_token = ?, updated_at = ?
			WHERE id IN (SELECT id FROM inbox WHERE status = 'pending' AND not_before <= ? ORDER BY not_before, id LIMIT ?`+skipLocked+`)
			RETURNING `+itemCols,
			tx.now.Add(lease).UnixNano(), token, now, now, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it, err := scanItem(rows)
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// RETURNING yields rows in no particular order.
	slices.SortFunc(items, func(a, b Item) int {
		return cmp.Or(a.NotBefore.Compare(b.NotBefore), cmp.Compare(a.ID, b.ID))
	})
	return items, nil
}

// Bury marks an item dead: it is not retried until requeued.
func (s *Store) Bury(ctx context.Context, id int64, lastError string) error {
	return s.write(ctx, fmt.Sprintf("bury item %d", id), func(tx *wtx) error {
		return mustAffect(tx.affected(`UPDATE inbox SET status = 'dead', lease_until = NULL, last_error = ?, updated_at = ?
			WHERE id = ?`, lastError, tx.now.UnixNano(), id))
	})
}

// Requeue returns a dead, parked or done item to pending, due now, with its
// attempts reset. The writes of its runs whose outcome is unknown are
// released in the same transaction: a person asked for them to be made
// again. It fails with ErrNotFound for an unknown id and ErrInvalidStatus for
// an item in any other status.
func (s *Store) Requeue(ctx context.Context, id int64) error {
	return s.write(ctx, fmt.Sprintf("requeue item %d", id), func(tx *wtx) error {
		n, err := tx.affected(`UPDATE inbox SET status = 'pending', attempts = 0, generation = generation + 1, not_before = ?1, lease_until = NULL, updated_at = ?1
			WHERE id = ?2 AND status IN ('dead', 'done', 'parked')`, tx.now.UnixNano(), id)
		if err != nil {
			return err
		}
		if n == 1 {
			_, err := releaseUnknown(tx, id)
			return err
		}
		var status ItemStatus
		if err := tx.queryRow(`SELECT status FROM inbox WHERE id = ?`, id).Scan(&status); err != nil {
			return notFound(err)
		}
		return fmt.Errorf("%w: item is %s", ErrInvalidStatus, status)
	})
}

// RequeueDead returns every dead item to pending, due now, with its attempts
// reset, and reports how many there were.
func (s *Store) RequeueDead(ctx context.Context) (int, error) {
	var n int64
	err := s.write(ctx, "requeue dead items", func(tx *wtx) error {
		var err error
		n, err = tx.affected(`UPDATE inbox SET status = 'pending', attempts = 0, generation = generation + 1, not_before = ?1, lease_until = NULL, updated_at = ?1
			WHERE status = 'dead'`, tx.now.UnixNano())
		return err
	})
	return int(n), err
}

// RecoverRunning returns running items whose lease has expired to pending.
// With all set it returns every running item: the single instance does this
// at start-up, when no claim from before can still be alive.
func (s *Store) RecoverRunning(ctx context.Context, all bool) (int, error) {
	var n int64
	err := s.write(ctx, "recover running items", func(tx *wtx) error {
		cutoff := tx.now.UnixNano()
		if all {
			cutoff = 1<<63 - 1
		}
		var err error
		n, err = tx.affected(`UPDATE inbox SET status = 'pending', lease_until = NULL, updated_at = ?
			WHERE status = 'running' AND lease_until <= ?`, tx.now.UnixNano(), cutoff)
		return err
	})
	return int(n), err
}

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(n int64, err error) error {
	if err == nil && n == 0 {
		return ErrNotFound
	}
	return err
}

// notFound maps sql.ErrNoRows to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// ExtendClaims renews the leases of items still running under the claims
// given (same token, same attempt) until now+lease: their runs are alive.
func (s *Store) ExtendClaims(ctx context.Context, lease time.Duration, claims []Item) error {
	if len(claims) == 0 {
		return nil
	}
	return s.write(ctx, "extend claims", func(tx *wtx) error {
		return execClaims(tx, extendClaims, claims, tx.now.Add(lease).UnixNano())
	})
}

// Unclaim returns items claimed but never run to pending, as they were
// before their claim (its attempt not counted): a worker that claims
// ahead of its free slots gives back what it did not start when it stops.
// An item no longer held by the claim given is left alone.
func (s *Store) Unclaim(ctx context.Context, claims []Item) error {
	if len(claims) == 0 {
		return nil
	}
	return s.write(ctx, "unclaim items", func(tx *wtx) error {
		return execClaims(tx, unclaims, claims, tx.now.UnixNano())
	})
}

// execClaims runs stmts[n] on the claims n at a time (up to groupRows),
// with first as the first argument and then each claim's id, token and
// attempt.
func execClaims(tx *wtx, stmts []string, claims []Item, first any) error {
	for len(claims) > 0 {
		n := min(len(claims), groupRows)
		args := tx.argBuf(1 + 3*n)
		args = append(args, first)
		for _, c := range claims[:n] {
			args = append(args, c.ID, c.ClaimToken, c.Attempts)
		}
		if _, err := tx.exec(stmts[n], args...); err != nil {
			return err
		}
		claims = claims[n:]
	}
	return nil
}

// claimRow matches one item still running under a claim; the statements
// below match n claims, one per row.
const claimRow = `(id = ? AND claim_token = ? AND attempts = ?)`

var (
	extendClaims = joinRows(groupRows, `UPDATE inbox SET lease_until = ? WHERE status = 'running' AND (`, claimRow, ` OR `, `)`)
	unclaims     = joinRows(groupRows, `UPDATE inbox SET status = 'pending', attempts = attempts - 1, lease_until = NULL, updated_at = ?
		WHERE status = 'running' AND (`, claimRow, ` OR `, `)`)
)
