package worker_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/engine/lease"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
)

// notify sends one message that cannot be read back, whatever the tick:
// two events (two ticks) make the same at-most-once write.
const notify = `
connection "memory" "m" {}
pipeline "p" {
  trigger "cron" "tick" {
    schedule = "@hourly"
  }
  step "mail" {
    action = memory.append
    key    = "customer-1"
    value  = "your parcel is on its way"
  }
}
`

type replica struct {
	eng  *run.Engine
	held *lease.Held
}

// replicas opens one state and n replicas on it, each with its own engine
// (its own owner) and its own replica lease of ttl[i].
func replicas(t *testing.T, clock func() time.Time, ttl ...time.Duration) (*conntest.Store, *state.Store, []replica) {
	t.Helper()
	mem, st, prog := compileOn(t, notify, clock)
	var rs []replica
	for i, d := range ttl {
		owner := string(rune('a'+i)) + "-host:1:1"
		eng := run.New(prog, st, run.Options{Clock: clock, Owner: owner, ClaimWait: time.Millisecond})
		t.Cleanup(func() { eng.Close() })
		held, err := lease.Acquire(context.Background(), st, lease.Options{Replica: true, Owner: owner, TTL: d, Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		f := held.Fence()
		eng.SetFence(&f)
		rs = append(rs, replica{eng, held})
	}
	return mem, st, rs
}

func runItem(t *testing.T, r replica, st *state.Store, it state.Item, runID string) *run.Result {
	t.Helper()
	res, rec := r.eng.ExecuteDeferred(context.Background(), withTick(t, r.eng, run.Event{Pipeline: "p", Trigger: "tick", Key: it.Key}, it), runID)
	if res.Err == nil {
		// A failed run is left running, as if its replica stopped there.
		if err := st.Settle(context.Background(), state.Settlement{Run: rec.Run, Attempts: rec.Attempts, ItemID: it.ID, Outcome: state.ItemDone, Claimed: &it}); err != nil {
			t.Fatal(err)
		}
	}
	return res
}

// Two replicas race on one at-most-once write: while the first makes it,
// the second finds the first's claim (under the first replica's name) and
// does not write; once the first is done, the second finds it made. The
// vendor sees one message.
func TestReplicasRacingOnAnAtMostOnceWriteMakeItOnce(t *testing.T) {
	clock := &manualClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	mem, st, rs := replicas(t, clock.Now, time.Minute, time.Minute)
	mem.Hold, mem.Release = make(chan string), make(chan struct{})
	enqueueTick(t, st, "2026-03-01T11:00:00Z")
	enqueueTick(t, st, "2026-03-01T12:00:00Z")
	ctx := context.Background()
	ia, err := st.ClaimFenced(ctx, rs[0].held.Fence(), 1, time.Minute)
	if err != nil || len(ia) != 1 {
		t.Fatal(ia, err)
	}
	ib, err := st.ClaimFenced(ctx, rs[1].held.Fence(), 1, time.Minute)
	if err != nil || len(ib) != 1 {
		t.Fatal(ib, err)
	}
	doneA := make(chan *run.Result, 1)
	go func() { doneA <- runItem(t, rs[0], st, ia[0], "a-run") }()
	if got := <-mem.Hold; got != "append" { // A is inside the vendor call
		t.Fatalf("held %s", got)
	}
	in := onlyIntent(t, st)
	if in.Owner != rs[0].eng.Owner() || in.Status != state.IntentPending {
		t.Fatalf("intent = %s by %s; want pending, claimed by replica a", in.Status, in.Owner)
	}
	resB := runItem(t, rs[1], st, ib[0], "b-run")
	if resB.Err == nil || resB.RetryAfter <= 0 || !strings.Contains(resB.Err.Error(), rs[0].eng.Owner()) {
		t.Fatalf("B's run: %v; want a retry naming replica a", resB.Err)
	}
	mem.Release <- struct{}{}
	if res := <-doneA; res.Err != nil {
		t.Fatal(res.Err)
	}
	// B's item runs again (here at once): the write is made already.
	if err := st.Settle(ctx, state.Settlement{ItemID: ib[0].ID, Outcome: state.ItemPending, NotBefore: clock.Now(), Claimed: &ib[0]}); err != nil {
		t.Fatal(err)
	}
	again, err := st.ClaimFenced(ctx, rs[1].held.Fence(), 1, time.Minute)
	if err != nil || len(again) != 1 {
		t.Fatal(again, err)
	}
	if res := runItem(t, rs[1], st, again[0], "b-run-2"); res.Err != nil || res.Writes != 0 {
		t.Fatalf("B's second run: %v, %d writes; want none", res.Err, res.Writes)
	}
	if n := len(mem.Writes()); n != 1 {
		t.Fatalf("messages sent = %d, want 1", n)
	}
}

// A replica paused past its own lease neither claims nor writes, while
// another replica, whose lease it never shared, goes on and takes its item
// back.
func TestAPausedReplicaStopsWhileOthersGoOn(t *testing.T) {
	clock := &manualClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	mem, st, rs := replicas(t, clock.Now, time.Minute, 10*time.Minute)
	ctx := context.Background()
	enqueueTick(t, st, "2026-03-01T12:00:00Z")
	ia, err := st.ClaimFenced(ctx, rs[0].held.Fence(), 1, time.Hour)
	if err != nil || len(ia) != 1 {
		t.Fatal(ia, err)
	}
	clock.Advance(2 * time.Minute) // A is stopped; B renews
	rs[1].held.Renew(ctx)
	rs[0].held.Renew(ctx)
	select {
	case <-rs[0].held.Lost():
	default:
		t.Fatal("A still believes it holds its lease")
	}
	if _, err := st.ClaimFenced(ctx, rs[0].held.Fence(), 1, time.Hour); !errors.Is(err, state.ErrLeaseLost) {
		t.Fatalf("A's claim after its lease: %v", err)
	}
	if res := runItem(t, rs[0], st, ia[0], "a-run"); res.Err == nil || !strings.Contains(res.Err.Error(), "no longer held") {
		t.Fatalf("A's run: %v; want its lease lost", res.Err)
	}
	if gone, n, err := lease.Reap(ctx, st); err != nil || len(gone) != 1 || n != 1 {
		t.Fatalf("reap = %v, %d, %v; want A and its item", gone, n, err)
	}
	ib, err := st.ClaimFenced(ctx, rs[1].held.Fence(), 1, time.Hour)
	if err != nil || len(ib) != 1 || ib[0].ID != ia[0].ID {
		t.Fatalf("B's claim = %v, %v", ib, err)
	}
	if res := runItem(t, rs[1], st, ib[0], "b-run"); res.Err != nil {
		t.Fatal(res.Err)
	}
	select {
	case <-rs[1].held.Lost():
		t.Fatal("B lost its lease")
	default:
	}
	if n := len(mem.Writes()); n != 1 {
		t.Fatalf("messages sent = %d, want 1 (by B)", n)
	}
	if it, _ := st.Item(ctx, ib[0].ID); it.Status != state.ItemDone || it.RunID != "b-run" {
		t.Fatalf("item %s by %s", it.Status, it.RunID)
	}
}

func onlyIntent(t *testing.T, st *state.Store) state.Intent {
	t.Helper()
	ins, err := st.PendingIntents(context.Background())
	if err != nil || len(ins) != 1 {
		t.Fatalf("intents = %v, %v", ins, err)
	}
	return ins[0]
}
