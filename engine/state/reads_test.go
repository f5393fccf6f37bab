package state

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// The reads and fenced writes behind tote runs, the status page and the
// lease, on a small state: each answers the same on both backends.
func TestReadsAndFences(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		f, ok, err := s.AcquireFence(ctx, "run", "host:1", time.Minute)
		if err != nil || !ok {
			t.Fatalf("AcquireFence = %v, %v", ok, err)
		}
		res := mustEnqueue(t, s,
			NewItem{Pipeline: "orders", Trigger: "hook", Key: "a", Payload: []byte(`{"order":"ABC-101"}`),
				Subjects: []Subject{{Kind: "order", Value: "101"}}},
			NewItem{Pipeline: "orders", Trigger: "hook", Key: "b", Payload: []byte(`{"order":"102"}`)})
		a, b := res[0].ID, res[1].ID
		claimed, err := s.ClaimFenced(ctx, f, 10, time.Minute)
		if err != nil || len(claimed) != 2 || claimed[0].ClaimToken != f.Token {
			t.Fatalf("ClaimFenced = %+v, %v", claimed, err)
		}
		clock.Advance(30 * time.Second)
		if err := s.ExtendClaims(ctx, time.Minute, claimed); err != nil {
			t.Fatal(err)
		}
		if it := mustItem(t, s, a); !it.LeaseUntil.Equal(clock.Now().Add(time.Minute)) {
			t.Errorf("lease until %v after ExtendClaims, want %v", it.LeaseUntil, clock.Now().Add(time.Minute))
		}

		if err := s.OpenIntent(ctx, Intent{Key: "k1", RunID: "r1", Connection: "shipstation.main", Identity: "bc:store:101", Owner: "host:1"}); err != nil {
			t.Fatal(err)
		}
		if err := s.CloseIntent(ctx, "k1", IntentDone, []byte(`{"id":9}`), "", Link{Namespace: "ss_order", Key: "bc:store:101", Value: "9"}); err != nil {
			t.Fatal(err)
		}
		if err := s.OpenIntent(ctx, Intent{Key: "k2", RunID: "r1", Connection: "shipstation.main", Identity: "bc:store:102", Owner: "host:1"}); err != nil {
			t.Fatal(err)
		}
		event := []byte(`{"order":{"id":101}}`)
		for _, st := range []Settlement{
			{ItemID: a, Outcome: ItemDone, Claimed: &claimed[0], Event: event,
				Run:      Run{ID: "r1", Pipeline: "orders", ItemID: a, Status: RunSucceeded, StartedAt: clock.Now()},
				Attempts: []StepAttempt{{RunID: "r1", Step: "step.upsert", Attempt: 1, Status: "ok"}}},
			{ItemID: b, Outcome: ItemPending, Claimed: &claimed[1], NotBefore: clock.Now().Add(time.Hour), LastError: "429",
				Run: Run{ID: "r2", Pipeline: "orders", ItemID: b, Status: RunFailed, Error: "429", StartedAt: clock.Now()}},
		} {
			if err := s.Settle(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
		mustEnqueue(t, s, NewItem{Pipeline: "tracking", Trigger: "hook", Key: "c"})

		if subs, err := s.SubjectsOf(ctx, a); err != nil || !slices.Equal(subs, []Subject{{Kind: "order", Value: "101"}}) {
			t.Errorf("SubjectsOf = %v, %v", subs, err)
		}
		if runs, err := s.RunsOfItem(ctx, a); err != nil || len(runs) != 1 || runs[0].ID != "r1" {
			t.Errorf("RunsOfItem = %v, %v", runs, err)
		}
		if runs, err := s.RunsOfItems(ctx, []int64{a, b}); err != nil || len(runs) != 2 {
			t.Errorf("RunsOfItems = %v, %v", runs, err)
		}
		if ins, err := s.IntentsOfRuns(ctx, []string{"r1"}); err != nil || len(ins) != 2 {
			t.Errorf("IntentsOfRuns = %v, %v", ins, err)
		}
		if ws, err := s.WritesOfRun(ctx, "r1"); err != nil || len(ws) != 2 || string(ws[0].Output) != `{"id":9}` {
			t.Errorf("WritesOfRun = %+v, %v", ws, err)
		}
		if ins, err := s.IntentsByIdentity(ctx, nil, []string{"store:101"}); err != nil || len(ins) != 1 || ins[0].Key != "k1" {
			t.Errorf("IntentsByIdentity = %v, %v", ins, err)
		}
		if ls, err := s.LinksByKey(ctx, []string{"bc:store:101"}, nil); err != nil || len(ls) != 1 || ls[0].Value != "9" {
			t.Errorf("LinksByKey = %v, %v", ls, err)
		}
		if ev, err := s.RunEvent(ctx, "r1"); err != nil || string(ev) != string(event) {
			t.Errorf("RunEvent = %s, %v", ev, err)
		}
		if at, ok, err := s.OldestPending(ctx); err != nil || !ok || at.IsZero() {
			t.Errorf("OldestPending = %v, %v, %v", at, ok, err)
		}
		if n, err := s.IntentCounts(ctx, IntentPending, IntentDone, IntentUnknown); err != nil ||
			n[IntentPending] != 1 || n[IntentDone] != 1 || n[IntentUnknown] != 0 {
			t.Errorf("IntentCounts = %v, %v", n, err)
		}
		if n, err := s.WaitingToRetry(ctx); err != nil || n != 1 {
			t.Errorf("WaitingToRetry = %d, %v; want 1", n, err)
		}
		depth, err := s.InboxDepth(ctx)
		if err != nil || !slices.Contains(depth, Depth{Pipeline: "orders", Status: ItemPending, Count: 1}) ||
			!slices.Contains(depth, Depth{Pipeline: "tracking", Status: ItemPending, Count: 1}) {
			t.Errorf("InboxDepth = %v, %v", depth, err)
		}
		if z, err := s.Size(ctx); err != nil || z.PageSize <= 0 || z.Pages <= 0 {
			t.Errorf("Size = %+v, %v", z, err)
		}

		// The lease: renewed by its holder, taken from a holder known to be
		// gone (whose write claims end), and then lost to the old fence.
		if err := s.RenewFence(ctx, f, time.Minute); err != nil {
			t.Fatalf("RenewFence: %v", err)
		}
		if holder, _, ok, err := s.LeaseHolder(ctx, "run"); err != nil || !ok || holder != "host:1" {
			t.Errorf("LeaseHolder = %q, %v, %v", holder, ok, err)
		}
		if err := s.OpenIntent(ctx, Intent{Key: "k2", Owner: "host:2"}); !errors.Is(err, ErrIntentClaimed) {
			t.Errorf("opening another owner's live write = %v, want ErrIntentClaimed", err)
		}
		g, took, err := s.TakeLease(ctx, "run", "host:1", "host:2", time.Minute)
		if err != nil || !took || g.Token != f.Token+1 {
			t.Fatalf("TakeLease = %+v, %v, %v; want token %d", g, took, err, f.Token+1)
		}
		if err := s.ReleaseClaimsOf(ctx, "host:1"); err != nil {
			t.Fatal(err)
		}
		if err := s.OpenIntent(ctx, Intent{Key: "k2", Owner: "host:2"}); err != nil {
			t.Errorf("opening a gone owner's write: %v", err)
		}
		if err := s.RenewFence(ctx, f, time.Minute); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("RenewFence of the old fence = %v, want ErrLeaseLost", err)
		}
		if _, err := s.ClaimFenced(ctx, f, 1, time.Minute); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("ClaimFenced of the old fence = %v, want ErrLeaseLost", err)
		}
	})
}

