package state

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRunLifecycle(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		t0 := clock.Now()
		r := Run{ID: "run-1", Pipeline: "orders", Trigger: "changed", EventKey: "h1", ItemID: 7, Mode: "run", Attempt: 1}
		if err := s.StartRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := s.StartRun(ctx, r); !errors.Is(err, ErrExists) {
			t.Errorf("second StartRun = %v, want ErrExists", err)
		}
		a1 := StepAttempt{RunID: "run-1", Step: "upsert", Attempt: 1, Status: "running", StartedAt: t0}
		if err := s.RecordAttempts(ctx, a1, StepAttempt{RunID: "run-1", Step: "orders", Attempt: 1, Status: "ok",
			StartedAt: t0.Add(-time.Second), FinishedAt: t0}); err != nil {
			t.Fatal(err)
		}
		// Recording the same attempt again updates it.
		a1.Status, a1.Error, a1.FinishedAt = "failed", "429", t0.Add(time.Second)
		if err := s.RecordAttempts(ctx, a1); err != nil {
			t.Fatal(err)
		}
		clock.Advance(2 * time.Second)
		if err := s.FinishRun(ctx, "run-1", RunSucceeded, 3, ""); err != nil {
			t.Fatal(err)
		}

		got, attempts, err := s.Run(ctx, "run-1")
		if err != nil {
			t.Fatal(err)
		}
		want := r
		want.Status, want.Writes, want.StartedAt, want.FinishedAt = RunSucceeded, 3, t0, t0.Add(2*time.Second)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("run (-want +got):\n%s", diff)
		}
		wantAttempts := []StepAttempt{
			{RunID: "run-1", Step: "orders", Attempt: 1, Status: "ok", StartedAt: t0.Add(-time.Second), FinishedAt: t0},
			{RunID: "run-1", Step: "upsert", Attempt: 1, Status: "failed", Error: "429", StartedAt: t0, FinishedAt: t0.Add(time.Second)},
		}
		if diff := cmp.Diff(wantAttempts, attempts); diff != "" {
			t.Errorf("attempts (-want +got):\n%s", diff)
		}

		if _, _, err := s.Run(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Run(nope) = %v, want ErrNotFound", err)
		}
		if err := s.FinishRun(ctx, "nope", RunFailed, 0, "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("FinishRun(nope) = %v, want ErrNotFound", err)
		}
		if err := s.RecordAttempts(ctx, StepAttempt{RunID: "nope", Step: "s", Attempt: 1, Status: "ok"}); err == nil {
			t.Error("RecordAttempts for an unknown run succeeded")
		}
		if err := s.FinishRun(ctx, "run-1", RunStatus("exploded"), 0, ""); err == nil {
			t.Error("FinishRun with an unknown status succeeded")
		}
	})
}

func TestRunsNewestFirst(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		for _, r := range []Run{
			{ID: "a", Pipeline: "orders"},
			{ID: "b", Pipeline: "tracking"},
			{ID: "c", Pipeline: "orders"},
			{ID: "d", Pipeline: "orders"},
		} {
			if err := s.StartRun(ctx, r); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Second)
		}
		if err := s.FinishRun(ctx, "c", RunDead, 0, "gave up"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			f    RunFilter
			want []string
		}{
			{RunFilter{}, []string{"d", "c", "b", "a"}},
			{RunFilter{Pipeline: "orders"}, []string{"d", "c", "a"}},
			{RunFilter{Pipeline: "orders", Limit: 1}, []string{"d"}},
			{RunFilter{Status: RunDead}, []string{"c"}},
			{RunFilter{Pipeline: "tracking", Status: RunRunning}, []string{"b"}},
		} {
			runs, err := s.Runs(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range runs {
				got = append(got, r.ID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Runs(%+v) (-want +got):\n%s", tc.f, diff)
			}
		}
	})
}
