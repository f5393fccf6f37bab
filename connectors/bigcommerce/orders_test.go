package bigcommerce

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/zclconf/go-cty/cty"
)

func TestGetOrdersReadsLinesAddressesAndExactMoney(t *testing.T) {
	e := newEnv(t, envConfig{})
	p1, p2 := bigcommercetest.MoneyOf("12.95"), bigcommercetest.MoneyOf("13.99")
	o := e.placeOrder(
		bigcommercetest.OrderProductInput{Name: "Trail Sock", SKU: "SOCK-1", Quantity: 2, PriceExTax: &p1, PriceIncTax: &p2},
		bigcommercetest.OrderProductInput{Name: "Mug", SKU: "MUG-1", Quantity: 1, PriceExTax: &p1, PriceIncTax: &p1},
	)
	e.rec.reset()
	out := e.read("get_orders", map[string]cty.Value{"ids": ids(o.ID)})
	if n := out.LengthInt(); n != 1 {
		t.Fatalf("got %d orders, want 1", n)
	}
	got := out.Index(cty.NumberIntVal(0))
	checks := map[string]cty.Value{
		"id":            cty.NumberIntVal(int64(o.ID)),
		"store_hash":    cty.StringVal("sandbox"),
		"status_id":     cty.NumberIntVal(11),
		"total_inc_tax": cty.StringVal("40.9300"),
		"subtotal_tax":  cty.StringVal("2.0800"),
		"date_created":  cty.StringVal(t0.Format(time.RFC3339)),
		"date_shipped":  cty.StringVal(""),
		"items_total":   cty.NumberIntVal(3),
	}
	for name, want := range checks {
		if v := got.GetAttr(name); !v.RawEquals(want) {
			t.Errorf("%s = %#v, want %#v", name, v, want)
		}
	}
	lines := got.GetAttr("lines")
	if lines.LengthInt() != 2 {
		t.Fatalf("lines = %d, want 2", lines.LengthInt())
	}
	l0 := lines.Index(cty.NumberIntVal(0))
	if l0.GetAttr("sku").AsString() != "SOCK-1" || l0.GetAttr("price_inc_tax").AsString() != "13.9900" || num64(l0.GetAttr("quantity")) != 2 {
		t.Errorf("first line = %#v", l0)
	}
	addrs := got.GetAttr("shipping_addresses")
	if addrs.LengthInt() != 1 || addrs.Index(cty.NumberIntVal(0)).GetAttr("city").AsString() != "Denver" {
		t.Errorf("shipping addresses = %#v", addrs)
	}
	if num64(l0.GetAttr("order_address_id")) != num64(addrs.Index(cty.NumberIntVal(0)).GetAttr("id")) {
		t.Errorf("line's order_address_id does not name the address")
	}
	// Lines and addresses came with the list call: no sub-list calls.
	if e.rec.total() != 1 || e.rec.count("GET /v2/orders") != 1 {
		t.Errorf("requests = %v, want one list call", e.rec.requests)
	}
}

