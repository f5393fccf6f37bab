package state

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// stepRow is one step attempt as runs.steps holds it; times are Unix
// nanoseconds, 0 for none.
type stepRow struct {
	Step       string `json:"step"`
	Attempt    int    `json:"attempt"`
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	StartedAt  int64  `json:"started_at,omitempty"`
	FinishedAt int64  `json:"finished_at,omitempty"`
}

// runSteps splits a settlement's attempts into runs.steps for its run
// (nil when none; of several with one step and attempt, the last) and the
// attempts of other runs, which go to step_attempts.
func runSteps(runID string, attempts []StepAttempt) (steps []byte, others []StepAttempt, err error) {
	var rows []stepRow
	for _, a := range attempts {
		if a.RunID != runID {
			others = append(others, a)
			continue
		}
		r := stepRow{Step: a.Step, Attempt: a.Attempt, Status: a.Status, Error: a.Error,
			StartedAt: nanos(a.StartedAt), FinishedAt: nanos(a.FinishedAt)}
		if i := slices.IndexFunc(rows, func(x stepRow) bool { return x.Step == r.Step && x.Attempt == r.Attempt }); i >= 0 {
			rows[i] = r
			continue
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return nil, others, nil
	}
	steps, err = json.Marshal(rows)
	if err != nil {
		return nil, nil, fmt.Errorf("run %s: step attempts: %w", runID, err)
	}
	return steps, others, nil
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// mergeSteps adds the attempts of runs.steps to those read from
// step_attempts (an attempt in both is the one in steps) and orders them
// as Run does: by start time, step and attempt.
func mergeSteps(runID string, steps []byte, attempts []StepAttempt) ([]StepAttempt, error) {
	if len(steps) == 0 {
		return attempts, nil
	}
	var rows []stepRow
	if err := json.Unmarshal(steps, &rows); err != nil {
		return nil, fmt.Errorf("step attempts: %w", err)
	}
	for _, r := range rows {
		a := StepAttempt{RunID: runID, Step: r.Step, Attempt: r.Attempt, Status: r.Status, Error: r.Error,
			StartedAt: fromNanos(r.StartedAt), FinishedAt: fromNanos(r.FinishedAt)}
		if i := slices.IndexFunc(attempts, func(x StepAttempt) bool { return x.Step == a.Step && x.Attempt == a.Attempt }); i >= 0 {
			attempts[i] = a
			continue
		}
		attempts = append(attempts, a)
	}
	slices.SortStableFunc(attempts, func(a, b StepAttempt) int {
		return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(a.Step, b.Step), cmp.Compare(a.Attempt, b.Attempt))
	})
	return attempts, nil
}

// scanRunSteps is scanRun with runs.steps after the run's columns.
func scanRunSteps(sc scanner, steps *[]byte) (Run, error) {
	var r Run
	err := sc.Scan(&r.ID, &r.Pipeline, &r.Trigger, &r.EventKey, &r.ItemID, &r.Mode, &r.Status, &r.Attempt,
		&r.Writes, &r.Error, timeCol{&r.StartedAt}, timeCol{&r.FinishedAt}, steps)
	return r, err
}

// countSteps is the number of attempts runs.steps holds (0 for NULL or a
// value that is not an array: prune counts, it does not judge).
func countSteps(steps []byte) int {
	var rows []json.RawMessage
	if len(steps) == 0 || json.Unmarshal(steps, &rows) != nil {
		return 0
	}
	return len(rows)
}
