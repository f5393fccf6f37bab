package bigcommerce

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
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
	refundByHand(t, e, o.ID, fmt.Sprintf(`{"items":[{"item_type":"PRODUCT","item_id":%d,"quantity":2}],"payments":[{"provider_id":"custom","amount":25,"offline":true}]}`, line.ID))
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

// refundByHand refunds items of an order as a person does in the control
// panel: offline, with no reference.
func refundByHand(t *testing.T, e *env, orderID int, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/v3/orders/%d/payment_actions/refunds", e.fake.APIBase(), orderID), strings.NewReader(body))
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
}

func refundArgs(orderID, lineID, quantity int, ref string) map[string]cty.Value {
	item := map[string]cty.Value{"item_type": cty.StringVal("PRODUCT"), "item_id": cty.NumberIntVal(int64(lineID)),
		"quantity": cty.NumberIntVal(int64(quantity)), "reason": cty.StringVal("Returned")}
	args := map[string]cty.Value{"order_id": cty.NumberIntVal(int64(orderID)), "items": refundItemsVal(item)}
	if ref != "" {
		args["reference"] = cty.StringVal(ref)
	}
	return args
}

// A reference tells apart refunds of the same items made at different
// times (two parcels of one unit each): each is made once, its reasons name
// it, and a refund naming it is that refund whatever its items.
func TestRefundReferenceTellsRefundsOfTheSameItemsApart(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder() // 2 x 12.50
	line := e.fake.OrderProducts(o.ID)[0].ID

	_, a := e.write("create_refund", refundArgs(o.ID, line, 1, "1Z0001"))
	if got := a.GetAttr("reference").AsString(); got != "1Z0001" {
		t.Errorf("reference = %q", got)
	}
	rs := e.fake.Refunds(o.ID)
	if len(rs) != 1 || rs[0].Reason != "Returned [1Z0001]" || rs[0].Items[0].Reason != "Returned [1Z0001]" {
		t.Fatalf("refunds = %+v", rs)
	}
	if ch := e.plan("create_refund", refundArgs(o.ID, line, 1, "1Z0001")); ch.Op != connectors.OpNoop {
		t.Fatalf("plan of the same parcel = %s", ch.Op)
	}
	// The same items for another parcel: another refund.
	if ch := e.plan("create_refund", refundArgs(o.ID, line, 1, "1Z0002")); ch.Op != connectors.OpCreate {
		t.Fatalf("plan of the second parcel = %s", ch.Op)
	}
	_, b := e.write("create_refund", refundArgs(o.ID, line, 1, "1Z0002"))
	if num64(b.GetAttr("id")) == num64(a.GetAttr("id")) {
		t.Fatal("the second parcel got the first's refund")
	}
	// Each parcel finds its own refund, whatever the items asked now.
	for ref, want := range map[string]cty.Value{"1Z0001": a, "1Z0002": b} {
		ch := e.plan("create_refund", refundArgs(o.ID, line, 2, ref))
		if ch.Op != connectors.OpNoop || num64(ch.Output.GetAttr("id")) != num64(want.GetAttr("id")) {
			t.Errorf("plan of %s with other items = %s", ref, ch.Op)
		}
	}
	// Without a reference, a refund of the same items is found, as before.
	if ch := e.plan("create_refund", refundArgs(o.ID, line, 1, "")); ch.Op != connectors.OpNoop {
		t.Errorf("plan without a reference = %s", ch.Op)
	}

	list := e.read("list_refunds", map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID))})
	if list.LengthInt() != 2 {
		t.Fatalf("list_refunds = %#v", list)
	}
	for i, ref := range []string{"1Z0001", "1Z0002"} {
		r := list.Index(cty.NumberIntVal(int64(i)))
		if r.GetAttr("reference").AsString() != ref || r.GetAttr("declined").True() {
			t.Errorf("refund %d = %#v", i, r)
		}
	}
	if n := len(e.fake.Refunds(o.ID)); n != 2 {
		t.Errorf("%d refunds, want 2", n)
	}
}

