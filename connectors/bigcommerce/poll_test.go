package bigcommerce

import (
	"context"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

func (e *env) poll(resource string, w connectors.Window) ([]connectors.Event, string) {
	e.t.Helper()
	if w.To.IsZero() {
		w.To = e.fake.Clock().Now()
	}
	evs, cursor, err := e.conn.Poll(context.Background(), pollKind,
		cty.ObjectVal(map[string]cty.Value{"resource": cty.StringVal(resource), "lookback": cty.NullVal(cty.String)}), w)
	if err != nil {
		e.t.Fatalf("poll %s: %v", resource, err)
	}
	for _, ev := range evs {
		if err := checkEvent(ev.Data); err != nil {
			e.t.Fatal(err)
		}
	}
	return evs, cursor
}

func eventIDsOf(evs []connectors.Event, attr string) []int64 {
	var out []int64
	for _, ev := range evs {
		for it := ev.Data.GetAttr(attr).ElementIterator(); it.Next(); {
			_, v := it.Element()
			out = append(out, num64(v))
		}
	}
	return out
}

func TestPollOrdersResumesFromItsCursor(t *testing.T) {
	e := newEnv(t, envConfig{})
	a, b := e.placeOrder(), e.placeOrder()
	evs, cursor := e.poll("orders", connectors.Window{})
	if got := eventIDsOf(evs, "order_ids"); len(evs) != 1 || len(got) != 2 || got[0] != int64(a.ID) || got[1] != int64(b.ID) {
		t.Fatalf("first poll = %v", got)
	}
	first := evs[0].Key

	// A new order in the same second as the cursor is not lost, and the
	// ones already seen are not repeated.
	c := e.placeOrder()
	evs, cursor = e.poll("orders", connectors.Window{Cursor: cursor})
	if got := eventIDsOf(evs, "order_ids"); len(got) != 1 || got[0] != int64(c.ID) {
		t.Fatalf("second poll = %v", got)
	}
	again, same := e.poll("orders", connectors.Window{Cursor: cursor})
	if len(again) != 0 || same != cursor {
		t.Fatalf("third poll = %d events, cursor %q -> %q", len(again), cursor, same)
	}

	e.fake.Clock().Advance(time.Minute)
	if err := e.fake.SetOrderStatus(a.ID, 9); err != nil {
		t.Fatal(err)
	}
	evs, _ = e.poll("orders", connectors.Window{Cursor: cursor})
	if got := eventIDsOf(evs, "order_ids"); len(got) != 1 || got[0] != int64(a.ID) {
		t.Fatalf("after a change = %v", got)
	}

	// A window (plan -since) reads everything in it, whatever the cursor.
	evs, _ = e.poll("orders", connectors.Window{From: t0.Add(-time.Hour)})
	if got := eventIDsOf(evs, "order_ids"); len(got) != 3 {
		t.Fatalf("window poll = %v", got)
	}
	if evs[0].Key == first {
		t.Error("changed orders kept the old event key")
	}
}

func TestPollBatchesIDsByPage(t *testing.T) {
	e := newEnv(t, envConfig{})
	for range 300 {
		e.placeOrder()
	}
	evs, _ := e.poll("orders", connectors.Window{})
	if len(evs) != 2 || evs[0].Data.GetAttr("order_ids").LengthInt() != 250 || evs[1].Data.GetAttr("order_ids").LengthInt() != 50 {
		t.Fatalf("%d events", len(evs))
	}
	repeat, _ := e.poll("orders", connectors.Window{})
	if repeat[0].Key != evs[0].Key {
		t.Error("the same changes polled twice have different keys")
	}
}

func TestPollProductsAndShipments(t *testing.T) {
	e := newEnv(t, envConfig{})
	evs, _ := e.poll("products", connectors.Window{})
	if got := eventIDsOf(evs, "product_ids"); len(got) != 12 {
		t.Fatalf("products poll = %v", got)
	}
	a := e.placeOrder()
	e.placeOrder()
	line := e.fake.OrderProducts(a.ID)[0]
	e.write("create_shipment", map[string]cty.Value{"order_id": cty.NumberIntVal(int64(a.ID)),
		"tracking_number": cty.StringVal("T1"), "items": shipItems(line.ID, 1)})
	evs, _ = e.poll("shipments", connectors.Window{})
	if got := eventIDsOf(evs, "order_ids"); len(got) != 1 || got[0] != int64(a.ID) {
		t.Fatalf("shipments poll = %v", got)
	}
	_, _, err := e.conn.Poll(context.Background(), pollKind,
		cty.ObjectVal(map[string]cty.Value{"resource": cty.StringVal("carts"), "lookback": cty.NullVal(cty.String)}), connectors.Window{})
	if !connectors.IsPermanent(err) {
		t.Fatalf("unknown resource: %v", err)
	}
}
