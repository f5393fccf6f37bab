package bigcommerce

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/zclconf/go-cty/cty"
)

// pagingDeadline bounds a read against broken paging: a read that loops
// runs into it and fails the test instead of hanging it.
const pagingDeadline = 10 * time.Second

// TestListsEndWhenPagingIsBroken reads every kind of list while the fake
// ignores the page asked for and claims more pages follow: each read ends
// with an error saying the paging is not advancing, after two GETs.
func TestListsEndWhenPagingIsBroken(t *testing.T) {
	e := newEnv(t, envConfig{})
	// v2 lists end on a short page: a full first page is needed to loop.
	for range pageLimit {
		e.placeOrder()
	}
	e.fake.SetFaults(bigcommercetest.Faults{BrokenPaging: true})
	pollArgs := func(resource string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"resource": cty.StringVal(resource), "lookback": cty.NullVal(cty.String)})
	}
	cases := []struct {
		name, request string
		read          func(ctx context.Context) error
	}{
		{"v2 list_orders", "GET /v2/orders", func(ctx context.Context) error {
			_, err := e.conn.Read(ctx, "list_orders", argsVal(t, "list_orders", map[string]cty.Value{
				"modified_from": cty.StringVal("2000-01-01T00:00:00Z")}))
			return err
		}},
		{"v2 orders poll", "GET /v2/orders", func(ctx context.Context) error {
			_, _, err := e.conn.Poll(ctx, pollKind, pollArgs("orders"), connectors.Window{To: e.fake.Clock().Now()})
			return err
		}},
		{"v3 get_products all", "GET /v3/catalog/products", func(ctx context.Context) error {
			_, err := e.conn.Read(ctx, "get_products", argsVal(t, "get_products", map[string]cty.Value{"all": cty.True}))
			return err
		}},
		{"v3 products poll", "GET /v3/catalog/products", func(ctx context.Context) error {
			_, _, err := e.conn.Poll(ctx, pollKind, pollArgs("products"), connectors.Window{To: e.fake.Clock().Now()})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.rec.reset()
			ctx, cancel := context.WithTimeout(context.Background(), pagingDeadline)
			defer cancel()
			err := c.read(ctx)
			if err == nil || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "not advancing") {
				t.Fatalf("read = %v, want a paging error", err)
			}
			if n := e.rec.count(c.request); n != 2 {
				t.Fatalf("%d %s, want 2", n, c.request)
			}
		})
	}
}

// TestListsStopAtThePageCap reads a list longer than the cap: the read
// ends with a permanent error once the cap is reached.
func TestListsStopAtThePageCap(t *testing.T) {
	e := newEnv(t, envConfig{opts: func(o *options) { o.maxPages = 2 }})
	for range 2*pageLimit + 1 {
		e.placeOrder()
	}
	ctx, cancel := context.WithTimeout(context.Background(), pagingDeadline)
	defer cancel()
	_, err := e.conn.Read(ctx, "list_orders", argsVal(t, "list_orders", map[string]cty.Value{
		"modified_from": cty.StringVal("2000-01-01T00:00:00Z"), "max": cty.NumberIntVal(5000)}))
	if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "did not end after 2 pages") {
		t.Fatalf("read = %v, want the page cap's error", err)
	}
	if n := e.rec.count("GET /v2/orders"); n != 2 {
		t.Fatalf("%d GET /v2/orders, want 2", n)
	}
}
