package state

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// A settlement under a claim that was taken over records nothing: neither
// the item's outcome nor the run and its attempts.
func TestSettleUnderLostClaimRecordsNothing(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "t", Key: "k"})
		first, second := takeOverClaims(t, s, clock, 1)
		stale := Settlement{ItemID: first[0].ID, Outcome: ItemDone, Claimed: &first[0],
			Run:      Run{ID: "stale", Pipeline: "p", Status: RunSucceeded, StartedAt: time.Unix(1, 0)},
			Attempts: []StepAttempt{{RunID: "stale", Step: "step.a", Attempt: 1, Status: "ok"}}}
		if err := s.Settle(ctx, stale); !errors.Is(err, ErrClaimLost) {
			t.Fatalf("stale settlement = %v, want ErrClaimLost", err)
		}
		if _, _, err := s.Run(ctx, "stale"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("run of the stale settlement = %v, want ErrNotFound", err)
		}
		if it := mustItem(t, s, first[0].ID); it.Status != ItemRunning {
			t.Fatalf("item is %s, want running under the second claim", it.Status)
		}
		cur := Settlement{ItemID: second[0].ID, Outcome: ItemDone, Claimed: &second[0],
			Run: Run{ID: "current", Pipeline: "p", Status: RunSucceeded, StartedAt: time.Unix(1, 0)}}
		if err := s.Settle(ctx, cur); err != nil {
			t.Fatalf("current settlement: %v", err)
		}
		if it := mustItem(t, s, first[0].ID); it.Status != ItemDone || it.RunID != "current" {
			t.Fatalf("item = %s by %q, want done by current", it.Status, it.RunID)
		}
		// Without a claim, an unknown item is not found, as before.
		if err := s.Settle(ctx, Settlement{ItemID: 999, Outcome: ItemDone}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("settling an unknown item = %v, want ErrNotFound", err)
		}
	})
}

// A run's attempts are all recorded, however many statements they take,
// and recording them again updates them in place.
func TestSettleRecordsManyAttempts(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "t", Key: "k"})
		items, err := s.Claim(ctx, 1, time.Minute)
		if err != nil || len(items) != 1 {
			t.Fatalf("claim = %v, %v", items, err)
		}
		const n = 2*attemptRows + 3
		var attempts []StepAttempt
		for i := range n {
			attempts = append(attempts, StepAttempt{RunID: "r", Step: fmt.Sprintf("step.s[%02d]", i), Attempt: 1, Status: "ok"})
		}
		attempts = append(attempts, StepAttempt{RunID: "r", Step: "step.s[00]", Attempt: 1, Status: "failed", Error: "again"})
		if err := s.Settle(ctx, Settlement{ItemID: items[0].ID, Outcome: ItemDone, Claimed: &items[0],
			Run: Run{ID: "r", Pipeline: "p", Status: RunSucceeded, StartedAt: time.Unix(1, 0)}, Attempts: attempts}); err != nil {
			t.Fatal(err)
		}
		_, got, err := s.Run(ctx, "r")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("%d attempts recorded, want %d", len(got), n)
		}
		for _, a := range got {
			if a.Step == "step.s[00]" && (a.Status != "failed" || a.Error != "again") {
				t.Fatalf("step.s[00] = %s %q, want the later record", a.Status, a.Error)
			}
		}
	})
}