func TestRefundReferenceIsChecked(t *testing.T) {
	e := newEnv(t, envConfig{})
	for _, ref := range []string{"a[b", "a]", strings.Repeat("x", 101)} {
		_, err := e.conn.PlanWrite(context.Background(), "create_refund", argsVal(t, "create_refund", refundArgs(100, 1, 1, ref)))
		if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "reference") {
			t.Errorf("reference %q: %v", ref, err)
		}
	}
}

func TestReferenceOf(t *testing.T) {
	for reason, want := range map[string]string{
		"Returned [1Z0001]": "1Z0001", "[ 1Z0001 ]": "1Z0001", "Returned": "", "Returned [": "",
		"Returned [a] [b]": "b", "Card refused; refunded by bank transfer": "",
	} {
		if got := referenceOf(reason); got != want {
			t.Errorf("referenceOf(%q) = %q, want %q", reason, got, want)
		}
	}
}

// Declined refunds of two parcels with the same items are never sent
// again; refunds a person makes by hand for them (no reference) settle
// them one each, oldest first.
func TestDeclinedReferencedRefundsAreSettledByHandOneEach(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder()
	line := e.fake.OrderProducts(o.ID)[0].ID
	e.fake.DeclineRefunds(o.ID, bigcommercetest.RefundDecline{Message: "Card issuer refused"})
	apply := func(ref string) (cty.Value, error) {
		args := refundArgs(o.ID, line, 1, ref)
		ch := e.plan("create_refund", args)
		if ch.Op == connectors.OpNoop {
			return ch.Output, nil
		}
		return e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: "create_refund",
			Args: argsVal(t, "create_refund", args), Change: ch, Key: "k"})
	}
	for _, ref := range []string{"1Z0001", "1Z0002"} {
		if _, err := apply(ref); !connectors.IsPermanent(err) || !strings.HasSuffix(err.Error(), "declined: Card issuer refused") {
			t.Fatalf("%s: %v", ref, err)
		}
	}
	e.fake.AllowRefunds(o.ID)
	e.rec.reset()
	for _, ref := range []string{"1Z0001", "1Z0002"} {
		if _, err := apply(ref); !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "a declined refund is not sent again") {
			t.Fatalf("%s again: %v", ref, err)
		}
	}
	if n := e.rec.count("POST /v3/orders/100/payment_actions/refunds"); n != 0 {
		t.Errorf("%d refunds sent again", n)
	}

	hand := fmt.Sprintf(`{"items":[{"item_type":"PRODUCT","item_id":%d,"quantity":1,"reason":"Refunded by bank transfer"}],"payments":[{"provider_id":"custom","amount":12.5,"offline":true}]}`, line)
	refundByHand(t, e, o.ID, hand)
	first, err := apply("1Z0001")
	if err != nil || first.GetAttr("reason").AsString() != "Refunded by bank transfer" {
		t.Fatalf("first parcel after a refund by hand: %v %#v", err, first)
	}
	if _, err := apply("1Z0002"); err == nil || !strings.Contains(err.Error(), "not sent again") {
		t.Fatalf("second parcel took the first's refund by hand: %v", err)
	}
	refundByHand(t, e, o.ID, hand)
	second, err := apply("1Z0002")
	if err != nil || num64(second.GetAttr("id")) == num64(first.GetAttr("id")) {
		t.Fatalf("second parcel after a second refund by hand: %v %#v", err, second)
	}
	if n := e.rec.count("POST /v3/orders/100/payment_actions/refunds"); n != 0 {
		t.Errorf("%d refunds sent", n)
	}
}

