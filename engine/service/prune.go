package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/toteworks/tote/engine/state"
)

// prunePeriodically removes what is past its retention from the state, at
// once and then every interval, until ctx ends. Each prune deletes in
// small writes, so it runs beside the workers.
func prunePeriodically(ctx context.Context, store *state.Store, r state.Retention, every time.Duration, logger *slog.Logger) {
	if every <= 0 {
		every = time.Hour
	}
	for {
		res, err := store.Prune(ctx, r)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("pruning the state", "err", err)
		case err == nil:
			logger.Info("pruned the state", "items", res.Items, "runs", res.Runs, "step_attempts", res.Attempts, "intents", res.Intents)
		}
		if !sleep(ctx, every) {
			return
		}
	}
}

// sleep waits d, or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