func TestGetOrdersReadsManyOrdersInFewListCalls(t *testing.T) {
	e := newEnv(t, envConfig{opts: func(o *options) { o.batchWindow = 50 * time.Millisecond }})
	var all []int
	for range 600 {
		all = append(all, e.placeOrder().ID)
	}
	e.rec.reset()
	out := e.read("get_orders", map[string]cty.Value{"ids": ids(all...)})
	if out.LengthInt() != 600 {
		t.Fatalf("got %d orders, want 600", out.LengthInt())
	}
	// 600 consecutive ids are three ranges of at most 250.
	if n := e.rec.total(); n != 3 {
		t.Fatalf("one run reading 600 orders made %d requests, want 3: %v", n, e.rec.requests)
	}

	// Twenty concurrent runs, 30 orders each, are merged.
	e.rec.reset()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for g := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := e.conn.Read(context.Background(), "get_orders", argsVal(t, "get_orders", map[string]cty.Value{"ids": ids(all[g*30 : g*30+30]...)}))
			if err == nil && v.LengthInt() != 30 {
				err = fmt.Errorf("run %d got %d orders", g, v.LengthInt())
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.rec.total(); n > 6 {
		t.Fatalf("20 concurrent runs made %d requests, want them merged into few list calls: %v", n, e.rec.requests)
	}
}

func TestGetOrdersFindsIncompleteAndSkipsMissing(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder()
	incomplete := 0
	p := bigcommercetest.MoneyOf("5")
	in, err := e.fake.PlaceOrder(bigcommercetest.OrderInput{StatusID: &incomplete,
		BillingAddress: &bigcommercetest.Address{AddressFields: bigcommercetest.AddressFields{FirstName: "Bo", Zip: "10001"}},
		Products:       []bigcommercetest.OrderProductInput{{Name: "X", Quantity: 1, PriceExTax: &p, PriceIncTax: &p}}})
	if err != nil {
		t.Fatal(err)
	}
	e.rec.reset()
	out := e.read("get_orders", map[string]cty.Value{"ids": ids(o.ID, in.ID, 99999)})
	if out.LengthInt() != 2 {
		t.Fatalf("got %d orders, want 2 (the missing id left out)", out.LengthInt())
	}
	if s := num64(out.Index(cty.NumberIntVal(1)).GetAttr("status_id")); s != 0 {
		t.Errorf("second order status %d, want 0 (Incomplete)", s)
	}
	if e.rec.count("GET /v2/orders/99999") != 1 {
		t.Errorf("requests = %v", e.rec.requests)
	}
}

func TestOrderLinesFallBackToSubLists(t *testing.T) {
	e := newEnv(t, envConfig{})
	p := bigcommercetest.MoneyOf("1.10")
	var lines []bigcommercetest.OrderProductInput
	for range 60 { // more than the sub-lists' default page of 50
		lines = append(lines, bigcommercetest.OrderProductInput{Name: "Pin", Quantity: 1, PriceExTax: &p, PriceIncTax: &p})
	}
	o := e.placeOrder(lines...)
	e.rec.reset()
	// An order read without consignments (as a store that ignores include
	// would answer) is completed from the sub-lists.
	fo, err := e.conn.completeOrder(context.Background(), order{ID: int64(o.ID), ItemsTotal: 60})
	if err != nil {
		t.Fatal(err)
	}
	if len(fo.lines) != 60 || len(fo.addrs) != 1 {
		t.Fatalf("lines %d addrs %d, want 60 and 1", len(fo.lines), len(fo.addrs))
	}
	base := fmt.Sprintf("GET /v2/orders/%d", o.ID)
	if e.rec.count(base+"/products") != 1 || e.rec.count(base+"/shipping_addresses") != 1 {
		t.Errorf("requests = %v", e.rec.requests)
	}
	// Consignments that do not account for every unit are not trusted.
	if _, ok := consignmentLines(order{ItemsTotal: 3, Consignments: &consignments{}}); ok {
		t.Error("empty consignments accepted for an order of 3 units")
	}
}

func TestListOrdersModifiedInWindow(t *testing.T) {
	e := newEnv(t, envConfig{})
	first := e.placeOrder()
	e.fake.Clock().Advance(time.Hour)
	second := e.placeOrder()
	out := e.read("list_orders", map[string]cty.Value{"modified_from": cty.StringVal(t0.Add(30 * time.Minute).Format(time.RFC3339))})
	if out.LengthInt() != 1 || num64(out.Index(cty.NumberIntVal(0)).GetAttr("id")) != int64(second.ID) {
		t.Fatalf("list_orders = %#v, want only order %d", out, second.ID)
	}
	out = e.read("list_orders", map[string]cty.Value{"modified_from": cty.StringVal(t0.Format(time.RFC3339)),
		"modified_to": cty.StringVal(t0.Add(time.Minute).Format(time.RFC3339))})
	if out.LengthInt() != 1 || num64(out.Index(cty.NumberIntVal(0)).GetAttr("id")) != int64(first.ID) {
		t.Fatalf("list_orders = %#v, want only order %d", out, first.ID)
	}
}

func TestUpdateOrderPlansAgainstTheCurrentOrder(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder()
	args := map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)), "status_id": cty.NumberIntVal(9),
		"staff_notes": cty.StringVal("Sent to ShipStation")}
	ch, out := e.write("update_order", args)
	if ch.Op != connectors.OpUpdate || num64(ch.Before.GetAttr("status_id")) != 11 || ch.Before.GetAttr("staff_notes").AsString() != "" {
		t.Fatalf("plan = %s before %#v", ch.Op, ch.Before)
	}
	if ch.Fingerprint == "" {
		t.Error("no fingerprint")
	}
	if got, _ := e.fake.Order(o.ID); got.StatusID != 9 || got.StaffNotes != "Sent to ShipStation" {
		t.Fatalf("order after apply: status %d notes %q", got.StatusID, got.StaffNotes)
	}
	if out.GetAttr("status").AsString() != "Awaiting Shipment" {
		t.Errorf("output = %#v", out)
	}
	// Planned again (a replay, or after a lost answer): nothing to do.
	ch = e.plan("update_order", args)
	if ch.Op != connectors.OpNoop || num64(ch.Output.GetAttr("status_id")) != 9 {
		t.Fatalf("second plan = %s output %#v", ch.Op, ch.Output)
	}
	// A missing order is a permanent not-found.
	_, err := e.conn.PlanWrite(context.Background(), "update_order", argsVal(t, "update_order",
		map[string]cty.Value{"order_id": cty.NumberIntVal(4242), "status_id": cty.NumberIntVal(9)}))
	if !connectors.IsPermanent(err) || !isNotFound(err) {
		t.Fatalf("missing order: %v", err)
	}
}

