package state

import (
	"context"
	"fmt"
	"sync"
)

// IntentState is Intent without the recorded output, which a write reads
// only when it finds the write done before (IntentOutput): what a write
// checks before it is made. The lookups of runs that ask at the same moment
// share one query.
func (s *Store) IntentState(ctx context.Context, key string) (Intent, bool, error) {
	l := &lookup{key: key, done: make(chan struct{})}
	if s.lookups.add(l) {
		// This caller answers the lookups queued so far, its own among them;
		// those queued meanwhile are answered by a goroutine of their own.
		s.answerLookups(true)
	}
	select {
	case <-l.done:
	case <-ctx.Done():
		return Intent{}, false, ctx.Err()
	}
	if l.err != nil {
		return Intent{}, false, fmt.Errorf("state: intent %s: %w", key, l.err)
	}
	return l.in, l.found, nil
}

// lookup is one IntentState waiting for its answer.
type lookup struct {
	key   string
	in    Intent
	found bool
	err   error
	done  chan struct{} // closed once answered
}

// lookupBatch holds the lookups waiting for the next query; at most one
// query runs at a time.
type lookupBatch struct {
	mu      sync.Mutex
	pending []*lookup
	running bool
}

// add queues l and reports whether the caller must run the query.
func (b *lookupBatch) add(l *lookup) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending = append(b.pending, l)
	if b.running {
		return false
	}
	b.running = true
	return true
}

// take returns the lookups queued.
func (b *lookupBatch) take() []*lookup {
	b.mu.Lock()
	defer b.mu.Unlock()
	ls := b.pending
	b.pending = nil
	return ls
}

// more reports whether lookups are queued; when none are, the next caller
// runs the query.
func (b *lookupBatch) more() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		b.running = false
		return false
	}
	return true
}

// answerLookups answers the queued lookups, one query per lookupRows keys,
// until none are left; with once, it answers one round and leaves the
// lookups queued meanwhile to a goroutine.
func (s *Store) answerLookups(once bool) {
	for {
		ls := s.lookups.take()
		for len(ls) > 0 {
			n := min(len(ls), lookupRows)
			s.lookupIntents(ls[:n])
			ls = ls[n:]
		}
		if !s.lookups.more() {
			return
		}
		if once {
			go s.answerLookups(false)
			return
		}
	}
}

// lookupRows is how many keys one lookup query asks for at most.
const lookupRows = 32

// lookupIntents answers ls with one query. It does not use the callers'
// contexts: a caller that gave up does not fail the others.
func (s *Store) lookupIntents(ls []*lookup) {
	args := make([]any, len(ls))
	for i, l := range ls {
		args[i] = l.key
	}
	found := make(map[string]Intent, len(ls))
	err := func() error {
		rows, err := s.queryRows(context.Background(), lookupQueries[len(ls)], args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var in Intent
			if err := rows.Scan(&in.Key, &in.Status, &in.Owner, timeCol{&in.ClaimUntil}, &in.Fingerprint, &in.RunID, &in.Error,
				timeCol{&in.UpdatedAt}); err != nil {
				return err
			}
			found[in.Key] = in
		}
		return rows.Err()
	}()
	for _, l := range ls {
		l.err = err
		l.in, l.found = found[l.key]
		close(l.done)
	}
}

// lookupQueries[n] reads the state of n intents.
var lookupQueries = multiRow(lookupRows, `SELECT idem_key, status, owner, claim_until, fingerprint, run_id, error, updated_at FROM intents WHERE idem_key IN (`,
	`?`, `)`)

// IntentOutput returns the output recorded with an intent (nil when none);
// ErrNotFound for an unknown key.
func (s *Store) IntentOutput(ctx context.Context, key string) ([]byte, error) {
	var out []byte
	if err := s.queryRow(ctx, `SELECT output FROM intents WHERE idem_key = ?`, key).Scan(&out); err != nil {
		return nil, fmt.Errorf("state: output of intent %s: %w", key, notFound(err))
	}
	return out, nil
}