// A declined refund made without a reference (before references were
// given) stands for a referenced refund of the same items: not sent again.
func TestDeclinedRefundWithoutAReferenceIsNotSentAgainWithOne(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder()
	line := e.fake.OrderProducts(o.ID)[0].ID
	e.fake.DeclineRefunds(o.ID, bigcommercetest.RefundDecline{Message: "Card issuer refused"})
	args := refundArgs(o.ID, line, 2, "")
	ch := e.plan("create_refund", args)
	if _, err := e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: "create_refund",
		Args: argsVal(t, "create_refund", args), Change: ch, Key: "k"}); !connectors.IsPermanent(err) {
		t.Fatalf("apply: %v", err)
	}
	e.fake.AllowRefunds(o.ID)
	args = refundArgs(o.ID, line, 2, "1Z0001")
	ch = e.plan("create_refund", args)
	_, err := e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: "create_refund",
		Args: argsVal(t, "create_refund", args), Change: ch, Key: "k"})
	if err == nil || !strings.Contains(err.Error(), "not sent again") {
		t.Fatalf("apply with a reference: %v", err)
	}
	// Other items for that reference are a refund of their own.
	if ch := e.plan("create_refund", refundArgs(o.ID, line, 1, "1Z0001")); ch.Op != connectors.OpCreate {
		t.Errorf("plan of other items = %s", ch.Op)
	}
}

// Applies of one order's refunds wait for each other: two at once for the
// same reference (with different items, so different writes to the
// engine) make one refund.
func TestRefundsOfOneOrderAreSentOneAtATime(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder()
	line := e.fake.OrderProducts(o.ID)[0].ID
	var plans []connectors.Change
	argsOf := []map[string]cty.Value{refundArgs(o.ID, line, 1, "1Z0001"), refundArgs(o.ID, line, 2, "1Z0001")}
	for _, a := range argsOf {
		plans = append(plans, e.plan("create_refund", a))
	}
	var wg sync.WaitGroup
	outs := make([]cty.Value, 2)
	errs := make([]error, 2)
	for i := range argsOf {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: "create_refund",
				Args: argsVal(t, "create_refund", argsOf[i]), Change: plans[i], Key: fmt.Sprint("k", i)})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if rs := e.fake.Refunds(o.ID); len(rs) != 1 {
		t.Fatalf("%d refunds, want 1", len(rs))
	}
	if num64(outs[0].GetAttr("id")) != num64(outs[1].GetAttr("id")) {
		t.Error("the applies answered different refunds")
	}
	if len(refundLocks.m) != 0 {
		t.Errorf("%d order locks left", len(refundLocks.m))
	}
}

// A refund a person made by hand for the same items, naming no reference,
// stands for a referenced refund that none names: not made twice.
func TestRefundMadeByHandIsFoundForAReference(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder()
	line := e.fake.OrderProducts(o.ID)[0].ID
	refundByHand(t, e, o.ID, fmt.Sprintf(`{"items":[{"item_type":"PRODUCT","item_id":%d,"quantity":1,"reason":"Customer called"}],"payments":[{"provider_id":"custom","amount":12.5,"offline":true}]}`, line))
	ch := e.plan("create_refund", refundArgs(o.ID, line, 1, "1Z0001"))
	if ch.Op != connectors.OpNoop || ch.Output.GetAttr("reason").AsString() != "Customer called" {
		t.Fatalf("plan = %s %#v", ch.Op, ch.Output)
	}
	// Other items, or a refund by hand naming another parcel, are not it.
	if ch := e.plan("create_refund", refundArgs(o.ID, line, 2, "1Z0001")); ch.Op != connectors.OpCreate {
		t.Errorf("plan of other items = %s", ch.Op)
	}
	refundByHand(t, e, o.ID, fmt.Sprintf(`{"items":[{"item_type":"PRODUCT","item_id":%d,"quantity":1,"reason":"Refunded [1Z0003]"}],"payments":[{"provider_id":"custom","amount":12.5,"offline":true}]}`, line))
	if ch := e.plan("create_refund", refundArgs(o.ID, line, 1, "1Z0003")); ch.Op != connectors.OpNoop || ch.Output.GetAttr("reason").AsString() != "Refunded [1Z0003]" {
		t.Errorf("plan of the parcel named by hand = %s", ch.Op)
	}
}
