package service

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/state"
)

func TestRefusedDeliveriesAreRecordedOffTheRequestPath(t *testing.T) {
	st, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec := &rejections{queue: make(chan state.Rejection, 2), store: st, log: slog.New(slog.DiscardHandler)}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	// Nothing writes yet: the refusals are answered without waiting for
	// the state, and one past the queue is dropped, not waited for.
	for i, path := range []string{"/hooks/a", "/hooks/b", "/hooks/c"} {
		rec.add(state.Rejection{At: at.Add(time.Duration(i) * time.Second), Path: path, Status: 401, Reason: "unsigned"})
	}
	if got := rec.dropped.Load(); got != 1 {
		t.Errorf("dropped %d, want 1", got)
	}
	if rs, err := st.Rejections(context.Background(), time.Time{}, 10); err != nil || len(rs) != 0 {
		t.Fatalf("before the recorder ran: %d records (%v), want 0", len(rs), err)
	}
	// Stopping writes what is queued.
	stop := make(chan struct{})
	close(stop)
	rec.run(stop)
	rs, err := st.Rejections(context.Background(), time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range rs {
		paths = append(paths, r.Path)
	}
	if len(rs) != 2 || !slices.Contains(paths, "/hooks/a") || !slices.Contains(paths, "/hooks/b") {
		t.Errorf("recorded %v, want /hooks/a and /hooks/b", paths)
	}
}
