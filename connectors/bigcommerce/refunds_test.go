package bigcommerce

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
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

// A refund the payment provider declines is a permanent failure carrying
// the provider's message. It is never sent again: a later apply of the same
// items fails with the message at once. A refund made by hand is found.
func TestDeclinedRefundFailsForGood(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder()
	line := e.fake.OrderProducts(o.ID)[0]
	item := map[string]cty.Value{"item_type": cty.StringVal("PRODUCT"), "item_id": cty.NumberIntVal(int64(line.ID)), "quantity": cty.NumberIntVal(2)}
	args := map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)), "items": refundItemsVal(item)}
	e.fake.DeclineRefunds(o.ID, bigcommercetest.RefundDecline{Message: "Card issuer refused"})
	apply := func() error {
		ch := e.plan("create_refund", args)
		if ch.Op != connectors.OpCreate {
			t.Fatalf("plan = %s", ch.Op)
		}
		_, err := e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: "create_refund",
			Args: argsVal(t, "create_refund", args), Change: ch, Key: "k"})
		return err
	}

	err := apply()
	want := "bigcommerce: refund for order 100 declined: Card issuer refused"
	if !connectors.IsPermanent(err) || err.Error() != want {
		t.Fatalf("apply: %v (permanent %v), want %q", err, connectors.IsPermanent(err), want)
	}
	after, _ := e.fake.Order(o.ID)
	if after.StatusID != o.StatusID || e.fake.OrderProducts(o.ID)[0].QuantityRefunded != 0 {
		t.Errorf("declined refund changed the order: status %d", after.StatusID)
	}

	// Again, after the provider would accept it: nothing is sent.
	e.fake.AllowRefunds(o.ID)
	e.rec.reset()
	err = apply()
	if !connectors.IsPermanent(err) || err.Error() != want+" (refund 1; a declined refund is not sent again)" {
		t.Fatalf("second apply: %v", err)
	}
	if n := e.rec.count("POST /v3/orders/100/payment_actions/refunds"); n != 0 {
		t.Errorf("%d refunds sent again", n)
	}

	// A person refunds the items by hand (offline, in the control panel):
	// the plan finds that refund and builds on it.
	body := fmt.Sprintf(`{"items":[{"item_type":"PRODUCT","item_id":%d,"quantity":2}],"payments":[{"provider_id":"custom","amount":25,"offline":true}]}`, line.ID)
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/v3/orders/%d/payment_actions/refunds", e.fake.APIBase(), o.ID), strings.NewReader(body))
	req.Header.Set("X-Auth-Token", e.fake.Options().AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("refund by hand: %d", resp.StatusCode)
	}
	ch := e.plan("create_refund", args)
	if ch.Op != connectors.OpNoop || ch.Output.GetAttr("payments").Index(cty.NumberIntVal(0)).GetAttr("is_declined").True() {
		t.Fatalf("plan after a refund by hand = %s %#v", ch.Op, ch.Output)
	}
}

// Refused outright (a 422 naming the reason): permanent, with the message.
func TestRefundRefusedWithAnErrorIsPermanent(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder()
	e.fake.DeclineRefunds(0, bigcommercetest.RefundDecline{Message: "Gateway refused the refund", Status: 422})
	line := e.fake.OrderProducts(o.ID)[0]
	item := map[string]cty.Value{"item_type": cty.StringVal("PRODUCT"), "item_id": cty.NumberIntVal(int64(line.ID)), "quantity": cty.NumberIntVal(1)}
	args := map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)), "items": refundItemsVal(item)}
	ch := e.plan("create_refund", args)
	_, err := e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: "create_refund",
		Args: argsVal(t, "create_refund", args), Change: ch, Key: "k"})
	if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "422 Gateway refused the refund") {
		t.Fatalf("apply: %v", err)
	}
	if n := e.rec.count("POST /v3/orders/100/payment_actions/refunds"); n != 1 {
		t.Errorf("refund sent %d times, want once", n)
	}
	if rs := e.fake.Refunds(o.ID); len(rs) != 0 {
		t.Errorf("refunds = %+v", rs)
	}
}
