package state

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Run records one execution of a pipeline for one event.
type Run struct {
	ID       string    `json:"id"`
	Pipeline string    `json:"pipeline"`
	Trigger  string    `json:"trigger"`
	EventKey string    `json:"event_key"`
	ItemID   int64     `json:"item_id"` // the inbox item it ran for; 0 when none (plan, apply)
	Mode     string    `json:"mode"`    // how it was started, e.g. "plan", "apply", "run"
	Status   RunStatus `json:"status"`
	Attempt  int       `json:"attempt"` // the item's attempt this run is
	Writes   int       `json:"writes"`  // external writes performed
	Error    string    `json:"error,omitempty"`
	// StartedAt defaults to the store's clock when zero.
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
}

// StepAttempt records one attempt of one step (or step instance) of a run.
type StepAttempt struct {
	RunID      string    `json:"run_id"`
	Step       string    `json:"step"`
	Attempt    int       `json:"attempt"`
	Status     string    `json:"status"`
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
}

// RunFilter selects runs. Empty fields match everything; Limit <= 0 means no
// limit.
type RunFilter struct {
	Pipeline string
	Status   RunStatus
	Limit    int
	Since    time.Time // runs started at or after; zero: any
}

const runCols = `id, pipeline, trigger_name, event_key, COALESCE(item_id, 0), mode, status, attempt, writes, error, started_at, finished_at`

func scanRun(sc scanner) (Run, error) {
	var r Run
	err := sc.Scan(&r.ID, &r.Pipeline, &r.Trigger, &r.EventKey, &r.ItemID, &r.Mode, &r.Status, &r.Attempt,
		&r.Writes, &r.Error, timeCol{&r.StartedAt}, timeCol{&r.FinishedAt})
	return r, err
}

// StartRun records a new run. Its ID must be new: a second StartRun with the
// same ID fails with ErrExists, so a run id derived from (pipeline, tick)
// makes a double dispatch harmless. An empty Status means RunRunning.
func (s *Store) StartRun(ctx context.Context, r Run) error {
	if r.ID == "" || r.Pipeline == "" {
		return fmt.Errorf("state: start run: id and pipeline are required")
	}
	if r.Status == "" {
		r.Status = RunRunning
	}
	return s.write(ctx, "start run "+r.ID, func(tx *wtx) error {
		started := r.StartedAt
		if started.IsZero() {
			started = tx.now
		}
		var itemID any
		if r.ItemID != 0 {
			itemID = r.ItemID
		}
		n, err := tx.affected(`INSERT INTO runs (id, pipeline, trigger_name, event_key, item_id, mode, status, attempt, writes, error, started_at, finished_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			r.ID, r.Pipeline, r.Trigger, r.EventKey, itemID, r.Mode, string(r.Status), r.Attempt, r.Writes, r.Error,
			started.UnixNano(), encTime(r.FinishedAt))
		if err == nil && n == 0 {
			return ErrExists
		}
		return err
	})
}

// FinishRun sets a run's final status, write count and error; finished_at
// is the store's clock.
func (s *Store) FinishRun(ctx context.Context, id string, status RunStatus, writes int, errMsg string) error {
	return s.write(ctx, "finish run "+id, func(tx *wtx) error {
		return mustAffect(tx.affected(`UPDATE runs SET status = ?, writes = ?, error = ?, finished_at = ? WHERE id = ?`,
			string(status), writes, errMsg, tx.now.UnixNano(), id))
	})
}

// RecordAttempts inserts step attempts, or updates those already recorded
// under the same (run, step, attempt). The runs must exist.
func (s *Store) RecordAttempts(ctx context.Context, attempts ...StepAttempt) error {
	return s.write(ctx, "record step attempts", func(tx *wtx) error { return putAttempts(tx, attempts) })
}

// attemptRows is how many step attempts one statement inserts at most.
const attemptRows = 16

// putAttempts inserts or updates step attempts, up to attemptRows per
// statement: a run's attempts cost one round trip, not one each.
func putAttempts(tx *wtx, attempts []StepAttempt) error {
	for len(attempts) > 0 {
		n := min(len(attempts), attemptRows)
		args := tx.argBuf(7 * n)
		for _, a := range attempts[:n] {
			args = append(args, a.RunID, a.Step, a.Attempt, a.Status, a.Error, encTime(a.StartedAt), encTime(a.FinishedAt))
		}
		if _, err := tx.exec(attemptInserts[n], args...); err != nil {
			return fmt.Errorf("run %s: step attempts: %w", attempts[0].RunID, err)
		}
		attempts = attempts[n:]
	}
	return nil
}

// attemptInserts[n] inserts n step attempts.
var attemptInserts = multiRow(attemptRows, `INSERT INTO step_attempts (run_id, step, attempt, status, error, started_at, finished_at) VALUES `,
	`(?, ?, ?, ?, ?, ?, ?)`,
	` ON CONFLICT (run_id, step, attempt) DO UPDATE SET status = excluded.status, error = excluded.error,
				started_at = excluded.started_at, finished_at = excluded.finished_at`)

// Runs lists runs matching f, newest first.
func (s *Store) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	var where []string
	var args []any
	if f.Pipeline != "" {
		where = append(where, "pipeline = ?")
		args = append(args, f.Pipeline)
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	if !f.Since.IsZero() {
		where = append(where, "started_at >= ?")
		args = append(args, f.Since.UnixNano())
	}
	return queryAll(ctx, s, "list runs", scanRun, `SELECT `+runCols+` FROM runs`+whereClause(where)+
		` ORDER BY started_at DESC, rowid DESC LIMIT ?`, append(args, sqlLimit(f.Limit))...)
}

// Run returns one run and its step attempts (by start time), or ErrNotFound.
func (s *Store) Run(ctx context.Context, id string) (Run, []StepAttempt, error) {
	var steps []byte
	r, err := scanRunSteps(s.queryRow(ctx, `SELECT `+runCols+`, steps FROM runs WHERE id = ?`, id), &steps)
	if err != nil {
		return Run{}, nil, fmt.Errorf("state: run %s: %w", id, notFound(err))
	}
	rows, err := s.queryRows(ctx, `SELECT run_id, step, attempt, status, error, started_at, finished_at
		FROM step_attempts WHERE run_id = ? ORDER BY started_at, step, attempt`, id)
	if err != nil {
		return Run{}, nil, fmt.Errorf("state: run %s: %w", id, err)
	}
	defer rows.Close()
	var attempts []StepAttempt
	for rows.Next() {
		var a StepAttempt
		if err := rows.Scan(&a.RunID, &a.Step, &a.Attempt, &a.Status, &a.Error,
			timeCol{&a.StartedAt}, timeCol{&a.FinishedAt}); err != nil {
			return Run{}, nil, fmt.Errorf("state: run %s: %w", id, err)
		}
		attempts = append(attempts, a)
	}
	if err := rows.Err(); err != nil {
		return Run{}, nil, fmt.Errorf("state: run %s: %w", id, err)
	}
	if attempts, err = mergeSteps(id, steps, attempts); err != nil {
		return Run{}, nil, fmt.Errorf("state: run %s: %w", id, err)
	}
	return r, attempts, nil
}

// RunEvent returns the event a run saw where it differs from its inbox
// item's payload (see Settlement.Event); nil when it does not.
func (s *Store) RunEvent(ctx context.Context, runID string) ([]byte, error) {
	var ev []byte
	err := s.queryRow(ctx, `SELECT event FROM runs WHERE id = ?`, runID).Scan(&ev)
	if err != nil {
		if err = notFound(err); errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("state: event of run %s: %w", runID, err)
	}
	return ev, nil
}
