package state

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Replicas hold leases side by side, each with a token no other replica
// has; none starts while the exclusive lease is live, and that one is
// taken back by an exclusive holder only once it expired.
func TestJoinReplicas(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		if _, ok, err := s.AcquireFence(ctx, "tote-run", "run:a", time.Minute); err != nil || !ok {
			t.Fatalf("exclusive lease: %v, %v", ok, err)
		}
		if _, ok, err := s.JoinReplicas(ctx, "tote-run", "replica:b", "b", time.Minute); err != nil || ok {
			t.Fatalf("a replica joined beside a live exclusive holder: %v, %v", ok, err)
		}
		clock.Advance(time.Minute)
		fb, ok, err := s.JoinReplicas(ctx, "tote-run", "replica:b", "b", time.Minute)
		if err != nil || !ok {
			t.Fatalf("replica b: %v, %v", ok, err)
		}
		fc, ok, err := s.JoinReplicas(ctx, "tote-run", "replica:c", "c", time.Minute)
		if err != nil || !ok {
			t.Fatalf("replica c: %v, %v", ok, err)
		}
		if fb.Token == fc.Token || fb.Token <= 1 {
			t.Fatalf("tokens b=%d c=%d: want distinct and above the exclusive lease's 1", fb.Token, fc.Token)
		}
		live, err := s.LiveLeases(ctx, "replica:")
		if err != nil || len(live) != 2 || live[0].Holder != "b" || live[1].Holder != "c" {
			t.Fatalf("LiveLeases = %+v, %v", live, err)
		}
		// Each replica's fence stands on its own lease.
		for _, f := range []Fence{fb, fc} {
			if err := s.RenewFence(ctx, f, time.Minute); err != nil {
				t.Fatalf("renew %s: %v", f.Name, err)
			}
		}
		if _, _, err := s.JoinReplicas(ctx, "tote-run", "tote-run", "x", time.Minute); err == nil {
			t.Fatal("a replica lease named like the exclusive one was accepted")
		}
	})
}

// A replica whose lease expired has its running items returned at once,
// while a live replica's stay running; its late settlement is refused.
func TestReapLeasesReturnsTheItemsOfExpiredReplicas(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		fa, _, err := s.JoinReplicas(ctx, "tote-run", "replica:a", "a", 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		fb, _, err := s.JoinReplicas(ctx, "tote-run", "replica:b", "b", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Enqueue(ctx, NewItem{Pipeline: "p", Trigger: "t", Key: "1"}, NewItem{Pipeline: "p", Trigger: "t", Key: "2"}); err != nil {
			t.Fatal(err)
		}
		ia, err := s.ClaimFenced(ctx, fa, 1, time.Hour)
		if err != nil || len(ia) != 1 {
			t.Fatalf("a claims: %v, %v", ia, err)
		}
		ib, err := s.ClaimFenced(ctx, fb, 1, time.Hour)
		if err != nil || len(ib) != 1 {
			t.Fatalf("b claims: %v, %v", ib, err)
		}
		if reaped, n, err := s.ReapLeases(ctx, "replica:"); err != nil || len(reaped) != 0 || n != 0 {
			t.Fatalf("reaped live replicas: %v, %d, %v", reaped, n, err)
		}
		clock.Advance(10 * time.Second)
		if _, err := s.ClaimFenced(ctx, fa, 1, time.Hour); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("a claimed past its lease: %v", err)
		}
		reaped, n, err := s.ReapLeases(ctx, "replica:")
		if err != nil || len(reaped) != 1 || reaped[0].Holder != "a" || n != 1 {
			t.Fatalf("ReapLeases = %+v, %d, %v; want a and its one item", reaped, n, err)
		}
		back, err := s.ClaimFenced(ctx, fb, 5, time.Hour)
		if err != nil || len(back) != 1 || back[0].ID != ia[0].ID {
			t.Fatalf("b claims a's item again: %+v, %v", back, err)
		}
		if got, _ := s.Item(ctx, ib[0].ID); got.Status != ItemRunning {
			t.Fatalf("b's own item is %s", got.Status)
		}
		err = s.Settle(ctx, Settlement{ItemID: ia[0].ID, Outcome: ItemDone, Claimed: &ia[0]})
		if !errors.Is(err, ErrClaimLost) {
			t.Fatalf("a's late settlement: %v, want ErrClaimLost", err)
		}
		if live, _ := s.LiveLeases(ctx, "replica:"); len(live) != 1 || live[0].Holder != "b" {
			t.Fatalf("leases after the reap: %+v", live)
		}
	})
}

// Of two replicas that fire one poll tick, one polls; a failed poll is
// tried again by its holder, and by another once the claim expires; a
// holder whose claim passed on commits nothing.
func TestClaimTickOnceAcrossReplicas(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		tick := time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC)
		claim := func(holder string, want bool) {
			t.Helper()
			got, err := s.ClaimTick(ctx, "orders.sweep", tick, holder, time.Minute)
			if err != nil || got != want {
				t.Fatalf("ClaimTick(%s) = %v, %v; want %v", holder, got, err, want)
			}
		}
		claim("a", true)
		claim("b", false)
		claim("a", true) // a tries again after a failed poll
		clock.Advance(time.Minute)
		claim("b", true) // a is gone: its claim expired
		item := NewItem{Pipeline: "orders", Trigger: "sweep", Key: "o1"}
		if _, err := s.FinishTick(ctx, "orders.sweep", tick, "a", "orders.sweep", "late", item); !errors.Is(err, ErrTickLost) {
			t.Fatalf("a finishes a tick b holds: %v", err)
		}
		if _, ok, _ := s.Cursor(ctx, "orders.sweep"); ok {
			t.Fatal("the lost holder moved the cursor")
		}
		if _, err := s.FinishTick(ctx, "orders.sweep", tick, "b", "orders.sweep", "c1", item); err != nil {
			t.Fatal(err)
		}
		claim("a", false) // done
		claim("b", false)
		if v, _, _ := s.Cursor(ctx, "orders.sweep"); v != "c1" {
			t.Fatalf("cursor = %q", v)
		}
		var pending int
		if err := s.queryRow(ctx, `SELECT COUNT(*) FROM inbox WHERE status = 'pending'`).Scan(&pending); err != nil || pending != 1 {
			t.Fatalf("pending = %d, %v; want the one item", pending, err)
		}
		// Ticks older than the retention are forgotten by a later claim.
		later := tick.Add(TickRetention + time.Minute)
		if ok, err := s.ClaimTick(ctx, "orders.sweep", later, "a", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		var n int
		if err := s.queryRow(ctx, `SELECT COUNT(*) FROM schedule_ticks`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("ticks kept = %d, %v; want 1", n, err)
		}
	})
}
