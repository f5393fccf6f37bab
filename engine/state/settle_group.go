package state

import (
	"errors"
	"fmt"
	"strings"
)

// groupRows is how many rows one statement of a group of settlements
// writes at most.
const groupRows = 32

// settleReq is a settlement as the writer holds it; lost is set when its
// claim was gone.
type settleReq struct {
	st   Settlement
	lost bool
	// steps are the run's attempts for runs.steps, others the attempts of
	// other runs (see runSteps), both prepared before the request is queued.
	steps  []byte
	others []StepAttempt
}

// settleGroup runs the settlements queued together in one batch as a few
// statements of many rows each: the items' updates (which check their
// claims), then the ledger entries, the runs and their attempts.
type settleGroup struct{}

// errRunAlone makes a group's requests run one by one.
var errRunAlone = errors.New("state: settlements run one by one")

func (settleGroup) runAll(tx *wtx, reqs []*writeReq, errs []error) error {
	srs := make([]*settleReq, len(reqs))
	ids := make(map[int64]bool, len(reqs))
	for i, r := range reqs {
		sr := r.arg.(*settleReq)
		if ids[sr.st.ItemID] {
			return errRunAlone // two settlements of one item: their order matters
		}
		ids[sr.st.ItemID] = true
		srs[i] = sr
	}
	return settleAll(tx, srs, errs)
}

// settleAll records settlements of distinct items (see settleGroup). A
// settlement whose claim is gone records only its ledger
// entries and has lost set; one of an unknown item, unclaimed, records
// nothing and has ErrNotFound in errs.
func settleAll(tx *wtx, srs []*settleReq, errs []error) error {
	for _, sr := range srs {
		sr.lost = false
	}
	held := make(map[int64]bool, len(srs))
	for start := 0; start < len(srs); start += groupRows {
		chunk := srs[start:min(start+groupRows, len(srs))]
		args := tx.argBuf(9*len(chunk) + 1)
		for _, sr := range chunk {
			args = appendItemArgs(args, tx, &sr.st)
		}
		args = append(args, tx.now.UnixNano())
		ids, err := tx.queryIDs(settleItems[len(chunk)], args)
		if err != nil {
			return fmt.Errorf("settle items: %w", err)
		}
		for _, id := range ids {
			held[id] = true
		}
	}
	// The intents and links of all go into the writer's buffers, emptied
	// again once written.
	ins, links := tx.w.ins[:0], tx.w.links[:0]
	defer func() {
		clear(ins)
		clear(links)
		tx.w.ins, tx.w.links = ins[:0], links[:0]
	}()
	var runs []*settleReq
	var attempts []StepAttempt
	for i, sr := range srs {
		st := &sr.st
		if !held[st.ItemID] {
			if st.Claimed == nil {
				errs[i] = ErrNotFound // an unknown item: nothing of it is recorded
				continue
			}
			sr.lost = true
		}
		ins = append(ins, st.Intents...)
		links = append(links, st.Links...)
		if sr.lost {
			continue
		}
		if err := putSubjects(tx, st.ItemID, st.Subjects); err != nil {
			return err
		}
		if st.Run.ID != "" {
			runs = append(runs, sr)
			attempts = append(attempts, sr.others...)
		}
	}
	if err := putClosedIntents(tx, ins); err != nil {
		return err
	}
	if err := putLinks(tx, links); err != nil {
		return err
	}
	if err := putRuns(tx, runs); err != nil {
		return err
	}
	return putAttempts(tx, attempts)
}

// appendItemArgs appends one row of settleItems to args: id, status, run
// id, last error, not before, whether attempts start afresh (0 or 1), and
// the claim (see heldBy).
func appendItemArgs(args []any, tx *wtx, st *Settlement) []any {
	claim, token, attempts := 0, int64(0), 0
	if c := st.Claimed; c != nil {
		claim, token, attempts = 1, c.ClaimToken, c.Attempts
	}
	lastError := st.LastError
	if st.Outcome == ItemDone {
		lastError = ""
	}
	nb := st.NotBefore
	if nb.IsZero() {
		nb = tx.now
	}
	reset := 0
	if st.Outcome == ItemPending && st.ResetAttempts {
		reset = 1
	}
	return append(args, st.ItemID, string(st.Outcome), st.Run.ID, lastError, nb.UnixNano(), reset, claim, token, attempts)
}

// settleItems[n] updates n settled items and returns the ids of those it
// updated: an item missing from them was not found, or is no longer held
// by the claim settling it. A retried item
// keeps the run id it had and moves its not_before; a finished one takes
// its run's id. The casts type the VALUES columns where a database does not
// infer them from parameters (PostgreSQL); SQLite keeps the integers as
// they are.
var settleItems = multiRow(groupRows, `WITH v (id, status, run_id, last_error, not_before, reset, claim, token, attempts) AS (VALUES `,
	`(CAST(? AS BIGINT), ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))`,
	`) UPDATE inbox SET status = v.status,
		run_id = CASE WHEN v.status = 'pending' THEN inbox.run_id ELSE v.run_id END,
		lease_until = NULL, last_error = v.last_error,
		not_before = CASE WHEN v.status = 'pending' THEN v.not_before ELSE inbox.not_before END,
		attempts = CASE WHEN v.reset = 1 THEN 0 ELSE inbox.attempts END,
		generation = inbox.generation + v.reset, updated_at = ?
	FROM v WHERE inbox.id = v.id AND (v.claim = 0 OR (inbox.status = 'running' AND inbox.claim_token = v.token AND inbox.attempts = v.attempts))
	RETURNING inbox.id`)

