package lease_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/lease"
)

// Replicas hold leases side by side; a single holder (tote run without
// replicas, tote apply) is refused while any is live, and a replica is
// refused while a single holder is live. A released replica lease no
// longer counts.
func TestReplicasAndASingleHolderExcludeEachOther(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	a, err := lease.Acquire(ctx, st, lease.Options{Replica: true, Owner: "web-1:10:1"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := lease.Acquire(ctx, st, lease.Options{Replica: true, Owner: "web-2:10:1"})
	if err != nil {
		t.Fatal(err)
	}
	if fa, fb := a.Fence(), b.Fence(); fa.Name == fb.Name || fa.Token == fb.Token || fa.Name != lease.ReplicaPrefix+"run:web-1:10:1" {
		t.Fatalf("fences %+v and %+v: want one lease each, with distinct tokens", fa, fb)
	}
	_, err = lease.Acquire(ctx, st, lease.Options{Kind: "apply", Owner: "laptop:5:1"})
	var busy *lease.HeldError
	if !errors.As(err, &busy) || busy.Replicas != 2 || !strings.Contains(err.Error(), "2 tote run replica(s)") {
		t.Fatalf("apply beside replicas: %v", err)
	}
	// The refused single holder left the single lease free.
	if _, _, ok, _ := st.LeaseHolder(ctx, lease.Name); ok {
		t.Fatal("the refused holder kept the single lease")
	}
	for _, h := range []*lease.Held{a, b} {
		if err := h.Release(ctx); err != nil {
			t.Fatal(err)
		}
	}
	single, err := lease.Acquire(ctx, st, lease.Options{Owner: "web-1:11:2"})
	if err != nil {
		t.Fatalf("a single holder once the replicas stopped: %v", err)
	}
	_, err = lease.Acquire(ctx, st, lease.Options{Replica: true, Owner: "web-2:11:2"})
	if !errors.As(err, &busy) || busy.Replicas != 0 || !strings.Contains(busy.Holder, "web-1:11:2") {
		t.Fatalf("a replica beside a single holder: %v", err)
	}
	if err := single.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

// Of several replicas, the one holding a leader lease keeps it by renewing
// it; the others get it only once it has run out.
func TestTryAcquireElectsOneLeader(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	lead := func(holder string, want bool) {
		t.Helper()
		ok, err := lease.TryAcquire(ctx, st, "subscriptions", holder, time.Hour)
		if err != nil || ok != want {
			t.Fatalf("TryAcquire(%s) = %v, %v; want %v", holder, ok, err, want)
		}
	}
	lead("a", true)
	lead("b", false)
	lead("a", true)
	if err := st.ReleaseLease(ctx, "subscriptions", "a"); err != nil {
		t.Fatal(err)
	}
	lead("b", true)
	lead("a", false)
}
