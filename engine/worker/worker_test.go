package worker_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/worker"
)

const src = `
connection "memory" "m" {}
pipeline "p" {
  trigger "cron" "tick" {
    schedule = "@hourly"
  }
  step "w" {
    action = memory.put
    key    = trigger.tick
    value  = 1
  }
}
`

// setup compiles the pipeline against a memory connector; clock is the time
// every part reads.
func setup(t *testing.T, clock func() time.Time) (*conntest.Store, *state.Store, *run.Engine) {
	mem, st, prog := compileOn(t, src, clock)
	eng := run.New(prog, st, run.Options{Clock: clock})
	t.Cleanup(func() { eng.Close() })
	return mem, st, eng
}

// compileOn compiles source against a memory connector and opens a state
// of its own on clock.
func compileOn(t *testing.T, source string, clock func() time.Time) (*conntest.Store, *state.Store, *compile.Program) {
	t.Helper()
	mem := conntest.NewStore()
	cfg, diags := config.Parse(map[string][]byte{"main.hcl": []byte(source)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	prog, diags := compile.Compile(cfg, compile.Options{Registry: connectors.MustRegistry(mem.Connector())})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	st, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), state.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return mem, st, prog
}

// drain runs the worker until n items settle.
func drain(t *testing.T, w *worker.Worker, n int) []worker.Outcome {
	intake, stop := context.WithCancel(context.Background())
	defer stop()
	settled := make(chan worker.Outcome, n)
	w.OnSettled = func(_ state.Item, _ *run.Result, o worker.Outcome) { settled <- o }
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(intake, context.Background()) }()
	var out []worker.Outcome
	for len(out) < n {
		out = append(out, <-settled)
	}
	stop()
	<-done
	return out
}

func enqueueTick(t *testing.T, st *state.Store, tick string) int64 {
	res, err := st.Enqueue(context.Background(), state.NewItem{Pipeline: "p", Trigger: "tick", Key: tick,
		Payload: []byte(`{"tick":"` + tick + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	return res[0].ID
}

// A connector's retry-after sets the earliest next attempt, beyond the
// worker's own backoff.
func TestRetryAfterIsHonoured(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	mem, st, eng := setup(t, func() time.Time { return now })
	mem.SetFaults(conntest.Faults{RetryAfter: 1, RetryAfterDelay: time.Hour})
	id := enqueueTick(t, st, "2026-11-26T12:00:00Z")
	w := &worker.Worker{Engine: eng, Store: st, Clock: func() time.Time { return now }, Backoff: time.Millisecond, MaxBackoff: time.Second}
	if out := drain(t, w, 1); out[0] != worker.Rescheduled {
		t.Fatalf("outcome %s", out[0])
	}
	it, _ := st.Item(context.Background(), id)
	if it.Status != state.ItemPending || it.NotBefore.Before(now.Add(time.Hour)) {
		t.Fatalf("item = %s not before %s; want pending until at least %s", it.Status, it.NotBefore, now.Add(time.Hour))
	}
}

// After its retry budget an event is dead, with the reason; a permanent
// failure is dead at once.
func TestRetryBudgetThenDead(t *testing.T) {
	// Every reading of the clock is a second later, so retries fall due.
	var ticks atomic.Int64
	clock := func() time.Time {
		return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC).Add(time.Duration(ticks.Add(1)) * time.Second)
	}
	mem, st, eng := setup(t, clock)
	mem.SetFaults(conntest.Faults{FailWrites: 100})
	id := enqueueTick(t, st, "a")
	w := &worker.Worker{Engine: eng, Store: st, MaxAttempts: 3, Clock: clock,
		Backoff: time.Nanosecond, MaxBackoff: time.Nanosecond}
	out := drain(t, w, 3)
	if out[0] != worker.Rescheduled || out[1] != worker.Rescheduled || out[2] != worker.Buried {
		t.Fatalf("outcomes %v, want retry, retry, dead", out)
	}
	it, _ := st.Item(context.Background(), id)
	if it.Status != state.ItemDead || it.Attempts != 3 {
		t.Fatalf("item %+v", it)
	}

	mem.SetFaults(conntest.Faults{PermanentWrites: true})
	enqueueTick(t, st, "b")
	if out := drain(t, w, 1); out[0] != worker.Buried {
		t.Fatalf("a permanent failure settled as %s", out[0])
	}
}

// A write whose target is not ready keeps its event waiting, without
// counting attempts, and goes through once the target is ready.
func TestDeferredWritesWaitWithoutFailing(t *testing.T) {
	var ticks atomic.Int64
	clock := func() time.Time {
		return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC).Add(time.Duration(ticks.Add(1)) * time.Minute)
	}
	mem, st, eng := setup(t, clock)
	mem.SetFaults(conntest.Faults{DeferPlans: 3})
	id := enqueueTick(t, st, "waits")
	w := &worker.Worker{Engine: eng, Store: st, MaxAttempts: 2, Clock: clock, Backoff: time.Nanosecond, MaxBackoff: time.Nanosecond}
	out := drain(t, w, 4)
	want := []worker.Outcome{worker.Rescheduled, worker.Rescheduled, worker.Rescheduled, worker.Finished}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("outcomes %v, want %v (waiting is not a failed attempt, even past MaxAttempts)", out, want)
		}
	}
	it, _ := st.Item(context.Background(), id)
	if it.Status != state.ItemDone || len(mem.Writes()) != 1 {
		t.Fatalf("item %s, %d writes", it.Status, len(mem.Writes()))
	}
}

