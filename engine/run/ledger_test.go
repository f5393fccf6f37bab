package run_test

import (
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
	"github.com/zclconf/go-cty/cty"
)

const twoWrites = `
connection "memory" "m" {}
pipeline "p" {
  step "one" {
    action = memory.put
    key    = "one"
    value  = { n = 1 }
  }
  step "two" {
    action = memory.put
    key    = "two"
    value  = { after = step.one.output.version }
  }
}
`

// Applying the same saved plan twice writes once.
func TestApplySamePlanTwiceWritesOnce(t *testing.T) {
	f := newFixture(t, twoWrites, run.Options{})
	ctx := ctxT(t)
	p, err := f.eng.PlanAll(ctx, run.Selection{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Count(); c.Create != 2 {
		t.Fatalf("plan = %+v, want 2 creates", c)
	}
	// step.two's value depends on step.one's output: unknown in the plan.
	two := p.Runs[0].Find("step.two")
	if two == nil || len(two.Fields) != 2 || two.Fields[1].Path != "value.after" || !two.Fields[1].AfterUnknown {
		t.Fatalf("step.two = %+v, want value.after known after apply", two)
	}
	for i := 0; i < 2; i++ {
		res, err := f.eng.ApplyPlan(ctx, p)
		if err != nil || res.Failed != 0 {
			t.Fatalf("apply %d: err=%v failed=%d %+v", i, err, res.Failed, res.FailedRuns)
		}
	}
	if n := len(f.mem.Writes()); n != 2 {
		t.Fatalf("writes = %d, want 2", n)
	}
	v, _ := f.mem.Get("two")
	if got := v.GetAttr("after"); !got.RawEquals(cty.NumberIntVal(1)) {
		t.Fatalf("two.after = %#v, want step.one's output version 1", got)
	}
}

// A crash between the intent and the result (the write landed, the answer
// was lost) is reconciled on the next start by reading the target, never
// by writing twice.
func TestCrashBetweenIntentAndResultIsReconciledByReading(t *testing.T) {
	f := newFixture(t, twoWrites, run.Options{})
	ctx := ctxT(t)
	p, err := f.eng.PlanAll(ctx, run.Selection{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	f.mem.SetFaults(conntest.Faults{LoseWriteAnswers: 1})
	res, err := f.eng.ApplyPlan(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 1 {
		t.Fatalf("failed runs = %d, want 1", res.Failed)
	}
	pending, err := f.store.PendingIntents(ctx)
	if err != nil || len(pending) != 1 || pending[0].Step != "step.one" {
		t.Fatalf("pending intents = %+v (%v), want step.one", pending, err)
	}
	if n := len(f.mem.Writes()); n != 1 {
		t.Fatalf("writes after the crash = %d, want 1 (it landed)", n)
	}

	f.reopen(t) // a restart: new engine, same state
	res, err = f.eng.ApplyPlan(ctx, p)
	if err != nil || res.Failed != 0 {
		t.Fatalf("apply after restart: err=%v failed=%d %v", err, res.Failed, res.FailedRuns[0].Err)
	}
	writes := f.mem.Writes()
	if len(writes) != 2 || writes[0].Key != "one" || writes[1].Key != "two" {
		t.Fatalf("writes = %+v, want one then two, each once", writes)
	}
	in, found, _ := f.store.Intent(ctx, writes[0].IdemKey)
	if !found || in.Status != state.IntentDone {
		t.Fatalf("intent of one = %+v, want done after reconciling", in)
	}
}

// A record changed by someone else since the plan is refused; the other
// writes of the plan go ahead.
func TestApplyRefusesRecordsChangedSincePlan(t *testing.T) {
	f := newFixture(t, `
connection "memory" "m" {}
pipeline "p" {
  step "a" {
    action = memory.put
    key    = "a"
    value  = { n = 2 }
  }
  step "b" {
    action = memory.put
    key    = "b"
    value  = { n = 2 }
  }
}
`, run.Options{})
	f.mem.Put("a", cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(1)}))
	ctx := ctxT(t)
	p, err := f.eng.PlanAll(ctx, run.Selection{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Count(); c.Create != 1 || c.Update != 1 {
		t.Fatalf("plan = %+v", c)
	}
	f.mem.Put("a", cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(7)}))
	res, err := f.eng.ApplyPlan(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 1 || !strings.Contains(res.FailedRuns[0].Err.Error(), "changed since the plan was made (value.n differs)") {
		t.Fatalf("want a refusal, got failed=%d err=%v", res.Failed, res.FailedRuns[0].Err)
	}
	a, _ := f.mem.Get("a")
	if !a.GetAttr("n").RawEquals(cty.NumberIntVal(7)) {
		t.Fatal("the changed record was overwritten")
	}
	if _, ok := f.mem.Get("b"); !ok {
		t.Fatal("the unrelated write of the plan did not happen")
	}
}

// A plan made from other pipeline files is refused whole.
func TestApplyRefusesPlanFromOtherConfig(t *testing.T) {
	f := newFixture(t, twoWrites, run.Options{})
	ctx := ctxT(t)
	p, _ := f.eng.PlanAll(ctx, run.Selection{}, "test")
	p.ConfigHash = "0000"
	if _, err := f.eng.ApplyPlan(ctx, p); err == nil || !strings.Contains(err.Error(), "other pipeline files") {
		t.Fatalf("err = %v", err)
	}
	if len(f.mem.Writes()) != 0 {
		t.Fatal("wrote from a foreign plan")
	}
}

// A step's retry block retries transient failures with backoff and honours
// a retry-after; each attempt is recorded in state. Permanent failures are
// not retried and close their intent as failed.
func TestRetryBlockAndAttempts(t *testing.T) {
	f := newFixture(t, `
connection "memory" "m" {}
pipeline "p" {
  step "w" {
    action = memory.put
    key    = "w"
    value  = 1
    retry {
      attempts  = 4
      backoff   = "1ms"
      max_delay = "5ms"
    }
  }
}
`, run.Options{})
	ctx := ctxT(t)
	f.mem.SetFaults(conntest.Faults{FailWrites: 1, RetryAfter: 1, RetryAfterDelay: time.Millisecond})
	res := f.eng.Execute(ctx, run.Apply, run.Event{Pipeline: "p"}, nil, "run-1")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	r, attempts, err := f.store.Run(ctx, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != state.RunSucceeded || r.Writes != 1 || len(attempts) != 3 {
		t.Fatalf("run = %+v, attempts = %+v; want succeeded after 3 attempts", r, attempts)
	}

	// The same write is already in the ledger: a second run does nothing.
	res = f.eng.Execute(ctx, run.Apply, run.Event{Pipeline: "p"}, nil, "run-2")
	if res.Err != nil || res.Writes != 0 {
		t.Fatalf("replay: err=%v writes=%d", res.Err, res.Writes)
	}

	f.mem.SetFaults(conntest.Faults{PermanentWrites: true})
	f.mem.Put("w", cty.NumberIntVal(0)) // someone changed it: the write is due again
	res = f.eng.Execute(ctx, run.Apply, run.Event{Pipeline: "p"}, nil, "run-3")
	if res.Err == nil || !res.Permanent {
		t.Fatalf("want a permanent failure, got %v (permanent=%v)", res.Err, res.Permanent)
	}
	_, attempts, _ = f.store.Run(ctx, "run-3")
	if len(attempts) != 1 {
		t.Fatalf("a permanent failure was retried: %+v", attempts)
	}
}

// A record someone set back to what it was before our update is updated
// again: it no longer shows the write, even though it looks as it did when
// the write was planned.
func TestUpdateOfARecordSetBackIsWrittenAgain(t *testing.T) {
	const one = `
connection "memory" "m" {}
pipeline "p" {
  step "one" {
    action = memory.put
    key    = "one"
    value  = { n = 1 }
  }
}
`
	f := newFixture(t, one, run.Options{})
	ctx := ctxT(t)
	old := cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(0)})
	f.mem.Put("one", old)
	for i := 0; i < 2; i++ {
		p, err := f.eng.PlanAll(ctx, run.Selection{}, "test")
		if err != nil {
			t.Fatal(err)
		}
		if c := p.Count(); c.Update != 1 {
			t.Fatalf("plan %d = %+v, want 1 update", i, c)
		}
		if res, err := f.eng.ApplyPlan(ctx, p); err != nil || res.Failed != 0 {
			t.Fatalf("apply %d: err=%v failed=%d", i, err, res.Failed)
		}
		v, _ := f.mem.Get("one")
		if !v.GetAttr("n").RawEquals(cty.NumberIntVal(1)) {
			t.Fatalf("after apply %d: %#v, want n = 1", i, v)
		}
		f.mem.Put("one", old) // someone sets it back
	}
	if n := len(f.mem.Writes()); n != 2 {
		t.Fatalf("writes = %d, want 2", n)
	}
}
