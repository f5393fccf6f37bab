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
	// Intents are the ledger entries of writes the run made (or tried)
	// without opening an intent first (idempotent writes, see
	// run.Record), with the links their outputs gave. They say what the
	// vendor now holds, so they are recorded even when the claim is lost.
	Intents []Intent
	Links   []Link
}

// ErrClaimLost means an item is no longer claimed by the claim settling it:
// its lease expired and it was claimed again, by another process or by this
// one. The run's outcome is not recorded; the newer claim's is.
var ErrClaimLost = errors.New("state: the item is no longer held by this claim")

// Settle records a run, its step attempts, the ledger entries of its
// idempotent writes and its item's outcome in one transaction: the
// worker's one commit per event besides the intents of writes that must be
// opened before they are made.
func (s *Store) Settle(ctx context.Context, st Settlement) error {
	switch st.Outcome {
	case ItemDone, ItemPending, ItemDead, ItemParked:
	default:
		return fmt.Errorf("state: settle: outcome %q", st.Outcome)
	}
	sr := &settleReq{st: st}
	if st.Run.ID != "" {
		var err error
		if sr.steps, sr.others, err = runSteps(st.Run.ID, st.Attempts); err != nil {
			return fmt.Errorf("state: settle item %d: %w", st.ItemID, err)
		}
	}
	err := s.w.writeGrouped(ctx, settleGroup{}, sr, func(tx *wtx) error {
		sr.lost = false
		return settleOne(tx, sr)
	})
	if err != nil {
		return fmt.Errorf("state %s: settle item %d: %w", s.path, st.ItemID, err)
	}
	if sr.lost {
		return ErrClaimLost
	}
	return nil
}

// settleOne records one settlement (see Settle); sr.lost is set when its
// claim was gone.
func settleOne(tx *wtx, sr *settleReq) error {
	st := sr.st
	// The claim is checked first, by the update of the item: when it
	// changes no row, only the ledger entries are recorded.
	if err := settleItem(tx, st); err != nil {
		if !errors.Is(err, ErrClaimLost) {
			return err
		}
		sr.lost = true
	}
	if err := putClosedIntents(tx, st.Intents); err != nil {
		return err
	}
	if err := putLinkRows(tx, st.Links); err != nil {
		return err
	}
	if sr.lost {
		return nil
	}
	if err := putSubjects(tx, st.ItemID, st.Subjects); err != nil {
		return err
	}
	if st.Run.ID == "" {
		return nil
	}
	if err := putRuns(tx, []*settleReq{sr}); err != nil {
		return err
	}
	return putAttempts(tx, sr.others)
}

// settleItem updates a settled item: ErrClaimLost when its claim is gone,
// ErrNotFound for an unknown item.
func settleItem(tx *wtx, st Settlement) error {
	r := st.Run
	claim, token, attempts := 0, int64(0), 0
	if c := st.Claimed; c != nil {
		claim, token, attempts = 1, c.ClaimToken, c.Attempts
	}
	settled := func(n int64, err error) error {
		if err == nil && n == 0 && claim == 1 {
			return ErrClaimLost
		}
		return mustAffect(n, err)
	}
	switch st.Outcome {
	case ItemDone:
		return settled(tx.affected(`UPDATE inbox SET status = 'done', run_id = ?, lease_until = NULL, last_error = '', updated_at = ?
			WHERE id = ?`+heldBy, r.ID, tx.now.UnixNano(), st.ItemID, claim, token, attempts))
	case ItemDead, ItemParked:
		return settled(tx.affected(`UPDATE inbox SET status = ?, run_id = ?, lease_until = NULL, last_error = ?, updated_at = ?
			WHERE id = ?`+heldBy, string(st.Outcome), r.ID, st.LastError, tx.now.UnixNano(), st.ItemID, claim, token, attempts))
	}
	nb := st.NotBefore
	if nb.IsZero() {
		nb = tx.now
	}
	if st.ResetAttempts {
		return settled(tx.affected(`UPDATE inbox SET status = 'pending', attempts = 0, generation = generation + 1, not_before = ?, lease_until = NULL, last_error = ?, updated_at = ?
			WHERE id = ?`+heldBy, nb.UnixNano(), st.LastError, tx.now.UnixNano(), st.ItemID, claim, token, attempts))
	}
	return settled(tx.affected(`UPDATE inbox SET status = 'pending', not_before = ?, lease_until = NULL, last_error = ?, updated_at = ?
		WHERE id = ?`+heldBy, nb.UnixNano(), st.LastError, tx.now.UnixNano(), st.ItemID, claim, token, attempts))
}

// heldBy limits a settlement's update to an item still running under the
// claim that settles it, when there is one: its arguments are whether there
// is (0 or 1), the claim's token and its attempt.
const heldBy = ` AND (? = 0 OR (status = 'running' AND claim_token = ? AND attempts = ?))`
