package bigcommerce

import (
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

func refundItemsVal(items ...map[string]cty.Value) cty.Value {
	var vals []cty.Value
	for _, it := range items {
		vals = append(vals, cty.ObjectVal(it))
	}
	return cty.TupleVal(vals)
}

func TestRefundQuoteAndCreateRefundOnce(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder() // 2 x 12.50
	line := e.fake.OrderProducts(o.ID)[0]
	item := map[string]cty.Value{"item_type": cty.StringVal("PRODUCT"), "item_id": cty.NumberIntVal(int64(line.ID)), "quantity": cty.NumberIntVal(1)}
	q := e.read("refund_quote", map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)), "items": refundItemsVal(item)})
	if !q.GetAttr("total_refund_amount").RawEquals(cty.MustParseNumberVal("12.5")) {
		t.Fatalf("quote total = %#v", q.GetAttr("total_refund_amount"))
	}
	methods := q.GetAttr("refund_methods")
	if methods.LengthInt() == 0 {
		t.Fatal("no refund methods")
	}

	args := map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)), "items": refundItemsVal(item), "reason": cty.StringVal("Damaged")}
	ch, out := e.write("create_refund", args)
	if ch.Op != connectors.OpCreate {
		t.Fatalf("first plan = %s", ch.Op)
	}
	rs := e.fake.Refunds(o.ID)
	if len(rs) != 1 || rs[0].TotalAmount.String() != "12.5" || rs[0].Reason != "Damaged" {
		t.Fatalf("refunds = %+v", rs)
	}
	if num64(out.GetAttr("id")) != int64(rs[0].ID) || out.GetAttr("payments").LengthInt() != 1 {
		t.Fatalf("output = %#v", out)
	}
	// Refunds are not idempotent: the plan reads them and refunds once.
	ch = e.plan("create_refund", args)
	if ch.Op != connectors.OpNoop || num64(ch.Output.GetAttr("id")) != int64(rs[0].ID) {
		t.Fatalf("second plan = %s", ch.Op)
	}

	// Other items are another refund, paid as told.
	ship := map[string]cty.Value{"item_type": cty.StringVal("PRODUCT"), "item_id": cty.NumberIntVal(int64(line.ID)), "quantity": cty.NumberIntVal(1)}
	args = map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)), "items": refundItemsVal(ship, ship),
		"payments": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"provider_id": cty.StringVal("custom"),
			"amount": cty.MustParseNumberVal("0.5"), "offline": cty.True})})}
	if ch := e.plan("create_refund", args); ch.Op != connectors.OpCreate {
		t.Fatalf("plan for other items = %s", ch.Op)
	}
}

func TestSameRefundComparesItemsAsMultisets(t *testing.T) {
	q := func(n int64) *int64 { return &n }
	a := []refundItem{{ItemType: "PRODUCT", ItemID: 1, Quantity: q(1)}, {ItemType: "PRODUCT", ItemID: 2, Quantity: q(2)}}
	b := []refundItem{{ItemType: "PRODUCT", ItemID: 2, Quantity: q(2)}, {ItemType: "PRODUCT", ItemID: 1, Quantity: q(1)}}
	if !sameRefund(a, b) {
		t.Error("order of items matters")
	}
	if sameRefund(a, b[:1]) || sameRefund(a, []refundItem{{ItemType: "PRODUCT", ItemID: 1, Quantity: q(2)}, b[0]}) {
		t.Error("different items compared equal")
	}
}
