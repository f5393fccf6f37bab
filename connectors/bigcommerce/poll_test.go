package bigcommerce

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
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

// A window longer than one Poll reads (pollMax) is read whole by
// PollPages, a vendor page at a time, each id once, and its cursor
// resumes after the last.
func TestPollPagesReadsTheWholeWindowAPageAtATime(t *testing.T) {
	e := newEnv(t, envConfig{})
	const n = pollMax + 2000
	if _, _, err := e.fake.SeedOrders(bigcommercetest.SeedOrders{Count: n, From: t0.Add(-3 * time.Hour), To: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	args := cty.ObjectVal(map[string]cty.Value{"resource": cty.StringVal("orders"), "lookback": cty.NullVal(cty.String)})
	w := connectors.Window{From: t0.Add(-4 * time.Hour), To: t0}
	capped, _, err := e.conn.Poll(context.Background(), pollKind, args, w)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(eventIDsOf(capped, "order_ids")); got != pollMax {
		t.Fatalf("Poll read %d orders, want its cap %d", got, pollMax)
	}

	seen := map[int64]bool{}
	pages, last := 0, int64(0)
	cursor, err := connectors.PagePoller(e.conn).PollPages(context.Background(), pollKind, args, w, func(evs []connectors.Event) error {
		pages++
		ids := eventIDsOf(evs, "order_ids")
		if len(ids) > pageLimit {
			t.Fatalf("page %d holds %d orders", pages, len(ids))
		}
		for _, id := range ids {
			if seen[id] || id <= last {
				t.Fatalf("order %d again or out of order (after %d)", id, last)
			}
			seen[id], last = true, id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n || pages != n/pageLimit {
		t.Fatalf("PollPages read %d orders in %d pages, want %d in %d", len(seen), pages, n, n/pageLimit)
	}
	evs, _ := e.poll("orders", connectors.Window{Cursor: cursor})
	if len(evs) != 0 {
		t.Fatalf("a poll from PollPages's cursor found %d orders again", len(eventIDsOf(evs, "order_ids")))
	}

	// An error from page stops the read and comes back as it is.
	stop := errors.New("stop")
	calls := 0
	_, err = connectors.PagePoller(e.conn).PollPages(context.Background(), pollKind, args, w, func([]connectors.Event) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Fatalf("after page's error: %v, %d calls", err, calls)
	}
}
