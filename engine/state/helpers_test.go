package state

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// testClock is a manual clock for tests.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openTest opens a fresh store in a temporary directory with a test clock.
func openTest(t testing.TB, opts ...Option) (*Store, *testClock) {
	t.Helper()
	clock := newTestClock()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "state.db"), append([]Option{WithClock(clock.Now)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, clock
}

// batchLog records the size of every group commit the writer logs.
type batchLog struct {
	mu    sync.Mutex
	sizes []int
}

func (h *batchLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *batchLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *batchLog) WithGroup(string) slog.Handler            { return h }

func (h *batchLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "state: group commit" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "requests" {
			h.mu.Lock()
			h.sizes = append(h.sizes, int(a.Value.Int64()))
			h.mu.Unlock()
		}
		return true
	})
	return nil
}

func (h *batchLog) Sizes() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]int(nil), h.sizes...)
}

// gate blocks the writer: it submits a request that signals when it runs
// and then waits for release. While it waits, every request submitted
// queues up and lands in the next batch.
func gate(t *testing.T, s *Store) (release func(), done <-chan error) {
	t.Helper()
	started := make(chan struct{})
	open := make(chan struct{})
	d, err := s.w.submit(context.Background(), func(*wtx) error {
		close(started)
		<-open
		return nil
	})
	if err != nil {
		t.Fatalf("submit gate: %v", err)
	}
	<-started
	return func() { close(open) }, d
}

func mustEnqueue(t *testing.T, s *Store, items ...NewItem) []EnqueueResult {
	t.Helper()
	res, err := s.Enqueue(context.Background(), items...)
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	return res
}

func mustItem(t *testing.T, s *Store, id int64) Item {
	t.Helper()
	it, err := s.Item(context.Background(), id)
	if err != nil {
		t.Fatalf("Item(%d): %v", id, err)
	}
	return it
}