// ExtendClaims and Unclaim reach every claim of a list longer than one
// statement takes.
func TestClaimsBeyondOneStatement(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		n := groupRows + 3
		items := make([]NewItem, n)
		for i := range items {
			items[i] = NewItem{Pipeline: "p", Trigger: "t", Key: fmt.Sprint(i)}
		}
		mustEnqueue(t, s, items...)
		claimed, err := s.Claim(ctx, n, time.Minute)
		if err != nil || len(claimed) != n {
			t.Fatalf("claim = %d items, %v", len(claimed), err)
		}
		clock.Advance(30 * time.Second)
		if err := s.ExtendClaims(ctx, time.Minute, claimed); err != nil {
			t.Fatal(err)
		}
		for _, c := range claimed {
			if it := mustItem(t, s, c.ID); !it.LeaseUntil.Equal(clock.Now().Add(time.Minute)) {
				t.Errorf("item %d: lease until %v after ExtendClaims, want %v", c.ID, it.LeaseUntil, clock.Now().Add(time.Minute))
			}
		}
		if err := s.Unclaim(ctx, claimed); err != nil {
			t.Fatal(err)
		}
		for _, c := range claimed {
			if it := mustItem(t, s, c.ID); it.Status != ItemPending || it.Attempts != 0 {
				t.Errorf("item %d = %s, %d attempts after Unclaim; want pending, 0", c.ID, it.Status, it.Attempts)
			}
		}
	})
}
