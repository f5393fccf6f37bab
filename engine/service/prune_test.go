package service_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/service"
	"github.com/toteworks/tote/engine/state"
)

// pruneLog signals each "pruned the state" record.
type pruneLog struct{ pruned chan slog.Record }

func (h pruneLog) Enabled(context.Context, slog.Level) bool { return true }
func (h pruneLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h pruneLog) WithGroup(string) slog.Handler            { return h }
func (h pruneLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "pruned the state" {
		h.pruned <- r
	}
	return nil
}

// tote run prunes its state as it serves: an event finished longer ago
// than the retention is gone, a dead one stays.
func TestRunPrunesTheState(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Now().Add(-60 * 24 * time.Hour)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	st, err := state.Open(ctx, filepath.Join(t.TempDir(), "aged.db"), state.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var ids []int64
	for _, key := range []string{"done", "dead", "newest"} {
		res, err := st.Enqueue(ctx, state.NewItem{Pipeline: "p", Trigger: "hook", Key: key})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Claim(ctx, 1, time.Minute); err != nil {
			t.Fatal(err)
		}
		outcome := state.ItemDone
		if key == "dead" {
			outcome = state.ItemDead
		}
		if err := st.Settle(ctx, state.Settlement{ItemID: res[0].ID, Outcome: outcome}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res[0].ID)
	}
	mu.Lock()
	now = time.Now()
	mu.Unlock()

	logs := pruneLog{pruned: make(chan slog.Record, 1)}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	eng := run.New(h.prog, st, run.Options{})
	defer eng.Close()
	go func() {
		done <- service.Run(runCtx, eng, service.Options{Listen: "127.0.0.1:0", Concurrency: 1, Logger: slog.New(logs),
			Retention: state.Retention{Records: 30 * 24 * time.Hour}})
	}()
	select {
	case <-logs.pruned:
	case err := <-done:
		t.Fatalf("service stopped before pruning: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("tote run did not prune its state within a minute of starting")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i, keep := range []bool{false, true, true} {
		_, err := st.Item(ctx, ids[i])
		if kept := err == nil; kept != keep {
			t.Errorf("item %d: kept = %v, want %v (%v)", ids[i], kept, keep, err)
		}
	}
}