func TestRunIDsNameEachGenerationApart(t *testing.T) {
	var w worker.Worker
	if got := w.RunID(state.Item{ID: 7, Attempts: 2, Generation: 1}); got != "7.2" {
		t.Errorf("first generation: %s, want 7.2", got)
	}
	if got := w.RunID(state.Item{ID: 7, Attempts: 1, Generation: 3}); got != "7.1.r3" {
		t.Errorf("third generation: %s, want 7.1.r3", got)
	}
}

// A worker claims ahead of its free slots; what it claimed and did not
// start when it stops goes back to the inbox as it was, its attempt not
// counted.
func TestItemsClaimedAheadAreGivenBackAtStop(t *testing.T) {
	clock := func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }
	mem, st, eng := setup(t, clock)
	mem.Hold, mem.Release = make(chan string), make(chan struct{})
	first := enqueueTick(t, st, "2025-03-01T10:00:00Z")
	ahead := enqueueTick(t, st, "2025-03-01T11:00:00Z")
	w := &worker.Worker{Engine: eng, Store: st, Clock: clock, Concurrency: 1}
	intake, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(intake, context.Background()) }()
	<-mem.Hold // the first item's write; the second was claimed with it
	if it, err := st.Item(context.Background(), ahead); err != nil || it.Status != state.ItemRunning {
		t.Fatalf("second item = %+v, %v; want claimed ahead", it, err)
	}
	stop()
	mem.Release <- struct{}{}
	<-done
	if it, err := st.Item(context.Background(), first); err != nil || it.Status != state.ItemDone {
		t.Errorf("first item = %+v, %v; want done", it, err)
	}
	it, err := st.Item(context.Background(), ahead)
	if err != nil || it.Status != state.ItemPending || it.Attempts != 0 {
		t.Errorf("second item = %+v, %v; want pending with no attempt", it, err)
	}
	if got := len(mem.Writes()); got != 1 {
		t.Errorf("%d writes, want 1", got)
	}
}

func TestRunsWaitingOnVendorsGiveUpTheirCPUSlot(t *testing.T) {
	clock := func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	mem, st, eng := setup(t, clock)
	mem.Hold, mem.Release = make(chan string), make(chan struct{})
	const runs = 4
	for i := range runs {
		enqueueTick(t, st, fmt.Sprint("t", i))
	}
	// One CPU slot, and every run's write is held until all of them are
	// in their vendor call at once: only runs that give their slot up
	// while they wait get there.
	w := &worker.Worker{Engine: eng, Store: st, Concurrency: runs, CPUSlots: 1, Clock: clock}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for range runs {
			select {
			case <-mem.Hold:
			case <-time.After(30 * time.Second): // a hang, not a wait: fail rather than block the suite
				t.Error("the runs did not all reach their vendor call: a waiting run kept the only CPU slot")
				close(mem.Release)
				for {
					select {
					case <-mem.Hold:
					case <-stop:
						return
					}
				}
			}
		}
		close(mem.Release)
	}()
	for _, o := range drain(t, w, runs) {
		if o != worker.Finished {
			t.Errorf("outcome %v, want %v", o, worker.Finished)
		}
	}
	if got := len(mem.Writes()); got != runs {
		t.Errorf("%d writes, want %d", got, runs)
	}
}
