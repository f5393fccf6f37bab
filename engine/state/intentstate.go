package state

import (
	"context"
	"errors"
	"fmt"
)

// IntentState is Intent without the recorded output, which a write reads
// only when it finds the write done before (IntentOutput): what a write
// checks before it is made, in one small read.
func (s *Store) IntentState(ctx context.Context, key string) (Intent, bool, error) {
	in := Intent{Key: key}
	err := s.queryRow(ctx, `SELECT status, owner, claim_until, fingerprint, run_id, error, updated_at FROM intents WHERE idem_key = ?`, key).
		Scan(&in.Status, &in.Owner, timeCol{&in.ClaimUntil}, &in.Fingerprint, &in.RunID, &in.Error, timeCol{&in.UpdatedAt})
	if err != nil {
		if err = notFound(err); errors.Is(err, ErrNotFound) {
			return Intent{}, false, nil
		}
		return Intent{}, false, fmt.Errorf("state: intent %s: %w", key, err)
	}
	return in, true, nil
}

// IntentOutput returns the output recorded with an intent (nil when none);
// ErrNotFound for an unknown key.
func (s *Store) IntentOutput(ctx context.Context, key string) ([]byte, error) {
	var out []byte
	if err := s.queryRow(ctx, `SELECT output FROM intents WHERE idem_key = ?`, key).Scan(&out); err != nil {
		return nil, fmt.Errorf("state: output of intent %s: %w", key, notFound(err))
	}
	return out, nil
}
