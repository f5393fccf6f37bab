package shipstation

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// An order deleted in ShipStation just after tote wrote it: tote run may
// answer from its memory of the write (no call), while a plan under
// FreshReads reads ShipStation and plans a create it marks Observed.
func TestFreshReadsSeeAnOrderDeletedSinceTheWrite(t *testing.T) {
	e := newEnv(t, envOpts{})
	notes := map[string]cty.Value{"internalNotes": cty.StringVal("fragile")}
	e.upsert("bc:s:7", "BC-7", notes)
	o, ok := e.fake.OrderByKey("bc:s:7")
	if !ok {
		t.Fatal("the order was not created")
	}
	req, _ := http.NewRequest(http.MethodDelete, e.fake.URL+"/orders/"+strconv.FormatInt(o.OrderID, 10), nil)
	req.Header.Set("Authorization", e.conn.c.v1Auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("deleting: %v %v", err, resp)
	}
	resp.Body.Close()

	a := upsertArgs(t, "bc:s:7", "BC-7", notes)
	calls := e.fake.Stats().V1Calls
	ch, err := e.conn.PlanWrite(context.Background(), "upsert_order", a)
	if err != nil || ch.Op != connectors.OpNoop || e.fake.Stats().V1Calls != calls {
		t.Fatalf("run-mode plan: %s err %v after %d calls, want noop from memory", ch.Op, err, e.fake.Stats().V1Calls-calls)
	}
	ch, err = e.conn.PlanWrite(connectors.WithFreshReads(context.Background()), "upsert_order", a)
	if err != nil || ch.Op != connectors.OpCreate || !ch.Observed {
		t.Fatalf("fresh plan: %s observed %v err %v, want an observed create", ch.Op, ch.Observed, err)
	}
	if e.fake.Stats().V1Calls == calls {
		t.Fatal("the fresh plan made no call")
	}
}
