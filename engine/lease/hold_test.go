package lease_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/lease"
	"github.com/toteworks/tote/engine/state"
)

type fenced struct {
	mu    sync.Mutex
	fence *state.Fence
}

func (f *fenced) SetFence(x *state.Fence) {
	f.mu.Lock()
	f.fence = x
	f.mu.Unlock()
}

func (f *fenced) get() *state.Fence {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fence
}

// Holding the lease fences the writer's writes and renews the lease until
// release, which lifts the fence and frees the lease for the next holder.
func TestHoldFencesRenewsAndReleases(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	waits, tick := make(chan time.Duration), make(chan time.Time)
	after := func(d time.Duration) <-chan time.Time { waits <- d; return tick }
	var w fenced
	held, release, err := lease.Hold(ctx, st, lease.Options{Kind: "apply", TTL: 30 * time.Second, After: after}, &w)
	if err != nil {
		t.Fatal(err)
	}
	if f := w.get(); f == nil || *f != held.Fence() {
		t.Fatalf("the writer's fence = %v, want the lease's %+v", f, held.Fence())
	}
	if d := <-waits; d != 10*time.Second {
		t.Errorf("renewals every %v, want a third of the TTL", d)
	}
	tick <- time.Now()
	<-waits // renewed, and waiting for the next turn
	if _, err := lease.Acquire(ctx, st, lease.Options{Kind: "run"}); !errors.As(err, new(*lease.HeldError)) {
		t.Fatalf("acquire while held = %v, want HeldError", err)
	}
	release()
	if f := w.get(); f != nil {
		t.Errorf("the writer's fence after release = %+v, want none", f)
	}
	select {
	case <-held.Lost():
		t.Error("releasing the lease counted as losing it")
	default:
	}
	next, err := lease.Acquire(ctx, st, lease.Options{Kind: "run"})
	if err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	_ = next.Release(ctx)
}
