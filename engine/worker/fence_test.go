package worker_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/lease"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
)

type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// The SIGSTOP scenario: process A claims an item and is paused past its
// lease; B takes the lease over and claims the same item. When A wakes,
// its write is refused (the fence fails in the transaction that would open
// its intent), its settlement is refused (the item is B's claim now), and
// its lease is lost. The item's write is made once, by B.
func TestAPausedHolderNeitherWritesNorSettles(t *testing.T) {
	clock := &manualClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	mem, st, engA := setup(t, clock.Now)
	engB := run.New(engA.Program(), st, run.Options{Clock: clock.Now, Owner: "b"})
	t.Cleanup(func() { engB.Close() })
	ctx := context.Background()
	enqueueTick(t, st, "2025-03-01T12:00:00Z")

	heldA, err := lease.Acquire(ctx, st, lease.Options{Clock: clock.Now, TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	fenceA := heldA.Fence()
	engA.SetFence(&fenceA)
	itemsA, err := st.ClaimFenced(ctx, fenceA, 1, 5*time.Minute)
	if err != nil || len(itemsA) != 1 {
		t.Fatalf("A's claim = %v, %v", itemsA, err)
	}

	// A is stopped; its lease runs out and B takes over.
	clock.Advance(2 * time.Minute)
	fenceB, ok, err := st.AcquireFence(ctx, lease.Name, "b", time.Minute)
	if err != nil || !ok || fenceB.Token <= fenceA.Token {
		t.Fatalf("B's lease = %+v, %v, %v; want a higher token than A's %d", fenceB, ok, err, fenceA.Token)
	}
	engB.SetFence(&fenceB)
	if _, err := st.RecoverRunning(ctx, true); err != nil {
		t.Fatal(err)
	}
	itemsB, err := st.ClaimFenced(ctx, fenceB, 1, 5*time.Minute)
	if err != nil || len(itemsB) != 1 || itemsB[0].ID != itemsA[0].ID {
		t.Fatalf("B's claim = %v, %v", itemsB, err)
	}

	// A wakes and carries on where it was: running the item.
	ev := run.Event{Pipeline: "p", Trigger: "tick", Key: itemsA[0].Key}
	resA, recA := engA.ExecuteDeferred(ctx, withTick(t, engA, ev, itemsA[0]), "a-run")
	if resA.Err == nil || !strings.Contains(resA.Err.Error(), "state lease is no longer held") {
		t.Fatalf("A's run: %v, want the lease lost", resA.Err)
	}
	if n := len(mem.Writes()); n != 0 {
		t.Fatalf("A wrote %d times after losing its lease", n)
	}
	err = st.Settle(ctx, state.Settlement{Run: recA.Run, Attempts: recA.Attempts, Intents: recA.Intents, Links: recA.Links, ItemID: itemsA[0].ID,
		Outcome: state.ItemDone, Claimed: &itemsA[0]})
	if !errors.Is(err, state.ErrClaimLost) {
		t.Fatalf("A's settlement = %v, want ErrClaimLost", err)
	}
	if _, err := st.ClaimFenced(ctx, fenceA, 1, time.Minute); !errors.Is(err, state.ErrLeaseLost) {
		t.Fatalf("A's next claim = %v, want ErrLeaseLost", err)
	}
	heldA.Renew(ctx)
	select {
	case <-heldA.Lost():
	default:
		t.Fatal("A still believes it holds the lease")
	}

	// B runs the item: one write, and its settlement stands.
	resB, recB := engB.ExecuteDeferred(ctx, withTick(t, engB, ev, itemsB[0]), "b-run")
	if resB.Err != nil {
		t.Fatal(resB.Err)
	}
	if err := st.Settle(ctx, state.Settlement{Run: recB.Run, Attempts: recB.Attempts, Intents: recB.Intents, Links: recB.Links, ItemID: itemsB[0].ID,
		Outcome: state.ItemDone, Claimed: &itemsB[0]}); err != nil {
		t.Fatalf("B's settlement: %v", err)
	}
	if n := len(mem.Writes()); n != 1 {
		t.Fatalf("writes = %d, want 1", n)
	}
	it, err := st.Item(ctx, itemsB[0].ID)
	if err != nil || it.Status != state.ItemDone || it.RunID != "b-run" {
		t.Fatalf("item = %+v, %v; want done by b-run", it, err)
	}
}

func withTick(t *testing.T, eng *run.Engine, ev run.Event, it state.Item) run.Event {
	t.Helper()
	trig := eng.Program().Pipeline("p").Trigger("tick")
	data, err := run.DecodeEvent(trig, it.Payload)
	if err != nil {
		t.Fatal(err)
	}
	ev.Data = data
	return ev
}
