package service

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/worker"
)

// Each tick logs one line: events settled and vendor calls since the last
// line, and the queue as it is.
func TestSummaryLogsCountsSinceLastLine(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	store, err := state.Open(ctx, filepath.Join(t.TempDir(), "state.db"), state.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Enqueue(ctx,
		state.NewItem{Pipeline: "orders", Trigger: "hook", Key: "1"},
		state.NewItem{Pipeline: "orders", Trigger: "hook", Key: "2", NotBefore: now.Add(time.Minute)},
	); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	s := &summary{}
	obs := connectors.WithCallObserver(ctx, s)
	connectors.ObserveCall(obs, 0)
	connectors.ObserveCall(obs, time.Second)
	connectors.ObserveThrottled(obs)
	s.settled(worker.Finished)
	s.settled(worker.Finished)
	s.settled(worker.Rescheduled)
	s.settled(worker.Buried)
	s.delivered(3 * time.Millisecond)
	s.delivered(41 * time.Millisecond)
	s.delivered(2 * time.Millisecond)

	tick := make(chan time.Time)
	done := make(chan struct{})
	go func() {
		s.loop(ctx, tick, store, func() time.Time { return now }, logger)
		close(done)
	}()
	// A tick is taken only after the line of the one before is written.
	tick <- now
	tick <- now
	tick <- now
	cancel()
	<-done
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) < 2 {
		t.Fatalf("want two summary lines, got %q", buf.String())
	}
	for _, want := range []string{"msg=summary", "done=2", "failed=1", "dead=1", "queue_pending=1", "queue_waiting=1",
		"queue_running=0", "vendor_calls=2", "rate_limited=1", "webhooks=3", "slowest_ack=41ms"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("first line %q lacks %s", lines[0], want)
		}
	}
	for _, want := range []string{"done=0", "failed=0", "dead=0", "queue_pending=1", "vendor_calls=0", "rate_limited=0", "webhooks=0", "slowest_ack=0s"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("second line %q lacks %s", lines[1], want)
		}
	}
}
