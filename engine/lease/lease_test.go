package lease_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/lease"
	"github.com/toteworks/tote/engine/state"
)

func open(t *testing.T) *state.Store {
	t.Helper()
	st, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// A holder that held the state file's flock, which is free now, is gone:
// its lease is taken over at once, with a higher token, and the claims of
// its writes end, so nobody waits for writes no longer in flight.
func TestAHolderProvablyGoneIsTakenOverWithItsClaims(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	if ok, err := st.AcquireLease(ctx, lease.Name, "run:old-host:41:7:locked", time.Hour); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := st.OpenIntentWith(ctx, state.Intent{Key: "k", Owner: "old-host:41:7"}, state.OpenOptions{TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	held, err := lease.Acquire(ctx, st, lease.Options{})
	if err != nil {
		t.Fatalf("taking over from a gone holder: %v", err)
	}
	defer held.Release(ctx)
	if f := held.Fence(); f.Token != 2 || !strings.HasSuffix(f.Holder, ":locked") {
		t.Fatalf("fence = %+v, want token 2, held with the flock", f)
	}
	if err := st.OpenIntent(ctx, state.Intent{Key: "k", Owner: "new"}); err != nil {
		t.Fatalf("the gone holder's claim still blocks: %v", err)
	}
}

// A holder whose liveness cannot be proven (no flock: another container
// with the same hostname and pid, say) keeps its lease and its claims until
// the lease expires; the refusal names it.
func TestAHolderNotProvenGoneKeepsTheLease(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	if ok, err := st.AcquireLease(ctx, lease.Name, "run:web-1:1:7", time.Hour); err != nil || !ok {
		t.Fatal(ok, err)
	}
	_, err := lease.Acquire(ctx, st, lease.Options{Kind: "apply"})
	var busy *lease.HeldError
	if !errors.As(err, &busy) || !strings.Contains(err.Error(), "in use by tote run (pid 1 on host web-1)") {
		t.Fatalf("acquire = %v, want a HeldError naming tote run pid 1 on web-1", err)
	}
}

// While a holder runs, a second process cannot take its lease, even with
// the lock free of any dead holder's claim: it holds the flock.
func TestALiveHolderKeepsItsLease(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	held, err := lease.Acquire(ctx, st, lease.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release(ctx)
	if _, err := lease.Acquire(ctx, st, lease.Options{Kind: "apply"}); !errors.As(err, new(*lease.HeldError)) {
		t.Fatalf("second acquire = %v, want HeldError", err)
	}
}
