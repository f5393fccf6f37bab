package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Intent is one external write in the ledger. It is committed pending before
// the write and closed (done or failed) after it, so a restart finds every
// write whose outcome is unknown.
type Intent struct {
	Key         string // the idempotency key
	RunID       string
	Pipeline    string
	Step        string
	Connection  string
	Action      string
	Identity    string // the record written, as the target knows it
	Fingerprint string // of the planned change, to detect drift
	Op          string // what the write was planned as: create, update, delete
	Status      IntentStatus
	Output      []byte
	Error       string
	// Owner is the engine that opened the intent; while it is pending and
	// ClaimUntil has not passed, nobody else may open it.
	Owner      string
	ClaimUntil time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const intentCols = `idem_key, run_id, pipeline, step, connection, action, identity, fingerprint, status, output, error, owner, claim_until, created_at, updated_at`

func scanIntent(sc scanner) (Intent, error) {
	var in Intent
	err := sc.Scan(&in.Key, &in.RunID, &in.Pipeline, &in.Step, &in.Connection, &in.Action, &in.Identity,
		&in.Fingerprint, &in.Status, &in.Output, &in.Error, &in.Owner, timeCol{&in.ClaimUntil}, timeCol{&in.CreatedAt}, timeCol{&in.UpdatedAt})
	return in, err
}

// insertIntent opens an intent as pending; its arguments are the key, run,
// pipeline, step, connection, action, identity, fingerprint, owner, claim
// expiry, now and op.
const insertIntent = `INSERT INTO intents (idem_key, run_id, pipeline, step, connection, action, identity, fingerprint, status, output, error, owner, claim_until, created_at, updated_at, op)
	VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', NULL, '', ?9, ?10, ?11, ?11, ?12)`

// DefaultIntentClaim is how long the owner of an intent holds it when
// OpenIntentWith is not told: longer than one vendor call with its own
// retries may take, short enough that a write whose owner died (kill -9)
// is reconciled soon by another.
const DefaultIntentClaim = 2 * time.Minute

// Errors of OpenIntent. Match them with errors.Is.
var (
	// ErrIntentClaimed: another owner is making this write now. Wait and
	// try again; IntentClaimedError names the owner.
	ErrIntentClaimed = errors.New("state: the write is claimed by another owner")
	// ErrIntentChanged: the intent changed after the caller read it (another
	// writer made or claimed the write meanwhile). Plan again.
	ErrIntentChanged = errors.New("state: the write's intent changed since it was read")
	// ErrIntentUnknown: an earlier attempt of this write has an unknown
	// outcome; only a person may send it again (ReleaseUnknownIntents).
	ErrIntentUnknown = errors.New("state: the outcome of an earlier attempt of this write is unknown")
)

// IntentClaimedError is ErrIntentClaimed with the owner and the end of its
// claim.
type IntentClaimedError struct {
	Key   string
	Owner string
	Until time.Time
}

func (e *IntentClaimedError) Error() string {
	return fmt.Sprintf("state: the write %s is being made by %s (claimed until %s)", e.Key, e.Owner, e.Until.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrIntentClaimed) true.
func (e *IntentClaimedError) Is(target error) bool { return target == ErrIntentClaimed }

// OpenOptions refine OpenIntentWith.
type OpenOptions struct {
	// TTL is how long in.Owner holds the claim (DefaultIntentClaim when 0).
	TTL time.Duration
	// Compare makes the open conditional on the intent being as Seen (nil:
	// absent) when the caller read it before deciding to write.
	Compare bool
	Seen    *Intent
	// Fence, when set, must still hold its lease at the moment of the open.
	Fence *Fence
}

// Intent returns the intent with the given key; false when there is none.
func (s *Store) Intent(ctx context.Context, key string) (Intent, bool, error) {
	in, err := scanIntent(s.queryRow(ctx, `SELECT `+intentCols+` FROM intents WHERE idem_key = ?`, key))
	if err != nil {
		if err = notFound(err); errors.Is(err, ErrNotFound) {
			return Intent{}, false, nil
		}
		return Intent{}, false, fmt.Errorf("state: intent %s: %w", key, err)
	}
	return in, true, nil
}

// OpenIntent is OpenIntentWith without options.
func (s *Store) OpenIntent(ctx context.Context, in Intent) error {
	return s.OpenIntentWith(ctx, in, OpenOptions{})
}

// OpenIntentWith records in as pending and claimed by in.Owner, inserting
// it or, when its key exists, replacing its fields and clearing a previous
// output and error. The status and claim in "in" are ignored. It refuses,
// without changing anything, a pending intent that another owner's live
// claim holds (IntentClaimedError), an intent whose outcome is unknown
// (ErrIntentUnknown), and, with o.Compare, an intent that is no longer as
// the caller saw it (ErrIntentChanged).
func (s *Store) OpenIntentWith(ctx context.Context, in Intent, o OpenOptions) error {
	if in.Key == "" {
		return fmt.Errorf("state: open intent: key is required")
	}
	ttl := o.TTL
	if ttl <= 0 {
		ttl = DefaultIntentClaim
	}
	return s.write(ctx, "open intent "+in.Key, func(tx *wtx) error {
		if o.Fence != nil {
			if err := checkFence(tx, *o.Fence); err != nil {
				return err
			}
		}
		if !o.Compare || o.Seen == nil {
			// Most writes are new: inserting one that is absent needs no
			// check, so the ledger is read only when the key exists.
			n, err := tx.affected(insertIntent+` ON CONFLICT (idem_key) DO NOTHING`,
				in.Key, in.RunID, in.Pipeline, in.Step, in.Connection, in.Action, in.Identity, in.Fingerprint,
				in.Owner, tx.now.Add(ttl).UnixNano(), tx.now.UnixNano(), in.Op)
			if err != nil || n == 1 {
				return err
			}
		}
		cur, err := scanIntent(tx.queryRow(`SELECT `+intentCols+` FROM intents WHERE idem_key = ?`+forUpdate, in.Key))
		found := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case found && cur.Status == IntentUnknown:
			return ErrIntentUnknown
		case found && cur.Status == IntentPending && cur.Owner != in.Owner && cur.ClaimUntil.After(tx.now):
			return &IntentClaimedError{Key: in.Key, Owner: cur.Owner, Until: cur.ClaimUntil}
		case o.Compare && !sameVersion(o.Seen, cur, found):
			return ErrIntentChanged
		}
		now := tx.now.UnixNano()
		_, err = tx.exec(insertIntent+` ON CONFLICT (idem_key) DO UPDATE SET run_id = excluded.run_id, pipeline = excluded.pipeline, step = excluded.step,
				connection = excluded.connection, action = excluded.action, identity = excluded.identity,
				fingerprint = excluded.fingerprint, status = 'pending', output = NULL, error = '',
				owner = excluded.owner, claim_until = excluded.claim_until, updated_at = excluded.updated_at, op = excluded.op`,
			in.Key, in.RunID, in.Pipeline, in.Step, in.Connection, in.Action, in.Identity, in.Fingerprint,
			in.Owner, tx.now.Add(ttl).UnixNano(), now, in.Op)
		return err
	})
}

// sameVersion reports whether the intent is still as the caller saw it.
func sameVersion(seen *Intent, cur Intent, found bool) bool {
	if seen == nil || !found {
		return seen == nil && !found
	}
	return seen.Status == cur.Status && seen.Owner == cur.Owner && seen.UpdatedAt.Equal(cur.UpdatedAt)
}

// ReleaseIntentClaim ends owner's claim on a pending intent whose write
// failed: nothing is in flight any more, so another process need not wait
// for it (it reconciles the pending write by reading the target).
func (s *Store) ReleaseIntentClaim(ctx context.Context, key, owner string) error {
	return s.write(ctx, "release intent claim "+key, func(tx *wtx) error {
		_, err := tx.exec(`UPDATE intents SET claim_until = 0 WHERE idem_key = ? AND owner = ? AND status = 'pending'`, key, owner)
		return err
	})
}

// ReleaseClaimsOf ends every claim of owner, a process known to be gone.
func (s *Store) ReleaseClaimsOf(ctx context.Context, owner string) error {
	return s.write(ctx, "release the claims of "+owner, func(tx *wtx) error {
		_, err := tx.exec(`UPDATE intents SET claim_until = 0 WHERE owner = ? AND status = 'pending' AND claim_until > 0`, owner)
		return err
	})
}

// MarkIntentUnknown turns a pending intent into one whose outcome is
// unknown: its write may or may not have happened and cannot be read back,
// so it is not sent again until a person releases it. It reports false when
// the intent was no longer pending.
func (s *Store) MarkIntentUnknown(ctx context.Context, key, errMsg string) (bool, error) {
	var n int64
	err := s.write(ctx, "mark intent unknown "+key, func(tx *wtx) error {
		var err error
		n, err = tx.affected(`UPDATE intents SET status = 'unknown', error = ?, claim_until = 0, updated_at = ? WHERE idem_key = ? AND status = 'pending'`,
			errMsg, tx.now.UnixNano(), key)
		return err
	})
	return n == 1, err
}

func releaseUnknown(tx *wtx, itemID int64) (int64, error) {
	return tx.affected(`UPDATE intents SET status = 'failed', error = 'released by tote retry: ' || error, updated_at = ?
		WHERE status = 'unknown' AND run_id IN (SELECT id FROM runs WHERE item_id = ?)`, tx.now.UnixNano(), itemID)
}

// UnknownIntents returns the intents of a run whose outcome is unknown.
func (s *Store) UnknownIntents(ctx context.Context, runID string) ([]Intent, error) {
	return s.intents(ctx, `SELECT `+intentCols+` FROM intents WHERE status = 'unknown' AND run_id = ? ORDER BY created_at, idem_key`, runID)
}

// CloseIntent records the outcome of an intent's write (IntentDone or
// IntentFailed) and writes links in the same transaction. An unknown key is
// ErrNotFound, and then no link is written.
func (s *Store) CloseIntent(ctx context.Context, key string, status IntentStatus, output []byte, errMsg string, links ...Link) error {
	if status != IntentDone && status != IntentFailed {
		return fmt.Errorf("state: close intent %s: %w: %q", key, ErrInvalidStatus, status)
	}
	return s.write(ctx, "close intent "+key, func(tx *wtx) error {
		err := mustAffect(tx.affected(`UPDATE intents SET status = ?, output = ?, error = ?, updated_at = ? WHERE idem_key = ?`,
			string(status), output, errMsg, tx.now.UnixNano(), key))
		if err != nil {
			return err
		}
		return putLinks(tx, links)
	})
}

// AllUnknownIntents lists every intent whose outcome is unknown, of any
// run: the writes of the parked events.
func (s *Store) AllUnknownIntents(ctx context.Context) ([]Intent, error) {
	return s.intents(ctx, `SELECT `+intentCols+` FROM intents WHERE status = 'unknown' ORDER BY created_at, idem_key`)
}

// PendingIntents returns every intent still pending, oldest first: the writes
// whose outcome must be reconciled by reading the target.
func (s *Store) PendingIntents(ctx context.Context) ([]Intent, error) {
	return s.intents(ctx, `SELECT `+intentCols+` FROM intents WHERE status = 'pending' ORDER BY created_at, idem_key`)
}

func (s *Store) intents(ctx context.Context, query string, args ...any) ([]Intent, error) {
	return queryAll(ctx, s, "intents", scanIntent, query, args...)
}
