package shipstation

import (
	"context"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
)

// returnLabel buys a v2 return label naming number (as shipment_number, or
// as rma_number when byRMA) for the given items.
func (e *env) returnLabel(number string, byRMA bool, items ...shipstationtest.V2ShipmentItem) shipstationtest.V2Label {
	e.t.Helper()
	addr := func(name string) *shipstationtest.V2Address {
		return &shipstationtest.V2Address{Name: name, Phone: "303-555-0100", AddressLine1: "42 Elm St", CityLocality: "Denver",
			StateProvince: "CO", PostalCode: "80202", CountryCode: "US", AddressResidentialIndicator: "unknown"}
	}
	req := shipstationtest.V2LabelRequest{IsReturnLabel: true, Shipment: &shipstationtest.V2ShipmentRequest{
		ServiceCode: "ups_ground", ShipTo: addr("Returns"), ShipFrom: addr("Jane Roe"), Items: items,
		Packages: []shipstationtest.V2Package{{PackageCode: "package", Weight: shipstationtest.V2Weight{Value: 14, Unit: "ounce"}}},
	}}
	if byRMA {
		req.RMANumber = &number
	} else {
		req.Shipment.ShipmentNumber = &number
	}
	l, err := e.fake.CreateV2Label(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return l
}

func (e *env) track(labelID, code string) {
	e.t.Helper()
	if _, err := e.fake.TrackV2Label(labelID, code, ""); err != nil {
		e.t.Fatal(err)
	}
}

// shipped upserts and ships order number (one line li-1 of two MUG-BLK-12).
func (e *env) shipped(key, number string) int64 {
	e.t.Helper()
	_, out := e.upsert(key, number, nil)
	id, _ := out.GetAttr("id").AsBigFloat().Int64()
	if _, err := e.fake.Ship(id, shipstationtest.ShipRequest{}); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func sku(s string) *string { return &s }

func TestPollDeliveredReturns(t *testing.T) {
	e := newEnv(t, envOpts{})
	id := e.shipped("k", "R-1")
	lbl := e.returnLabel("R-1", false, shipstationtest.V2ShipmentItem{Name: "Black Mug", SKU: sku("MUG-BLK-12"), Quantity: 1})
	stray := e.returnLabel("NOT-AN-ORDER", false)
	args := pollArgs(t, "delivered_returns")
	ctx := context.Background()
	poll := func(w connectors.Window) ([]connectors.Event, string) {
		t.Helper()
		e.clock.Advance(time.Minute) // past the label listing's cache
		evs, cursor, err := e.conn.Poll(ctx, "shipstation_poll", args, w)
		if err != nil {
			t.Fatal(err)
		}
		return evs, cursor
	}
	if evs, _ := poll(connectors.Window{}); len(evs) != 0 {
		t.Fatalf("a label not yet scanned: %v", evs)
	}
	e.track(lbl.LabelID, "IT")
	e.track(stray.LabelID, "DE")
	evs, cursor := poll(connectors.Window{})
	if len(evs) != 0 {
		t.Fatalf("in transit, and delivered for no order: %v", evs)
	}
	e.track(lbl.LabelID, "DE")
	evs, cursor = poll(connectors.Window{Cursor: cursor})
	if len(evs) != 1 || evs[0].Key != "return_label:"+lbl.LabelID+":delivered" {
		t.Fatalf("delivered: %v", evs)
	}
	d := evs[0].Data
	r := d.GetAttr("return_labels").Index(cty.NumberIntVal(0))
	item := r.GetAttr("items").Index(cty.NumberIntVal(0))
	switch {
	case d.GetAttr("resource_type").AsString() != "delivered_returns",
		d.GetAttr("orders").Index(cty.NumberIntVal(0)).GetAttr("orderKey").AsString() != "k",
		!d.GetAttr("order_ids").Index(cty.NumberIntVal(0)).Equals(cty.NumberIntVal(id)).True(),
		r.GetAttr("labelId").AsString() != lbl.LabelID, r.GetAttr("statusCode").AsString() != "DE",
		!r.GetAttr("delivered").True(), r.GetAttr("deliveredAt").IsNull(), r.GetAttr("orderKey").AsString() != "k",
		r.GetAttr("trackingNumber").AsString() != lbl.TrackingNumber, r.GetAttr("items").LengthInt() != 1,
		item.GetAttr("lineItemKey").AsString() != "li-1", !item.GetAttr("quantity").Equals(cty.NumberIntVal(1)).True():
		t.Errorf("event = %#v", d)
	}
	// Seen again by the next poll (same key), with no new tracking call:
	// DE is final.
	tracked := e.fake.Stats().ByRequest["GET /v2/labels/"+lbl.LabelID+"/track"]
	again, cursor := poll(connectors.Window{Cursor: cursor})
	if len(again) != 1 || again[0].Key != evs[0].Key {
		t.Errorf("next poll: %v", again)
	}
	if n := e.fake.Stats().ByRequest["GET /v2/labels/"+lbl.LabelID+"/track"]; n != tracked {
		t.Errorf("tracked again: %d calls, had %d", n, tracked)
	}
	// Once the delivery is older than a poll's window plus the allowance
	// for late scans, it is no longer reported.
	e.clock.Advance(deliveryLag + time.Hour)
	if resumed, next := poll(connectors.Window{Cursor: cursor}); len(resumed) != 1 {
		t.Errorf("resuming from a cursor before the delivery: %v", resumed)
	} else if late, _ := poll(connectors.Window{Cursor: next}); len(late) != 0 {
		t.Errorf("an old delivery was reported again: %v", late)
	}
	// A poll over an explicit older window reports it.
	if old, _ := poll(connectors.Window{From: e.clock.Now().Add(-deliveryLag - 2*time.Hour), To: e.clock.Now()}); len(old) != 1 {
		t.Errorf("explicit window: %v", old)
	}
}

func TestDeliveredReturnsWithoutV2Key(t *testing.T) {
	e := newEnv(t, envOpts{noV2: true})
	id := e.shipped("k", "R-1")
	if _, err := e.fake.ReceiveReturn(id, []shipstationtest.ShipItem{{LineItemKey: "li-1", Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	lbl := e.returnLabel("R-1", false)
	e.track(lbl.LabelID, "DE")
	evs, cursor, err := e.conn.Poll(context.Background(), "shipstation_poll", pollArgs(t, "delivered_returns"), connectors.Window{})
	if err != nil || len(evs) != 0 || cursor == "" {
		t.Fatalf("without a v2 key: %v, %q, %v", evs, cursor, err)
	}
	if n := e.fake.Stats().V2Calls; n != 0 {
		t.Errorf("%d v2 calls without a v2 key", n)
	}
	// The read still lists v1 return shipments.
	out, err := e.conn.Read(context.Background(), "list_return_labels", args(t, "list_return_labels", map[string]cty.Value{"orderId": cty.NumberIntVal(id)}))
	if err != nil || out.LengthInt() != 1 || !out.Index(cty.NumberIntVal(0)).GetAttr("labelId").IsNull() {
		t.Fatalf("v1 only: %v, %v", out, err)
	}
}

func TestListReturnLabels(t *testing.T) {
	for _, mirrored := range []bool{false, true} {
		e := newEnv(t, envOpts{fake: shipstationtest.Options{V2ReturnLabelsInV1: mirrored}})
		id := e.shipped("k", "R-1")
		other := e.shipped("k2", "R-2")
		// A v1 return (received in the UI), a v2 label by shipment_number
		// (delivered), one by rma_number (in transit), one voided and one
		// for another order.
		if _, err := e.fake.ReceiveReturn(id, []shipstationtest.ShipItem{{LineItemKey: "li-1", Quantity: 1}}); err != nil {
			t.Fatal(err)
		}
		byNumber := e.returnLabel("R-1", false, shipstationtest.V2ShipmentItem{Name: "Mug", ExternalOrderItemID: sku("li-1"), Quantity: 1})
		e.track(byNumber.LabelID, "DE")
		byRMA := e.returnLabel("R-1", true, shipstationtest.V2ShipmentItem{Name: "Mug", SKU: sku("MUG-BLK-12"), Quantity: 1},
			shipstationtest.V2ShipmentItem{Name: "Not ordered", SKU: sku("NOPE"), Quantity: 1})
		e.track(byRMA.LabelID, "IT")
		voided := e.returnLabel("R-1", false)
		if ok, _, err := e.fake.VoidV2Label(voided.LabelID); !ok || err != nil {
			t.Fatalf("void: %v %v", ok, err)
		}
		e.returnLabel("R-2", false)
		_ = other

		read := func(number string) cty.Value {
			t.Helper()
			a := map[string]cty.Value{"orderId": cty.NumberIntVal(id)}
			if number != "" {
				a["orderNumber"] = cty.StringVal(number)
			}
			out, err := e.conn.Read(context.Background(), "list_return_labels", args(t, "list_return_labels", a))
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		for _, number := range []string{"R-1", ""} {
			out := read(number)
			want := 3 // with V2ReturnLabelsInV1, v1 lists the two live v2 labels too: still three entries
			if out.LengthInt() != want {
				t.Fatalf("mirrored=%v: %d labels: %#v", mirrored, out.LengthInt(), out)
			}
			byID := map[string]cty.Value{}
			for _, v := range out.AsValueSlice() {
				if v.GetAttr("labelId").IsNull() {
					byID["v1"] = v
				} else {
					byID[v.GetAttr("labelId").AsString()] = v
				}
			}
			v1, n, r := byID["v1"], byID[byNumber.LabelID], byID[byRMA.LabelID]
			switch {
			case v1 == cty.NilVal || !v1.GetAttr("delivered").IsNull() || v1.GetAttr("shipmentId").IsNull():
				t.Errorf("mirrored=%v: v1 return = %#v", mirrored, v1)
			case n == cty.NilVal || !n.GetAttr("delivered").True() || n.GetAttr("items").Index(cty.NumberIntVal(0)).GetAttr("lineItemKey").AsString() != "li-1":
				t.Errorf("mirrored=%v: by shipment_number = %#v", mirrored, n)
			case r == cty.NilVal || r.GetAttr("delivered").True() || r.GetAttr("items").LengthInt() != 1 ||
				r.GetAttr("items").Index(cty.NumberIntVal(0)).GetAttr("lineItemKey").AsString() != "li-1" || r.GetAttr("rmaNumber").AsString() != "R-1":
				t.Errorf("mirrored=%v: by rma_number = %#v", mirrored, r)
			case mirrored == n.GetAttr("shipmentId").IsNull():
				t.Errorf("mirrored=%v: the v1 shipment of a v2 label: %#v", mirrored, n.GetAttr("shipmentId"))
			}
		}
	}
}
