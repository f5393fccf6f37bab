package shipstation

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
)

// pagingDeadline bounds a read against broken paging: a read that loops
// runs into it and fails the test instead of hanging it.
const pagingDeadline = 10 * time.Second

// TestListsEndWhenPagingIsBroken reads v1 and v2 lists while the fake
// ignores the page asked for and claims more pages follow: each read ends
// with an error saying the paging is not advancing, after two GETs.
func TestListsEndWhenPagingIsBroken(t *testing.T) {
	e := newEnv(t, envOpts{})
	if _, err := e.fake.UpsertOrder(fakeOrder("bc:s:1", "1")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.fake.AddProduct(shipstationtest.Product{SKU: "MUG-1", Name: "Mug"}); err != nil {
		t.Fatal(err)
	}
	if err := e.fake.SetStock("MUG-1", 5); err != nil {
		t.Fatal(err)
	}
	e.fake.SetFaults(shipstationtest.Faults{BrokenPaging: true})
	cases := []struct {
		name, action, request string
		args                  map[string]cty.Value
	}{
		{"v1 list_orders", "list_orders", "GET /orders", nil},
		{"v1 get_product", "get_product", "GET /products", map[string]cty.Value{"sku": cty.StringVal("MUG-1")}},
		{"v2 get_inventory", "get_inventory", "GET /v2/inventory", map[string]cty.Value{"skus": cty.ListVal([]cty.Value{cty.StringVal("MUG-1")})}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.fake.Stats().ByRequest[c.request]
			ctx, cancel := context.WithTimeout(context.Background(), pagingDeadline)
			defer cancel()
			_, err := e.conn.Read(ctx, c.action, args(t, c.action, c.args))
			if err == nil || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "not advancing") {
				t.Fatalf("read = %v, want a paging error", err)
			}
			if n := e.fake.Stats().ByRequest[c.request] - before; n != 2 {
				t.Fatalf("%d %s, want 2", n, c.request)
			}
		})
	}
}

// TestV2ListsEndWhenPagingIsBroken: the generic v2 list reader (return
// labels, shipments) ends as the other lists do.
func TestV2ListsEndWhenPagingIsBroken(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.fake.SetFaults(shipstationtest.Faults{BrokenPaging: true})
	ctx, cancel := context.WithTimeout(context.Background(), pagingDeadline)
	defer cancel()
	before := e.fake.Stats().ByRequest["GET /v2/inventory_locations"]
	_, err := listV2[map[string]any](ctx, e.conn.c, "/v2/inventory_locations", nil, "inventory_locations")
	if err == nil || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "page 2 repeats page 1") {
		t.Fatalf("read = %v, want a paging error", err)
	}
	if n := e.fake.Stats().ByRequest["GET /v2/inventory_locations"] - before; n != 2 {
		t.Fatalf("%d GET /v2/inventory_locations, want 2", n)
	}
}

// TestListsStopAtThePageCap reads a list longer than the cap: the read
// ends with a permanent error once the cap is reached.
func TestListsStopAtThePageCap(t *testing.T) {
	e := newEnv(t, envOpts{opts: options{maxPages: 1}})
	for _, n := range []string{"1", "2"} {
		if _, err := e.fake.UpsertOrder(fakeOrder("bc:s:"+n, n)); err != nil {
			t.Fatal(err)
		}
	}
	// Two orders at one a page: the second page is past the cap.
	ctx, cancel := context.WithTimeout(context.Background(), pagingDeadline)
	defer cancel()
	_, err := pageThrough[Order](ctx, e.conn.c, call{api: v1, method: "GET", path: "/orders",
		query: map[string][]string{"pageSize": {"1"}}}, "orders")
	if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "did not end after 1 pages") {
		t.Fatalf("read = %v, want the page cap's error", err)
	}
}
