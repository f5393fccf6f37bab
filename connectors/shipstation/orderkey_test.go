package shipstation

import (
	"context"
	"net/http"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/zclconf/go-cty/cty"
)

func TestParseOrderKey(t *testing.T) {
	addr := int64(7)
	for _, c := range []struct {
		key  string
		want *BigCommerceOrder
	}{
		{"bc:abc123:100", &BigCommerceOrder{StoreHash: "abc123", OrderID: 100}},
		{"bc:abc123:100:7", &BigCommerceOrder{StoreHash: "abc123", OrderID: 100, AddressID: &addr}},
		{"100", nil}, // a native BigCommerce store's key (assumed)
		{"e896cd19be7342a488d07a53d1efd446", nil}, // generated
		{"bc::100", nil},
		{"bc:abc123:", nil},
		{"bc:abc123:0100", nil},
		{"bc:abc123:-1", nil},
		{"bc:abc123:100:", nil},
		{"bc:abc123:100:7:1", nil},
		{"BC:abc123:100", nil},
		{"amazon:abc123:100", nil},
	} {
		got, ok := ParseOrderKey(c.key)
		switch {
		case c.want == nil && ok:
			t.Errorf("ParseOrderKey(%q) = %+v, want not tote's", c.key, got)
		case c.want != nil && !ok:
			t.Errorf("ParseOrderKey(%q) refused", c.key)
		case c.want != nil && (got.StoreHash != c.want.StoreHash || got.OrderID != c.want.OrderID ||
			(got.AddressID == nil) != (c.want.AddressID == nil) || (got.AddressID != nil && *got.AddressID != *c.want.AddressID)):
			t.Errorf("ParseOrderKey(%q) = %+v, want %+v", c.key, got, *c.want)
		}
	}
}

// Fulfillments carry no orderKey: the poll reads their orders' keys in one
// listing and shows the BigCommerce order only for tote's keys, whatever
// the orderNumber says.
func TestFulfillmentsNameBigCommerceOrdersByKeyOnly(t *testing.T) {
	e := newEnv(t, envOpts{})
	if _, err := e.fake.SeedForeign(100); err != nil { // another channel's 101 (key "101") is marked shipped
		t.Fatal(err)
	}
	for _, o := range []struct{ key, number string }{{"bc:s:100", "100"}, {"bc:s:101:7", "101-2"}} {
		_, out := e.upsert(o.key, o.number, nil)
		id, _ := out.GetAttr("id").AsBigFloat().Int64()
		err := e.conn.c.do(context.Background(), call{api: v1, method: http.MethodPost, path: "/orders/markasshipped", prio: budget.Tracking,
			body: map[string]any{"orderId": id, "carrierCode": "ups", "trackingNumber": "1Z" + o.number}}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	e.conn.c.keys = newOrderKeys() // as after a restart: nothing known
	before := e.fake.Stats().ByRequest["GET /orders"]
	evs, _, err := e.conn.Poll(context.Background(), "shipstation_poll", pollArgs(t, "fulfillments"), connectors.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.fake.Stats().ByRequest["GET /orders"] - before; n != 1 {
		t.Errorf("%d order listings for %d fulfillments, want 1", n, len(evs))
	}
	got := map[string]cty.Value{}
	for _, ev := range evs {
		f := ev.Data.GetAttr("fulfillments").Index(cty.NumberIntVal(0))
		got[f.GetAttr("orderNumber").AsString()] = f
	}
	if len(got) != 3 {
		t.Fatalf("fulfillments of %d orders, want 3 (two of tote's, one of another channel): %v", len(got), got)
	}
	if bc := got["101"].GetAttr("bigcommerce"); !bc.IsNull() {
		t.Errorf("another channel's fulfillment (orderKey %s) names BigCommerce order %v", got["101"].GetAttr("orderKey").GoString(), bc.GoString())
	}
	for number, want := range map[string]cty.Value{
		"100":   cty.ObjectVal(map[string]cty.Value{"store_hash": cty.StringVal("s"), "order_id": cty.NumberIntVal(100), "address_id": cty.NullVal(cty.Number)}),
		"101-2": cty.ObjectVal(map[string]cty.Value{"store_hash": cty.StringVal("s"), "order_id": cty.NumberIntVal(101), "address_id": cty.NumberIntVal(7)}),
	} {
		if bc := got[number].GetAttr("bigcommerce"); !bc.RawEquals(want) {
			t.Errorf("fulfillment of %s names %s, want %s", number, bc.GoString(), want.GoString())
		}
	}
	// Keys are remembered: polling again lists no orders.
	before = e.fake.Stats().ByRequest["GET /orders"]
	if _, _, err := e.conn.Poll(context.Background(), "shipstation_poll", pollArgs(t, "fulfillments"), connectors.Window{}); err != nil {
		t.Fatal(err)
	}
	if n := e.fake.Stats().ByRequest["GET /orders"] - before; n != 0 {
		t.Errorf("%d order listings on a second poll, want 0", n)
	}
}

// Shipments and orders carry their own orderKey: another channel's, with
// the same orderNumber as a BigCommerce order, names no BigCommerce order.
func TestShipmentsOfOtherChannelsNameNoBigCommerceOrder(t *testing.T) {
	e := newEnv(t, envOpts{})
	seed, err := e.fake.SeedForeign(100)
	if err != nil {
		t.Fatal(err)
	}
	evs, _, err := e.conn.Poll(context.Background(), "shipstation_poll", pollArgs(t, "shipments"), connectors.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		t.Fatal("no shipments polled")
	}
	for _, ev := range evs {
		s := ev.Data.GetAttr("shipments").Index(cty.NumberIntVal(0))
		if !s.GetAttr("bigcommerce").IsNull() && s.GetAttr("bigcommerce").GetAttr("store_hash").AsString() != "other-store" {
			t.Errorf("shipment of order %s (key %s) names BigCommerce order %s", s.GetAttr("orderNumber").AsString(),
				s.GetAttr("orderKey").AsString(), s.GetAttr("bigcommerce").GoString())
		}
	}
	o, err := e.conn.getOrder(context.Background(), seed.Shipped.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	if v := toCty(*o, false); !v.GetAttr("bigcommerce").IsNull() || v.GetAttr("orderNumber").AsString() != "100" {
		t.Errorf("another channel's order 100 reads as %s", v.GetAttr("bigcommerce").GoString())
	}
}
