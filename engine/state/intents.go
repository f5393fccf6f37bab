package state

import (
	"context"
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
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const intentCols = `idem_key, run_id, pipeline, step, connection, action, identity, fingerprint, status, output, error, created_at, updated_at`

func scanIntent(sc scanner) (Intent, error) {
	var in Intent
	err := sc.Scan(&in.Key, &in.RunID, &in.Pipeline, &in.Step, &in.Connection, &in.Action, &in.Identity,
		&in.Fingerprint, &in.Status, &in.Output, &in.Error, timeCol{&in.CreatedAt}, timeCol{&in.UpdatedAt})
	return in, err
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

// OpenIntent records in as pending, inserting it or, when its key exists,
// replacing its fields and clearing a previous output and error. The status
// in "in" is ignored.
func (s *Store) OpenIntent(ctx context.Context, in Intent) error {
	if in.Key == "" {
		return fmt.Errorf("state: open intent: key is required")
	}
	return s.write(ctx, "open intent "+in.Key, func(tx *wtx) error {
		now := tx.now.UnixNano()
		_, err := tx.exec(`INSERT INTO intents (idem_key, run_id, pipeline, step, connection, action, identity, fingerprint, status, output, error, created_at, updated_at, op)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', NULL, '', ?9, ?9, ?10)
			ON CONFLICT (idem_key) DO UPDATE SET run_id = excluded.run_id, pipeline = excluded.pipeline, step = excluded.step,
				connection = excluded.connection, action = excluded.action, identity = excluded.identity,
				fingerprint = excluded.fingerprint, status = 'pending', output = NULL, error = '', updated_at = excluded.updated_at,
				op = excluded.op`,
			in.Key, in.RunID, in.Pipeline, in.Step, in.Connection, in.Action, in.Identity, in.Fingerprint, now, in.Op)
		return err
	})
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

// PendingIntents returns every intent still pending, oldest first: the writes
// whose outcome must be reconciled by reading the target.
func (s *Store) PendingIntents(ctx context.Context) ([]Intent, error) {
	rows, err := s.queryRows(ctx, `SELECT `+intentCols+` FROM intents WHERE status = 'pending' ORDER BY created_at, idem_key`)
	if err != nil {
		return nil, fmt.Errorf("state: pending intents: %w", err)
	}
	defer rows.Close()
	var ins []Intent
	for rows.Next() {
		in, err := scanIntent(rows)
		if err != nil {
			return nil, fmt.Errorf("state: pending intents: %w", err)
		}
		ins = append(ins, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: pending intents: %w", err)
	}
	return ins, nil
}
