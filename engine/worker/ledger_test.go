package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/worker"
)

// An idempotent write's intent, done, and its link reach the ledger with
// the settlement of its item, under the run that made it; the same event
// delivered again makes no second write.
func TestSettlementRecordsTheLedgerOfIdempotentWrites(t *testing.T) {
	mem, st, eng := setup(t, time.Now)
	ctx := context.Background()
	id := enqueueTick(t, st, "2025-03-01T12:00:00Z")
	w := &worker.Worker{Engine: eng, Store: st}
	if out := drain(t, w, 1); out[0] != worker.Finished {
		t.Fatalf("outcome = %s", out[0])
	}
	writes := mem.Writes()
	if len(writes) != 1 {
		t.Fatalf("vendor writes = %d, want 1", len(writes))
	}
	in, found, err := st.Intent(ctx, writes[0].IdemKey)
	it, ierr := st.Item(ctx, id)
	if err != nil || ierr != nil || !found || in.Status != state.IntentDone || in.RunID != it.RunID || len(in.Output) == 0 {
		t.Fatalf("intent = %+v, %v, %v (item run %q, %v); want done by the item's run", in, found, err, it.RunID, ierr)
	}
	links, err := st.LinksByKey(ctx, []string{in.Identity}, nil)
	if err != nil || len(links) != 1 {
		t.Fatalf("links = %+v, %v", links, err)
	}
	ws, err := st.WritesOfRun(ctx, it.RunID)
	if err != nil || len(ws) != 1 {
		t.Fatalf("writes of run %s = %+v, %v; want the put", it.RunID, ws, err)
	}

	if err := st.Requeue(ctx, id); err != nil {
		t.Fatal(err)
	}
	if out := drain(t, w, 1); out[0] != worker.Finished {
		t.Fatalf("second outcome = %s", out[0])
	}
	if n := len(mem.Writes()); n != 1 {
		t.Fatalf("vendor writes after the replay = %d, want 1", n)
	}
}
