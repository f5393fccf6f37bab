package service_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/service"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/worker"
)

// startReplica runs a tote run replica named owner on the state file at
// path, through a store of its own (as another process would).
func (h *harness) startReplica(t *testing.T, path, owner string) *running {
	t.Helper()
	st, err := state.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{settled: make(chan worker.Outcome, 64), done: make(chan error, 1), cancel: cancel}
	ready := make(chan string, 1)
	eng := run.New(h.prog, st, run.Options{Owner: owner})
	go func() {
		defer st.Close()
		defer eng.Close()
		r.done <- service.Run(ctx, eng, service.Options{
			Listen: "127.0.0.1:0", Grace: 10 * time.Second, Concurrency: 4, MaxAttempts: 8,
			Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, Replica: true,
			Logger:    slog.New(slog.NewTextHandler(h.logs, nil)),
			Ready:     func(addr string) { ready <- addr },
			OnSettled: func(_ state.Item, _ *run.Result, o worker.Outcome) { r.settled <- o },
		})
	}()
	select {
	case r.addr = <-ready:
	case err := <-r.done:
		t.Fatalf("replica %s stopped before serving: %v", owner, err)
	}
	t.Cleanup(cancel)
	return r
}

// Two replicas on one state file each take webhooks; every delivery runs
// once, whichever replica took it and whichever claimed it, and a
// delivery sent to both is one event. A tote run without replicas is
// refused beside them.
func TestReplicasShareOneState(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(t.TempDir(), "shared.db")
	a := h.startReplica(t, path, "web-1:100:1")
	b := h.startReplica(t, path, "web-2:200:1")
	const n = 20
	for i := range n {
		to := []*running{a, b}[i%2]
		if code := post(t, to.addr, fmt.Sprintf(`{"id": "%d"}`, i)); code != http.StatusAccepted {
			t.Fatalf("delivery %d: %d", i, code)
		}
	}
	// A redelivery reaches the other replica: the inbox makes it one event.
	if code := post(t, b.addr, `{"id": "0"}`); code != http.StatusAccepted && code != http.StatusOK {
		t.Fatalf("redelivery: %d", code)
	}
	settled := map[*running]int{}
	for range n {
		select {
		case <-a.settled:
			settled[a]++
		case <-b.settled:
			settled[b]++
		}
	}

	st, err := state.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := run.New(h.prog, st, run.Options{})
	defer eng.Close()
	err = service.Run(context.Background(), eng, service.Options{Listen: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "2 tote run replica(s)") {
		t.Fatalf("a single tote run beside replicas: %v", err)
	}

	for _, r := range []*running{a, b} {
		r.cancel()
		if err := <-r.done; err != nil {
			t.Fatal(err)
		}
	}
	perKey := map[string]int{}
	for _, w := range h.mem.Writes() {
		perKey[w.Key]++
	}
	for i := range n {
		if k := fmt.Sprintf("rec/%d", i); perKey[k] != 1 {
			t.Errorf("%s written %d times, want once", k, perKey[k])
		}
	}
	if len(perKey) != n {
		t.Errorf("records written = %d, want %d", len(perKey), n)
	}
	counts, _ := st.InboxCounts(context.Background())
	if counts[state.ItemDone] != n {
		t.Errorf("inbox = %v, want %d done", counts, n)
	}
	t.Logf("settled by a: %d, by b: %d", settled[a], settled[b])
}
