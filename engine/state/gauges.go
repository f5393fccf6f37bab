package state

import (
	"context"
	"fmt"
	"time"
)

// Depth is how many inbox items of one pipeline are in one status.
type Depth struct {
	Pipeline string
	Status   ItemStatus
	Count    int
}

// InboxDepth counts pending, running and dead items by pipeline.
func (s *Store) InboxDepth(ctx context.Context) ([]Depth, error) {
	return queryAll(ctx, s, "inbox depth", func(sc scanner) (Depth, error) {
		var d Depth
		err := sc.Scan(&d.Pipeline, &d.Status, &d.Count)
		return d, err
	}, `SELECT pipeline, status, COUNT(*) FROM inbox
		WHERE status IN ('pending', 'running', 'dead', 'parked') GROUP BY pipeline, status`)
}

// OldestPending is when the oldest pending item was enqueued; ok is false
// when nothing is pending.
func (s *Store) OldestPending(ctx context.Context) (time.Time, bool, error) {
	var created *int64
	if err := s.queryRow(ctx, `SELECT MIN(created_at) FROM inbox WHERE status = 'pending'`).Scan(&created); err != nil {
		return time.Time{}, false, fmt.Errorf("state: oldest pending item: %w", err)
	}
	if created == nil {
		return time.Time{}, false, nil
	}
	return time.Unix(0, *created), true, nil
}

// IntentCounts counts the ledger's intents in each of the given statuses;
// every status asked for is in the map.
func (s *Store) IntentCounts(ctx context.Context, statuses ...IntentStatus) (map[IntentStatus]int, error) {
	out := make(map[IntentStatus]int, len(statuses))
	if len(statuses) == 0 {
		return out, nil
	}
	args := make([]any, len(statuses))
	for i, st := range statuses {
		out[st] = 0
		args[i] = string(st)
	}
	q := `SELECT status, COUNT(*) FROM intents WHERE status IN (` + placeholders(len(statuses)) + `) GROUP BY status`
	rows, err := s.queryRows(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("state: intent counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st IntentStatus
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("state: intent counts: %w", err)
		}
		out[st] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: intent counts: %w", err)
	}
	return out, nil
}

// WaitingToRetry counts pending items that ran before and wait for their
// next attempt (after a failure, or for a target that was not ready).
func (s *Store) WaitingToRetry(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM inbox WHERE status = 'pending' AND (attempts > 0 OR last_error != '')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("state: items waiting to retry: %w", err)
	}
	return n, nil
}