// putRuns records the runs of settlements, with their attempts
// (runs.steps), inserted or, for a run id recorded before, updated.
func putRuns(tx *wtx, srs []*settleReq) error {
	for len(srs) > 0 {
		n := min(len(srs), groupRows)
		args := tx.argBuf(14 * n)
		for _, sr := range srs[:n] {
			r := sr.st.Run
			var itemID any
			if r.ItemID != 0 {
				itemID = r.ItemID
			}
			finished := r.FinishedAt
			if finished.IsZero() {
				finished = tx.now
			}
			var event, steps any // NULL unless the run saw another event than its item's; NULL: no attempts
			if len(sr.st.Event) > 0 {
				event = sr.st.Event
			}
			if len(sr.steps) > 0 {
				steps = string(sr.steps) // text, which SQLite's JSON functions read
			}
			args = append(args, r.ID, r.Pipeline, r.Trigger, r.EventKey, itemID, r.Mode, string(r.Status), r.Attempt, r.Writes, r.Error,
				encTime(r.StartedAt), finished.UnixNano(), event, steps)
		}
		if _, err := tx.exec(runInserts[n], args...); err != nil {
			return fmt.Errorf("run %s: %w", srs[0].st.Run.ID, err)
		}
		srs = srs[n:]
	}
	return nil
}

var runInserts = multiRow(groupRows, `INSERT INTO runs (id, pipeline, trigger_name, event_key, item_id, mode, status, attempt, writes, error, started_at, finished_at, event, steps) VALUES `,
	`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	` ON CONFLICT (id) DO UPDATE SET status = excluded.status, writes = excluded.writes, error = excluded.error,
		finished_at = excluded.finished_at, event = COALESCE(excluded.event, runs.event), steps = COALESCE(excluded.steps, runs.steps)`)

// putClosedIntents records intents whose write was already attempted, as a
// settlement carries them (see Settlement.Intents): inserted, or replacing
// the fields of the intent with the same key; of several with one key, the
// last. An intent whose outcome is unknown is left alone: only a person
// releases it. The claim is 0: nothing is in flight any more.
func putClosedIntents(tx *wtx, ins []Intent) error {
	ins = lastOfEach(ins, func(in *Intent) string { return in.Key })
	for len(ins) > 0 {
		n := min(len(ins), groupRows)
		args := tx.argBuf(15 * n)
		for i := range ins[:n] {
			in := &ins[i]
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
			args = append(args, in.Key, in.RunID, in.Pipeline, in.Step, in.Connection, in.Action, in.Identity, in.Fingerprint,
				string(in.Status), in.Output, in.Error, in.Owner, created.UnixNano(), updated.UnixNano(), in.Op)
		}
		if _, err := tx.exec(intentInserts[n], args...); err != nil {
			return fmt.Errorf("intent %s: %w", ins[0].Key, err)
		}
		ins = ins[n:]
	}
	return nil
}

var intentInserts = multiRow(groupRows, `INSERT INTO intents (idem_key, run_id, pipeline, step, connection, action, identity, fingerprint, status, output, error, owner, created_at, updated_at, op, claim_until) VALUES `,
	`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
	` ON CONFLICT (idem_key) DO UPDATE SET run_id = excluded.run_id, pipeline = excluded.pipeline, step = excluded.step,
		connection = excluded.connection, action = excluded.action, identity = excluded.identity,
		fingerprint = excluded.fingerprint, status = excluded.status, output = excluded.output, error = excluded.error,
		owner = excluded.owner, claim_until = 0, updated_at = excluded.updated_at, op = excluded.op
	WHERE intents.status != 'unknown'`)

// multiRow returns the statements of 1 to most rows, indexed by their
// number of rows: head, the rows separated by commas, tail.
func multiRow(most int, head, row, tail string) []string {
	return joinRows(most, head, row, ", ", tail)
}

// joinRows is multiRow with the rows separated by sep.
func joinRows(most int, head, row, sep, tail string) []string {
	qs := make([]string, most+1)
	for n := 1; n <= most; n++ {
		qs[n] = head + row + strings.Repeat(sep+row, n-1) + tail
	}
	return qs
}

// lastOfEach keeps, of the elements with the same key, the last one, in
// the order of their last occurrence; it returns xs itself when the keys
// are distinct.
func lastOfEach[T any, K comparable](xs []T, key func(*T) K) []T {
	if len(xs) < 2 || len(xs) <= fewKeys && distinct(xs, key) {
		return xs
	}
	last := make(map[K]int, len(xs))
	for i := range xs {
		last[key(&xs[i])] = i
	}
	if len(last) == len(xs) {
		return xs
	}
	out := make([]T, 0, len(last))
	for i := range xs {
		if last[key(&xs[i])] == i {
			out = append(out, xs[i])
		}
	}
	return out
}

// fewKeys is how many elements lastOfEach compares pairwise rather than
// in a map.
const fewKeys = 8

// distinct reports whether the keys of xs are distinct.
func distinct[T any, K comparable](xs []T, key func(*T) K) bool {
	for i := range xs {
		k := key(&xs[i])
		for j := i + 1; j < len(xs); j++ {
			if key(&xs[j]) == k {
				return false
			}
		}
	}
	return true
}
