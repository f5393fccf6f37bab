package run_test

import (
	"sync"
	"testing"

	"github.com/toteworks/tote/engine/run"
)

// PlanAll and ApplyPlan report pipelines, events and steps as they go, and
// end with a finished snapshot.
func TestProgressOfPlanAndApply(t *testing.T) {
	var mu sync.Mutex
	var got []run.Progress
	f := newFixture(t, fanOut, run.Options{Progress: func(p run.Progress) {
		mu.Lock()
		got = append(got, p)
		mu.Unlock()
	}})
	ctx := ctxT(t)
	p, err := f.eng.PlanAll(ctx, run.Selection{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	last := got[len(got)-1]
	want := run.Progress{Mode: run.Plan, Pipelines: 1, PipelinesDone: 1, Events: 1, EventsDone: 1, StepsDone: 5, Finished: true}
	if last != want {
		t.Fatalf("plan ended with %+v, want %+v", last, want)
	}
	if got[0].Finished || got[0].EventsDone != 0 {
		t.Fatalf("first snapshot %+v is not the start", got[0])
	}
	steps := 0
	for _, s := range got {
		if s.StepsDone < steps {
			t.Fatalf("steps went back from %d to %d", steps, s.StepsDone)
		}
		steps = s.StepsDone
	}

	got = nil
	res, err := f.eng.ApplyPlan(ctx, p)
	if err != nil || res.Failed > 0 {
		t.Fatalf("apply: %v, %d failed", err, res.Failed)
	}
	last = got[len(got)-1]
	want = run.Progress{Mode: run.Apply, Pipelines: 1, PipelinesDone: 1, Events: 1, EventsDone: 1, StepsDone: 5, Finished: true}
	if last != want {
		t.Fatalf("apply ended with %+v, want %+v", last, want)
	}
}
