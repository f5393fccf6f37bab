package run_test

import (
	"testing"

	"github.com/toteworks/tote/connectors/conntest"

	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
)

const putOnce = `
connection "memory" "m" {}
pipeline "p" {
  step "put" {
    action = memory.put
    key    = "k"
    value  = "v"
  }
}
`

// A worker's run makes an idempotent write without opening its intent
// first: the intent, done with its output, and the link come back in the
// run's record for the settlement, and nothing is in the ledger before.
func TestDeferredRunRecordsIdempotentWritesInItsRecord(t *testing.T) {
	f := newFixture(t, putOnce, run.Options{Owner: "me"})
	ctx := ctxT(t)
	res, rec := f.eng.ExecuteDeferred(ctx, run.Event{Pipeline: "p"}, "1.1")
	if res.Err != nil || res.Writes != 1 || len(f.mem.Writes()) != 1 {
		t.Fatalf("run: err=%v writes=%d vendor writes=%d", res.Err, res.Writes, len(f.mem.Writes()))
	}
	if len(rec.Intents) != 1 {
		t.Fatalf("record intents = %+v, want 1", rec.Intents)
	}
	in := rec.Intents[0]
	if in.Status != state.IntentDone || in.RunID != "1.1" || in.Owner != "me" || in.Op != "create" || len(in.Output) == 0 {
		t.Fatalf("record intent = %+v, want done by 1.1 with its output", in)
	}
	if len(rec.Links) != 1 || rec.Links[0].Value != "k" {
		t.Fatalf("record links = %+v", rec.Links)
	}
	if _, found, err := f.store.Intent(ctx, in.Key); err != nil || found {
		t.Fatalf("ledger before the settlement: found=%v err=%v; want nothing", found, err)
	}
	if err := f.store.RecordIntents(ctx, rec.Intents, rec.Links...); err != nil {
		t.Fatal(err)
	}
	// The same write again is found done in the ledger and the target
	// shows it: nothing is sent.
	res, rec = f.eng.ExecuteDeferred(ctx, run.Event{Pipeline: "p"}, "2.1")
	if res.Err != nil || len(f.mem.Writes()) != 1 || len(rec.Intents) != 0 {
		t.Fatalf("replay: err=%v vendor writes=%d intents=%+v; want no second write", res.Err, len(f.mem.Writes()), rec.Intents)
	}
}

// A failed idempotent write is recorded as the eager path leaves it: a
// refusal as failed with the vendor's message, an ambiguous failure as
// pending with no claim, so the next attempt plans it again.
func TestDeferredRunRecordsFailedIdempotentWrites(t *testing.T) {
	f := newFixture(t, putOnce, run.Options{Owner: "me"})
	ctx := ctxT(t)
	f.mem.SetFaults(conntest.Faults{LoseWriteAnswers: 1})
	res, rec := f.eng.ExecuteDeferred(ctx, run.Event{Pipeline: "p"}, "1.1")
	if res.Err == nil || len(rec.Intents) != 1 || rec.Intents[0].Status != state.IntentPending {
		t.Fatalf("lost answer: err=%v intents=%+v; want one pending intent", res.Err, rec.Intents)
	}
	f = newFixture(t, putOnce, run.Options{Owner: "me"})
	f.mem.SetFaults(conntest.Faults{PermanentWrites: true})
	res, rec = f.eng.ExecuteDeferred(ctx, run.Event{Pipeline: "p"}, "1.2")
	if res.Err == nil || len(rec.Intents) != 1 || rec.Intents[0].Status != state.IntentFailed || rec.Intents[0].Error == "" {
		t.Fatalf("refused: err=%v intents=%+v; want one failed intent", res.Err, rec.Intents)
	}
}

// An at-most-once write opens its intent before the vendor call, in a
// worker's run too: while the call is in flight the ledger holds it pending.
func TestDeferredRunOpensAtMostOnceIntentsBeforeTheCall(t *testing.T) {
	f := newFixture(t, appendOnce, run.Options{Owner: "me"})
	f.mem.Hold, f.mem.Release = make(chan string), make(chan struct{})
	ctx := ctxT(t)
	done := make(chan run.Record, 1)
	go func() {
		_, rec := f.eng.ExecuteDeferred(ctx, run.Event{Pipeline: "p"}, "1.1")
		done <- rec
	}()
	<-f.mem.Hold // the write is with the vendor
	pending, err := f.store.PendingIntents(ctx)
	if err != nil || len(pending) != 1 || pending[0].RunID != "1.1" {
		t.Fatalf("pending intents during the call = %+v, %v; want the append's", pending, err)
	}
	close(f.mem.Release)
	if rec := <-done; len(rec.Intents) != 0 {
		t.Fatalf("record intents = %+v; an at-most-once write closes its own", rec.Intents)
	}
	if in, found, err := f.store.Intent(ctx, pending[0].Key); err != nil || !found || in.Status != state.IntentDone {
		t.Fatalf("intent after the call = %+v, %v, %v; want done", in, found, err)
	}
}
