package worker_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/worker"
)

// A settlement the store fails is tried again with backoff, not dropped:
// the item ends done instead of staying running.
func TestAFailedSettleIsRetried(t *testing.T) {
	clock := &manualClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	_, st, eng := setup(t, clock.Now)
	id := enqueueTick(t, st, "2025-03-01T12:00:00Z")
	calls := 0
	w := &worker.Worker{Engine: eng, Store: st, Clock: clock.Now,
		After: func(time.Duration) <-chan time.Time { // called from the worker's loop and from settlements alike
			c := make(chan time.Time, 1)
			c <- clock.Now()
			return c
		},
		SettleFunc: func(ctx context.Context, s state.Settlement) error {
			calls++
			if calls <= 2 {
				return errors.New("state: settle item: database is locked")
			}
			return st.Settle(ctx, s)
		}}
	if out := drain(t, w, 1); out[0] != worker.Finished {
		t.Fatalf("outcome = %v", out)
	}
	if calls != 3 {
		t.Errorf("settle calls = %d, want 3", calls)
	}
	it, err := st.Item(context.Background(), id)
	if err != nil || it.Status != state.ItemDone {
		t.Fatalf("item = %+v, %v; want done", it, err)
	}
}

// An item whose lease expired while tote run runs (its run hung, or its
// settlement failed for good) is reclaimed by the running worker, not only
// at the next start, and runs again.
func TestExpiredItemLeasesAreReclaimedWhileRunning(t *testing.T) {
	clock := &manualClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	mem, st, eng := setup(t, clock.Now)
	id := enqueueTick(t, st, "2025-03-01T12:00:00Z")
	// A claim whose run never settles.
	if items, err := st.Claim(context.Background(), 1, time.Minute); err != nil || len(items) != 1 {
		t.Fatalf("claim = %v, %v", items, err)
	}
	ticks := make(chan time.Time)
	waiting := make(chan struct{}, 1)
	w := &worker.Worker{Engine: eng, Store: st, Clock: clock.Now, Lease: time.Minute, PollInterval: time.Hour,
		After: func(time.Duration) <-chan time.Time {
			select {
			case waiting <- struct{}{}:
			default:
			}
			return ticks
		}}
	settled := make(chan state.Item, 1)
	w.OnSettled = func(it state.Item, _ *run.Result, _ worker.Outcome) { settled <- it }
	intake, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(intake, context.Background()) }()
	defer func() { stop(); <-done }()

	<-waiting                      // the worker found nothing to claim
	clock.Advance(2 * time.Minute) // past the item's lease and ReclaimEvery
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ticks <- clock.Now():
			continue
		case it := <-settled:
			if it.ID != id || it.Attempts != 2 {
				t.Fatalf("settled %+v, want item %d on its second attempt", it, id)
			}
			if n := len(mem.Writes()); n != 1 {
				t.Fatalf("writes = %d, want 1", n)
			}
			return
		case <-deadline:
			t.Fatal("the expired item was never reclaimed")
		}
	}
}

// A run's slot is free once the run is over: the next item starts while
// the settlement of the last one waits for its commit, which would
// otherwise hold every slot for a commit's round trip.
func TestTheNextRunStartsWhileASettlementCommits(t *testing.T) {
	clock := &manualClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	mem, st, eng := setup(t, clock.Now)
	mem.Hold, mem.Release = make(chan string), make(chan struct{})
	enqueueTick(t, st, "2025-03-01T12:00:00Z")
	enqueueTick(t, st, "2025-03-01T13:00:00Z")
	settling, commit := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	w := &worker.Worker{Engine: eng, Store: st, Clock: clock.Now, Concurrency: 1,
		SettleFunc: func(ctx context.Context, s state.Settlement) error {
			if calls.Add(1) == 1 {
				close(settling)
				<-commit
			}
			return st.Settle(ctx, s)
		}}
	outcomes := make(chan []worker.Outcome)
	go func() { outcomes <- drain(t, w, 2) }()
	<-mem.Hold // the first item's write
	mem.Release <- struct{}{}
	<-settling
	select {
	case <-mem.Hold: // the second item's write, its run under way
	case <-time.After(30 * time.Second):
		t.Fatal("the second item did not start while the first one's settlement waited for its commit")
	}
	mem.Release <- struct{}{}
	close(commit)
	if out := <-outcomes; len(out) != 2 || out[0] != worker.Finished || out[1] != worker.Finished {
		t.Fatalf("outcomes = %v", out)
	}
	if got := len(mem.Writes()); got != 2 {
		t.Errorf("%d writes, want 2", got)
	}
}
