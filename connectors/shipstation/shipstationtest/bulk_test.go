package shipstationtest

import (
	"fmt"
	"testing"
)

// pushOrders sends n orders in createorders batches of 100.
func pushOrders(t *testing.T, s *Server, n int, prefix string) {
	for start := 0; start < n; start += maxBulkOrders {
		batch := make([]any, 0, maxBulkOrders)
		for i := start; i < min(start+maxBulkOrders, n); i++ {
			batch = append(batch, orderJSON(fmt.Sprintf("%s:%d", prefix, i), fmt.Sprintf("BC-%d", i),
				line("l1", fmt.Sprintf("SKU-%d", i%500), 1, 9.99)))
		}
		r := call(t, s, "POST", "/orders/createorders", batch, true)
		if r.status != 200 {
			t.Fatalf("createorders: %d %s", r.status, r.body)
		}
	}
}

func TestTenThousandOrders(t *testing.T) {
	if testing.Short() {
		t.Skip("pushes 10,000 orders")
	}
	s := newTestServer(t, Options{})
	pushOrders(t, s, 10000, "bc")
	if st := s.Stats(); st.V1Calls != 100 {
		t.Errorf("calls = %d, want 100 for 10,000 orders", st.V1Calls)
	}
	o, ok := s.OrderByKey("bc:9999")
	if !ok || o.OrderNumber != "BC-9999" {
		t.Fatalf("OrderByKey = %v %v", o.OrderNumber, ok)
	}
	if n := len(s.Products()); n != 500 {
		t.Errorf("products = %d, want 500 distinct SKUs", n)
	}
	// A re-push is all updates.
	pushOrders(t, s, 200, "bc")
	if n := len(s.Orders()); n != 10000 {
		t.Errorf("orders = %d after re-push", n)
	}
	r := api(t, s, "GET", "/orders?orderNumber=BC-9999", nil).json(t)
	if r["total"] != 1.0 {
		t.Errorf("BC-9999 total %v", r["total"])
	}
}
