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

// settleOne records one settlement (see Settle) as a group of one; sr.lost
// is set when its claim was gone.
func settleOne(tx *wtx, sr *settleReq) error {
	var errs [1]error
	if err := settleAll(tx, []*settleReq{sr}, errs[:]); err != nil {
		return err
	}
	return errs[0]
}
