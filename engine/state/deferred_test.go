package state

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// The ledger entries a settlement carries (writes made without an open
// intent) are recorded with their links, and they are recorded even when
// the settlement's claim was taken over: the vendor holds those writes
// whoever settles the item.
func TestSettleRecordsLateIntentsEvenUnderALostClaim(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "t", Key: "k"})
		first, err := s.Claim(ctx, 1, time.Minute)
		if err != nil || len(first) != 1 {
			t.Fatalf("claim = %v, %v", first, err)
		}
		done := Intent{Key: "k-done", RunID: "r1", Pipeline: "p", Step: "step.w", Connection: "memory.m", Action: "memory.put",
			Identity: `{"key":"a"}`, Owner: "me", Op: "create", Status: IntentDone, Output: []byte(`{"key":"a"}`)}
		link := Link{Namespace: "memory.m.memory.put", Key: `{"key":"a"}`, Value: "a"}
		if err := s.Settle(ctx, Settlement{ItemID: first[0].ID, Outcome: ItemDone, Claimed: &first[0],
			Run:     Run{ID: "r1", Pipeline: "p", Status: RunSucceeded, StartedAt: clock.Now()},
			Intents: []Intent{done}, Links: []Link{link}}); err != nil {
			t.Fatal(err)
		}
		in, found, err := s.Intent(ctx, "k-done")
		if err != nil || !found || in.Status != IntentDone || string(in.Output) != `{"key":"a"}` || in.RunID != "r1" || in.ClaimUntil.After(clock.Now()) {
			t.Fatalf("intent = %+v, %v, %v; want done with its output", in, found, err)
		}
		links, err := s.LinksByKey(ctx, []string{link.Key}, nil)
		if err != nil || len(links) != 1 || links[0].Value != "a" {
			t.Fatalf("links = %+v, %v", links, err)
		}

		// A second item's claim is taken over before it settles.
		mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "t", Key: "k2"})
		stale, _ := takeOverClaims(t, s, clock, 1)
		failed := Intent{Key: "k-failed", RunID: "r2", Pipeline: "p", Step: "step.w", Status: IntentFailed, Error: "refused"}
		err = s.Settle(ctx, Settlement{ItemID: stale[0].ID, Outcome: ItemDone, Claimed: &stale[0],
			Run:     Run{ID: "r2", Pipeline: "p", Status: RunFailed, StartedAt: clock.Now()},
			Intents: []Intent{failed}})
		if !errors.Is(err, ErrClaimLost) {
			t.Fatalf("stale settlement = %v, want ErrClaimLost", err)
		}
		if _, _, err := s.Run(ctx, "r2"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("run of the stale settlement = %v, want ErrNotFound", err)
		}
		if in, found, err := s.Intent(ctx, "k-failed"); err != nil || !found || in.Status != IntentFailed || in.Error != "refused" {
			t.Fatalf("intent of the stale settlement = %+v, %v, %v; want it recorded", in, found, err)
		}
	})
}

// A late ledger entry never overwrites an intent whose outcome is unknown:
// only a person releases that one.
func TestLateIntentsLeaveUnknownIntents(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		if err := s.OpenIntent(ctx, Intent{Key: "k", RunID: "r0", Owner: "me"}); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.MarkIntentUnknown(ctx, "k", "lost"); err != nil || !ok {
			t.Fatalf("mark unknown = %v, %v", ok, err)
		}
		if err := s.RecordIntents(ctx, []Intent{{Key: "k", RunID: "r1", Status: IntentDone}}); err != nil {
			t.Fatal(err)
		}
		if in, _, err := s.Intent(ctx, "k"); err != nil || in.Status != IntentUnknown || in.RunID != "r0" {
			t.Fatalf("intent = %+v, %v; want it still unknown", in, err)
		}
	})
}

// FenceHeld tells a held lease from one taken over or expired.
func TestFenceHeld(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		a, ok, err := s.AcquireFence(ctx, "run", "a", time.Minute)
		if err != nil || !ok {
			t.Fatalf("acquire = %v, %v", ok, err)
		}
		if err := s.FenceHeld(ctx, a); err != nil {
			t.Fatalf("held fence: %v", err)
		}
		clock.Advance(2 * time.Minute)
		if err := s.FenceHeld(ctx, a); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("expired fence: %v, want ErrLeaseLost", err)
		}
		if _, ok, err := s.AcquireFence(ctx, "run", "b", time.Minute); err != nil || !ok {
			t.Fatalf("b's acquire = %v, %v", ok, err)
		}
		if err := s.FenceHeld(ctx, a); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("fence taken over: %v, want ErrLeaseLost", err)
		}
		if err := s.FenceHeld(ctx, Fence{Name: "none", Holder: "a", Token: 1}); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("no lease: %v, want ErrLeaseLost", err)
		}
	})
}

// IntentState reads what a write checks, IntentOutput the output alone.
func TestIntentStateAndOutput(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		if _, found, err := s.IntentState(ctx, "k"); err != nil || found {
			t.Fatalf("absent intent: found=%v err=%v", found, err)
		}
		if _, err := s.IntentOutput(ctx, "k"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("output of an absent intent = %v, want ErrNotFound", err)
		}
		if err := s.RecordIntents(ctx, []Intent{{Key: "k", RunID: "r", Owner: "me", Fingerprint: "f1", Status: IntentDone, Output: []byte(`{"id":1}`)}}); err != nil {
			t.Fatal(err)
		}
		full, _, err := s.Intent(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		in, found, err := s.IntentState(ctx, "k")
		if err != nil || !found || in.Status != IntentDone || in.Owner != "me" || in.Fingerprint != "f1" || in.RunID != "r" ||
			!in.UpdatedAt.Equal(full.UpdatedAt) || in.Output != nil {
			t.Fatalf("state = %+v, %v, %v; want the intent without its output", in, found, err)
		}
		if out, err := s.IntentOutput(ctx, "k"); err != nil || string(out) != `{"id":1}` {
			t.Fatalf("output = %s, %v", out, err)
		}
	})
}

// Lookups made at the same moment share queries, and each gets the state
// of its own key.
func TestConcurrentIntentStatesGetTheirOwnAnswers(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		var ins []Intent
		for i := range 40 {
			if i%2 == 0 {
				ins = append(ins, Intent{Key: fmt.Sprintf("k%02d", i), RunID: fmt.Sprintf("r%02d", i), Status: IntentDone})
			}
		}
		if err := s.RecordIntents(ctx, ins); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for g := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				i := g % 40
				in, found, err := s.IntentState(ctx, fmt.Sprintf("k%02d", i))
				switch {
				case err != nil:
					errs <- err
				case found != (i%2 == 0):
					errs <- fmt.Errorf("k%02d: found = %v", i, found)
				case found && (in.Key != fmt.Sprintf("k%02d", i) || in.RunID != fmt.Sprintf("r%02d", i)):
					errs <- fmt.Errorf("k%02d: got %s of %s", i, in.Key, in.RunID)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}
