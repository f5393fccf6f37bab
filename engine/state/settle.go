package state

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Settlement is how one claimed inbox item ended: the whole record of its
// run, and what becomes of the item.
type Settlement struct {
	Run      Run
	Attempts []StepAttempt
	ItemID   int64
	// Outcome is ItemDone, ItemPending (retry from NotBefore), ItemDead or
	// ItemParked.
	Outcome   ItemStatus
	NotBefore time.Time
	LastError string
	// ResetAttempts starts the item's attempts afresh: it waits for its
	// target to be ready, which is not a failed attempt.
	ResetAttempts bool
	// Event, when set, is the event the run saw where it differs from the
	// item's payload (its records fetched when the run started), without
	// personal data; it is kept with the run.
	Event []byte
	// Subjects the run learnt of (an event that named its records only by
	// reference, resolved when the run started) are added to the item's.
	Subjects []Subject
	// Claimed, when set, is the item as its claim returned it: the
	// settlement is refused (ErrClaimLost) unless the item is still running
	// under that very claim (same lease token, same attempt).
	Claimed *Item
}

// ErrClaimLost means an item is no longer claimed by the claim settling it:
// its lease expired and it was claimed again, by another process or by this
// one. The run's outcome is not recorded; the newer claim's is.
var ErrClaimLost = errors.New("state: the item is no longer held by this claim")

// Settle records a run, its step attempts and its item's outcome in one
// transaction: the worker's one commit per event besides the write ledger.
func (s *Store) Settle(ctx context.Context, st Settlement) error {
	switch st.Outcome {
	case ItemDone, ItemPending, ItemDead, ItemParked:
	default:
		return fmt.Errorf("state: settle: outcome %q", st.Outcome)
	}
	r := st.Run
	return s.write(ctx, fmt.Sprintf("settle item %d", st.ItemID), func(tx *wtx) error {
		if c := st.Claimed; c != nil {
			var held int
			if err := tx.queryRow(`SELECT EXISTS (SELECT 1 FROM inbox WHERE id = ? AND status = 'running' AND claim_token = ? AND attempts = ?)`,
				st.ItemID, c.ClaimToken, c.Attempts).Scan(&held); err != nil {
				return err
			}
			if held == 0 {
				return ErrClaimLost
			}
		}
		if err := putSubjects(tx, st.ItemID, st.Subjects); err != nil {
			return err
		}
		if r.ID != "" {
			var itemID any
			if r.ItemID != 0 {
				itemID = r.ItemID
			}
			finished := r.FinishedAt
			if finished.IsZero() {
				finished = tx.now
			}
			_, err := tx.exec(`INSERT INTO runs (id, pipeline, trigger_name, event_key, item_id, mode, status, attempt, writes, error, started_at, finished_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET status = excluded.status, writes = excluded.writes, error = excluded.error,
					finished_at = excluded.finished_at`,
				r.ID, r.Pipeline, r.Trigger, r.EventKey, itemID, r.Mode, string(r.Status), r.Attempt, r.Writes, r.Error,
				encTime(r.StartedAt), finished.UnixNano())
			if err != nil {
				return fmt.Errorf("run %s: %w", r.ID, err)
			}
			if len(st.Event) > 0 {
				if _, err := tx.exec(`UPDATE runs SET event = ? WHERE id = ?`, st.Event, r.ID); err != nil {
					return fmt.Errorf("run %s: event: %w", r.ID, err)
				}
			}
			for _, a := range st.Attempts {
				if _, err := tx.exec(`INSERT INTO step_attempts (run_id, step, attempt, status, error, started_at, finished_at)
					VALUES (?, ?, ?, ?, ?, ?, ?)
					ON CONFLICT (run_id, step, attempt) DO UPDATE SET status = excluded.status, error = excluded.error,
						started_at = excluded.started_at, finished_at = excluded.finished_at`,
					a.RunID, a.Step, a.Attempt, a.Status, a.Error, encTime(a.StartedAt), encTime(a.FinishedAt)); err != nil {
					return fmt.Errorf("run %s step %s attempt %d: %w", a.RunID, a.Step, a.Attempt, err)
				}
			}
		}
		switch st.Outcome {
		case ItemDone:
			return mustAffect(tx.affected(`UPDATE inbox SET status = 'done', run_id = ?, lease_until = NULL, last_error = '', updated_at = ?
				WHERE id = ?`, r.ID, tx.now.UnixNano(), st.ItemID))
		case ItemDead, ItemParked:
			return mustAffect(tx.affected(`UPDATE inbox SET status = ?, run_id = ?, lease_until = NULL, last_error = ?, updated_at = ?
				WHERE id = ?`, string(st.Outcome), r.ID, st.LastError, tx.now.UnixNano(), st.ItemID))
		}
		nb := st.NotBefore
		if nb.IsZero() {
			nb = tx.now
		}
		if st.ResetAttempts {
			return mustAffect(tx.affected(`UPDATE inbox SET status = 'pending', attempts = 0, generation = generation + 1, not_before = ?, lease_until = NULL, last_error = ?, updated_at = ?
				WHERE id = ?`, nb.UnixNano(), st.LastError, tx.now.UnixNano(), st.ItemID))
		}
		return mustAffect(tx.affected(`UPDATE inbox SET status = 'pending', not_before = ?, lease_until = NULL, last_error = ?, updated_at = ?
			WHERE id = ?`, nb.UnixNano(), st.LastError, tx.now.UnixNano(), st.ItemID))
	})
}
