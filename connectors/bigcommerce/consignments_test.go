package bigcommerce

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// TestOddConsignmentsParkOneOrder: an order whose downloads consignment
// comes as an object where a list is expected is left out of the read with
// a permanent error naming it; the page it came in and the other orders
// of the batch are read as usual.
func TestOddConsignmentsParkOneOrder(t *testing.T) {
	e := newEnv(t, envConfig{})
	a, odd, b := e.placeOrder(), e.placeOrder(), e.placeOrder()
	if !e.fake.SetDownloadsAsObject(odd.ID, true) {
		t.Fatal("no such order")
	}
	wantPartial := func(t *testing.T, what string, err error) cty.Value {
		t.Helper()
		p, ok := connectors.Partial(err)
		if !ok {
			t.Fatalf("%s = %v, want a partial read", what, err)
		}
		msg := p.Error()
		if !connectors.IsPermanent(err) || !strings.Contains(msg, "order "+itoa(odd.ID)+" cannot be read") ||
			!strings.Contains(msg, "consignments.downloads is an object where a list is expected") {
			t.Fatalf("%s error = %q", what, msg)
		}
		return p.Value
	}
	wantOrders := func(t *testing.T, what string, v cty.Value, ids ...int) {
		t.Helper()
		var got []int
		for it := v.ElementIterator(); it.Next(); {
			_, o := it.Element()
			got = append(got, int(num64(o.GetAttr("id"))))
			if o.GetAttr("lines").LengthInt() != 1 || o.GetAttr("shipping_addresses").LengthInt() != 1 {
				t.Fatalf("%s: order %d is incomplete: %#v", what, got[len(got)-1], o)
			}
		}
		if len(got) != len(ids) {
			t.Fatalf("%s: orders %v, want %v", what, got, ids)
		}
		for i := range ids {
			if got[i] != ids[i] {
				t.Fatalf("%s: orders %v, want %v", what, got, ids)
			}
		}
	}

	t.Run("get_orders", func(t *testing.T) {
		_, err := e.conn.Read(context.Background(), "get_orders", argsVal(t, "get_orders", map[string]cty.Value{"ids": ids(a.ID, odd.ID, b.ID)}))
		wantOrders(t, "get_orders", wantPartial(t, "get_orders", err), a.ID, b.ID)
	})
	t.Run("list_orders", func(t *testing.T) {
		_, err := e.conn.Read(context.Background(), "list_orders", argsVal(t, "list_orders", map[string]cty.Value{
			"modified_from": cty.StringVal("2000-01-01T00:00:00Z")}))
		wantOrders(t, "list_orders", wantPartial(t, "list_orders", err), a.ID, b.ID)
	})
	t.Run("batched with other runs", func(t *testing.T) {
		// Reads of concurrent runs share one list call; only the run that
		// asked for the odd order sees its error.
		e.rec.reset()
		var wg sync.WaitGroup
		results := make([]cty.Value, 3)
		errs := make([]error, 3)
		for i, id := range []int{a.ID, odd.ID, b.ID} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = e.conn.Read(context.Background(), "get_orders", argsVal(t, "get_orders", map[string]cty.Value{"ids": ids(id)}))
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[2] != nil {
			t.Fatalf("the other runs failed: %v, %v", errs[0], errs[2])
		}
		wantOrders(t, "run of "+itoa(a.ID), results[0], a.ID)
		wantOrders(t, "run of "+itoa(b.ID), results[2], b.ID)
		wantOrders(t, "run of the odd order", wantPartial(t, "run of the odd order", errs[1]))
	})
}
