package run_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
)

const appendOnce = `
connection "memory" "m" {}
pipeline "p" {
  step "note" {
    action = memory.append
    key    = "log"
    value  = "shipped"
  }
}
`

// A process killed while an at-most-once write was in flight leaves its
// intent pending. The next process does not send the write again once the
// claim has expired: the intent becomes unknown and the run is parked, and
// stays parked on later attempts.
func TestAPendingAtMostOnceWriteIsParkedNotRepeated(t *testing.T) {
	f := newFixture(t, appendOnce, run.Options{Owner: "killed", IntentClaim: time.Nanosecond})
	f.mem.Hold, f.mem.Release = make(chan string), make(chan struct{})
	killed, kill := context.WithCancel(context.Background())
	t.Cleanup(kill)
	go f.eng.Execute(killed, run.Apply, run.Event{Pipeline: "p"}, nil, "run-1")
	<-f.mem.Hold // the write is with the vendor; the process dies here

	next := run.New(f.prog, f.store, run.Options{Owner: "restarted"})
	defer next.Close()
	ctx := ctxT(t)
	for i := 0; i < 2; i++ {
		res := next.Execute(ctx, run.Apply, run.Event{Pipeline: "p"}, nil, run.NewRunID())
		if !res.Parked || res.Err == nil || !strings.Contains(res.Err.Error(), "outcome unknown") {
			t.Fatalf("attempt %d: parked=%v err=%v; want parked with an unknown outcome", i+1, res.Parked, res.Err)
		}
	}
	if n := len(f.mem.Writes()); n != 0 {
		t.Fatalf("writes = %d, want none sent again", n)
	}
	pending, err := f.store.PendingIntents(ctx)
	if err != nil || len(pending) != 0 {
		t.Fatalf("pending intents = %v, %v; want the intent unknown", pending, err)
	}
}

// A write the vendor provably did not make (FailWrites fails before
// writing, marked not applied by connectors that know) is retried; an
// at-most-once write that failed ambiguously is parked at once.
func TestAnAmbiguousAtMostOnceFailureParks(t *testing.T) {
	f := newFixture(t, appendOnce, run.Options{})
	f.mem.SetFaults(conntest.Faults{LoseWriteAnswers: 1})
	ctx := ctxT(t)
	res := f.eng.Execute(ctx, run.Apply, run.Event{Pipeline: "p"}, nil, "run-1")
	if !res.Parked {
		t.Fatalf("parked = false, err = %v", res.Err)
	}
	res = f.eng.Execute(ctx, run.Apply, run.Event{Pipeline: "p"}, nil, "run-2")
	if !res.Parked || len(f.mem.Writes()) != 1 {
		t.Fatalf("second attempt: parked=%v writes=%d; want parked and 1 write", res.Parked, len(f.mem.Writes()))
	}
	var unknown []state.Intent
	for _, id := range []string{"run-1", "run-2"} {
		ins, err := f.store.UnknownIntents(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		unknown = append(unknown, ins...)
	}
	if len(unknown) != 1 || unknown[0].RunID != "run-1" {
		t.Fatalf("unknown intents = %+v, want run-1's", unknown)
	}
}
