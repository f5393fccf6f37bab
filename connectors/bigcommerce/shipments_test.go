package bigcommerce

import (
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

func shipItems(pairs ...int) cty.Value {
	var vals []cty.Value
	for i := 0; i < len(pairs); i += 2 {
		vals = append(vals, cty.ObjectVal(map[string]cty.Value{
			"order_product_id": cty.NumberIntVal(int64(pairs[i])), "quantity": cty.NumberIntVal(int64(pairs[i+1]))}))
	}
	return cty.ListVal(vals)
}

func TestCreateShipmentPlansNoopOnceItExists(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder() // one line of 2 units
	line := e.fake.OrderProducts(o.ID)[0]
	args := map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)), "tracking_number": cty.StringVal("9400111202555842761040"),
		"items": shipItems(line.ID, 1), "shipping_provider": cty.StringVal("usps"), "shipping_method": cty.StringVal("USPS Ground Advantage")}
	ch, out := e.write("create_shipment", args)
	if ch.Op != connectors.OpCreate {
		t.Fatalf("first plan = %s, want create", ch.Op)
	}
	ss := e.fake.Shipments(o.ID)
	if len(ss) != 1 || ss[0].OrderAddressID != line.OrderAddressID || ss[0].Items[0].Quantity != 1 {
		t.Fatalf("shipments = %+v", ss)
	}
	if num64(out.GetAttr("id")) != int64(ss[0].ID) || out.GetAttr("generated_tracking_link").AsString() == "" {
		t.Errorf("output = %#v", out)
	}
	if got, _ := e.fake.Order(o.ID); got.StatusID != 3 {
		t.Errorf("order status %d, want 3 (Partially Shipped)", got.StatusID)
	}
	// Planned again, as after a lost answer: the shipment is there.
	ch = e.plan("create_shipment", args)
	if ch.Op != connectors.OpNoop || num64(ch.Output.GetAttr("id")) != int64(ss[0].ID) {
		t.Fatalf("second plan = %s output %#v", ch.Op, ch.Output)
	}
	// The same tracking number with other items is another shipment.
	args["items"] = shipItems(line.ID, 1)
	args["tracking_number"] = cty.StringVal("9400111202555842761041")
	if ch := e.plan("create_shipment", args); ch.Op != connectors.OpCreate {
		t.Fatalf("plan for a new tracking number = %s", ch.Op)
	}

	list := e.read("list_shipments", map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID))})
	if list.LengthInt() != 1 {
		t.Fatalf("list_shipments = %#v", list)
	}
}

func TestDeleteShipmentByTrackingNumber(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder()
	line := e.fake.OrderProducts(o.ID)[0]
	e.write("create_shipment", map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)),
		"tracking_number": cty.StringVal("T1"), "items": shipItems(line.ID, 2)})
	args := map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)), "tracking_number": cty.StringVal("T1")}
	ch, out := e.write("delete_shipment", args)
	if ch.Op != connectors.OpDelete || out.GetAttr("deleted_ids").LengthInt() != 1 {
		t.Fatalf("plan %s output %#v", ch.Op, out)
	}
	if ss := e.fake.Shipments(o.ID); len(ss) != 0 {
		t.Fatalf("shipments left: %+v", ss)
	}
	if ch := e.plan("delete_shipment", args); ch.Op != connectors.OpNoop {
		t.Fatalf("second plan = %s, want noop", ch.Op)
	}
}
