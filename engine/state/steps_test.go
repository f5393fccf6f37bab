package state

import (
	"context"
	"testing"
	"time"
)

// A settled run's attempts are kept in its own row, not one row each; the
// attempts recorded one at a time before (step_attempts) are listed with
// them, by start time, and a settled attempt replaces the recorded one with
// the same step and attempt.
func TestSettledAttemptsLiveInTheRunRow(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "t", Key: "k"})
		items, err := s.Claim(ctx, 1, time.Minute)
		if err != nil || len(items) != 1 {
			t.Fatalf("claim = %v, %v", items, err)
		}
		t0 := clock.Now()
		at := func(d time.Duration) time.Time { return t0.Add(d) }
		if err := s.StartRun(ctx, Run{ID: "r", Pipeline: "p", StartedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordAttempts(ctx,
			StepAttempt{RunID: "r", Step: "step.a", Attempt: 1, Status: "failed", Error: "early", StartedAt: at(1), FinishedAt: at(2)},
			StepAttempt{RunID: "r", Step: "step.b", Attempt: 1, Status: "running", StartedAt: at(5)}); err != nil {
			t.Fatal(err)
		}
		if err := s.Settle(ctx, Settlement{ItemID: items[0].ID, Outcome: ItemDone, Claimed: &items[0],
			Run: Run{ID: "r", Pipeline: "p", Status: RunSucceeded, StartedAt: t0},
			Attempts: []StepAttempt{
				{RunID: "r", Step: "step.b", Attempt: 1, Status: "succeeded", StartedAt: at(5), FinishedAt: at(6)},
				{RunID: "r", Step: "step.a", Attempt: 2, Status: "succeeded", StartedAt: at(3), FinishedAt: at(4)},
			}}); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, "step_attempts"); n != 2 {
			t.Fatalf("step_attempts rows = %d, want only the 2 recorded before the settlement", n)
		}
		_, got, err := s.Run(ctx, "r")
		if err != nil {
			t.Fatal(err)
		}
		want := []StepAttempt{
			{RunID: "r", Step: "step.a", Attempt: 1, Status: "failed", Error: "early", StartedAt: at(1), FinishedAt: at(2)},
			{RunID: "r", Step: "step.a", Attempt: 2, Status: "succeeded", StartedAt: at(3), FinishedAt: at(4)},
			{RunID: "r", Step: "step.b", Attempt: 1, Status: "succeeded", StartedAt: at(5), FinishedAt: at(6)},
		}
		if len(got) != len(want) {
			t.Fatalf("attempts = %+v, want %+v", got, want)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.RunID != w.RunID || g.Step != w.Step || g.Attempt != w.Attempt || g.Status != w.Status || g.Error != w.Error ||
				!g.StartedAt.Equal(w.StartedAt) || !g.FinishedAt.Equal(w.FinishedAt) {
				t.Errorf("attempt %d = %+v, want %+v", i, g, w)
			}
		}
	})
}