// consignments split an order by ship-to address: the first keeps the
// order's number and key, each further one is numbered <id>-<n> under a
// key naming its address, and each has the lines that go there.
func TestGetOrdersSplitsConsignmentsByAddress(t *testing.T) {
	e := newEnv(t, envConfig{})
	p := bigcommercetest.MoneyOf("5.00")
	addr := func(city string) bigcommercetest.ShippingAddressInput {
		return bigcommercetest.ShippingAddressInput{AddressFields: bigcommercetest.AddressFields{FirstName: "Ana", LastName: "Ruiz",
			Street1: "1 Elm Rd", City: city, State: "Colorado", Zip: "80203", Country: "United States", CountryISO2: "US"}}
	}
	o, err := e.fake.PlaceOrder(bigcommercetest.OrderInput{
		BillingAddress: &bigcommercetest.Address{AddressFields: bigcommercetest.AddressFields{FirstName: "Ana", LastName: "Ruiz",
			Street1: "12 Elm Rd", City: "Denver", State: "Colorado", Zip: "80203", Country: "United States", CountryISO2: "US"}},
		ShippingAddresses: []bigcommercetest.ShippingAddressInput{addr("Denver"), addr("Boulder")},
		Products: []bigcommercetest.OrderProductInput{
			{Name: "Sock", SKU: "SOCK-1", Quantity: 1, PriceExTax: &p, PriceIncTax: &p},
			{Name: "Mug", SKU: "MUG-1", Quantity: 1, PriceExTax: &p, PriceIncTax: &p, ShipToIndex: 1},
			{Name: "Cap", SKU: "CAP-1", Quantity: 1, PriceExTax: &p, PriceIncTax: &p, ShipToIndex: 1},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := e.read("get_orders", map[string]cty.Value{"ids": ids(o.ID)}).Index(cty.NumberIntVal(0))
	cs := got.GetAttr("consignments").AsValueSlice()
	if len(cs) != 2 {
		t.Fatalf("%d consignments, want 2", len(cs))
	}
	second := num64(got.GetAttr("shipping_addresses").Index(cty.NumberIntVal(1)).GetAttr("id"))
	for i, want := range []struct {
		key, number, city string
		skus              []string
	}{
		{fmt.Sprintf("bc:sandbox:%d", o.ID), fmt.Sprint(o.ID), "Denver", []string{"SOCK-1"}},
		{fmt.Sprintf("bc:sandbox:%d:%d", o.ID, second), fmt.Sprintf("%d-2", o.ID), "Boulder", []string{"MUG-1", "CAP-1"}},
	} {
		c := cs[i]
		var skus []string
		for _, l := range c.GetAttr("lines").AsValueSlice() {
			skus = append(skus, l.GetAttr("sku").AsString())
		}
		if c.GetAttr("key").AsString() != want.key || c.GetAttr("number").AsString() != want.number ||
			num64(c.GetAttr("index")) != int64(i) || c.GetAttr("address").GetAttr("city").AsString() != want.city ||
			strings.Join(skus, ",") != strings.Join(want.skus, ",") {
			t.Errorf("consignment %d = key %s, number %s, city %s, lines %v; want %+v", i, c.GetAttr("key").AsString(),
				c.GetAttr("number").AsString(), c.GetAttr("address").GetAttr("city").AsString(), skus, want)
		}
	}
	// One address: every line goes there, whatever its order_address_id.
	one := e.read("get_orders", map[string]cty.Value{"ids": ids(e.placeOrder().ID)}).Index(cty.NumberIntVal(0))
	if cs := one.GetAttr("consignments").AsValueSlice(); len(cs) != 1 || cs[0].GetAttr("lines").LengthInt() != one.GetAttr("lines").LengthInt() {
		t.Errorf("one address: consignments = %#v", cs)
	}
}
