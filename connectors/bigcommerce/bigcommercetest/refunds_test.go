package bigcommercetest

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestRefundQuoteAndRefunds(t *testing.T) {
	s := newTestServer(t, Options{})
	in, variant, simple := sampleOrder(t, s)
	in.CustomerID = 0 // guest
	o, err := s.PlaceOrder(in)
	if err != nil {
		t.Fatal(err)
	}
	lines := s.OrderProducts(o.ID)
	addr := s.ShippingAddresses(o.ID)[0].ID
	stockBefore, _ := s.Stock(variant.SKU, 1)

	// Quote one unit of the variant line plus the shipping.
	items := []map[string]any{{"item_type": "PRODUCT", "item_id": lines[0].ID, "quantity": 1, "reason": "Damaged in transit"},
		{"item_type": "SHIPPING", "item_id": addr, "amount": 9.95}}
	r := call(t, s, "POST", fmt.Sprintf("/v3/orders/%d/payment_actions/refund_quotes", o.ID), map[string]any{"items": items})
	wantStatus(t, r, http.StatusCreated)
	q := r.v3data(t)
	checkShape(t, "refund quote", q, map[string]string{"order_id": "int", "total_refund_amount": "number", "total_refund_tax_amount": "number",
		"order_level_refund_amount": "number", "rounding": "number", "adjustment": "number", "tax_inclusive": "bool", "refund_methods": "array"})
	want := lines[0].PriceIncTax.Add(MoneyOf("9.95").Decimal)
	if got := q["total_refund_amount"].(float64); fmt.Sprintf("%.2f", got) != want.StringFixed(2) {
		t.Errorf("total_refund_amount %v, want %s", got, want.StringFixed(2))
	}
	method := q["refund_methods"].([]any)[0].([]any)[0].(map[string]any)
	checkShape(t, "refund method", method, map[string]string{"provider_id": "string", "provider_description": "string", "amount": "number", "offline": "bool"})
	provider := method["provider_id"].(string)

	refundsPath := fmt.Sprintf("/v3/orders/%d/payment_actions/refunds", o.ID)
	// Payments that do not add up, and store credit for a guest, are refused in the documented {data:[...]} form.
	r = call(t, s, "POST", refundsPath, map[string]any{"items": items, "payments": []map[string]any{{"provider_id": provider, "amount": 1, "offline": false}}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	var wrapped struct {
		Data []map[string]any `json:"data"`
	}
	r.json(t, &wrapped)
	if len(wrapped.Data) != 1 {
		t.Fatalf("422 body %s", r.body)
	}
	checkShape(t, "refund 422", wrapped.Data[0], map[string]string{"status": "int", "title": "string", "type": "string"})
	r = call(t, s, "POST", refundsPath, map[string]any{"items": items, "payments": []map[string]any{{"provider_id": "storecredit", "amount": q["total_refund_amount"], "offline": false}}})
	wantStatus(t, r, http.StatusUnprocessableEntity)

	r = call(t, s, "POST", refundsPath, map[string]any{"items": items, "payments": []map[string]any{{"provider_id": provider, "amount": q["total_refund_amount"], "offline": false}}})
	wantStatus(t, r, http.StatusCreated)
	rf := r.v3data(t)
	checkShape(t, "refund", rf, map[string]string{"id": "int", "order_id": "int", "user_id": "int", "created": "iso", "reason": "string",
		"total_amount": "number", "total_tax": "number", "uses_merchant_override_values": "bool", "items": "array", "payments": "array"})
	checkShape(t, "refund payment", rf["payments"].([]any)[0].(map[string]any), map[string]string{"id": "int", "provider_id": "string", "amount": "number", "offline": "bool", "is_declined": "bool", "declined_message": "string"})

	after, _ := s.Order(o.ID)
	if after.StatusID != StatusPartiallyRefunded || after.PaymentStatus != "partially refunded" {
		t.Errorf("after partial refund: status %d payment %q", after.StatusID, after.PaymentStatus)
	}
	if l := s.OrderProducts(o.ID)[0]; l.QuantityRefunded != 1 || l.IsRefunded {
		t.Errorf("line after refund: refunded %d is_refunded %v", l.QuantityRefunded, l.IsRefunded)
	}
	if now, _ := s.Stock(variant.SKU, 1); now != stockBefore {
		t.Errorf("refund restocked: %d -> %d", stockBefore, now)
	}

	// Over-refunds are refused: more units than bought, more shipping than charged.
	for _, bad := range []map[string]any{
		{"item_type": "PRODUCT", "item_id": lines[0].ID, "quantity": 2},
		{"item_type": "SHIPPING", "item_id": addr, "amount": 0.01},
		{"item_type": "PRODUCT", "item_id": 999999, "quantity": 1},
	} {
		r = call(t, s, "POST", fmt.Sprintf("/v3/orders/%d/payment_actions/refund_quotes", o.ID), map[string]any{"items": []any{bad}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		checkShape(t, "quote 422", r.object(t), map[string]string{"status": "int", "title": "string", "type": "string", "errors": "object"})
	}

	// Refund the rest: Refunded.
	rest := []map[string]any{{"item_type": "PRODUCT", "item_id": lines[0].ID, "quantity": 1}, {"item_type": "PRODUCT", "item_id": lines[1].ID, "quantity": 1}}
	amount := lines[0].PriceIncTax.Add(lines[1].PriceIncTax.Decimal).InexactFloat64()
	r = call(t, s, "POST", refundsPath, map[string]any{"items": rest, "payments": []map[string]any{{"provider_id": "custom", "amount": amount, "offline": true}}})
	wantStatus(t, r, http.StatusCreated)
	after, _ = s.Order(o.ID)
	if after.StatusID != StatusRefunded {
		t.Errorf("after full refund: status %d", after.StatusID)
	}
	_ = simple

	// Reads: per order, across orders with filters, by id.
	r = call(t, s, "GET", refundsPath, nil)
	wantStatus(t, r, http.StatusOK)
	var list struct {
		Data []map[string]any `json:"data"`
	}
	r.json(t, &list)
	if len(list.Data) != 2 {
		t.Errorf("%d refunds for the order", len(list.Data))
	}
	all, meta := call(t, s, "GET", fmt.Sprintf("/v3/orders/payment_actions/refunds?order_id:in=%d", o.ID), nil).v3list(t)
	if len(all) != 2 || meta["pagination"] == nil {
		t.Errorf("all refunds: %d", len(all))
	}
	none, _ := call(t, s, "GET", "/v3/orders/payment_actions/refunds?created:min="+time.Now().Add(time.Hour).UTC().Format(time.RFC3339), nil).v3list(t)
	if len(none) != 0 {
		t.Errorf("created:min in the future gave %d", len(none))
	}
	wantStatus(t, call(t, s, "GET", fmt.Sprintf("/v3/orders/payment_actions/refunds/%v", rf["id"]), nil), http.StatusOK)
	wantStatus(t, call(t, s, "GET", "/v3/orders/payment_actions/refunds/999999", nil), http.StatusNotFound)
}

func TestRefundsAreSequential(t *testing.T) {
	clock := &Clock{}
	clock.Set(time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC))
	s := newTestServer(t, Options{Clock: clock, RefundBusyFor: time.Minute})
	id, lines := createOrder(t, s)
	path := fmt.Sprintf("/v3/orders/%d/payment_actions/refunds", id)
	refund := func() response {
		return call(t, s, "POST", path, map[string]any{
			"items":    []map[string]any{{"item_type": "PRODUCT", "item_id": lines[0].ID, "quantity": 1}},
			"payments": []map[string]any{{"provider_id": "custom", "amount": lines[0].PriceIncTax.InexactFloat64(), "offline": true}}})
	}
	wantStatus(t, refund(), http.StatusCreated)
	wantStatus(t, refund(), http.StatusUnprocessableEntity) // the first is still being paid
	clock.Advance(2 * time.Minute)
	wantStatus(t, refund(), http.StatusCreated)
}

func TestDeclinedRefunds(t *testing.T) {
	s := newTestServer(t, Options{})
	in, _, _ := sampleOrder(t, s)
	place := func() (Order, []OrderProduct) {
		o, err := s.PlaceOrder(in) // paid through the test gateway
		if err != nil {
			t.Fatal(err)
		}
		return o, s.OrderProducts(o.ID)
	}
	refund := func(o Order, l OrderProduct, provider string, offline bool) response {
		return call(t, s, "POST", fmt.Sprintf("/v3/orders/%d/payment_actions/refunds", o.ID), map[string]any{
			"items":    []map[string]any{{"item_type": "PRODUCT", "item_id": l.ID, "quantity": 1}},
			"payments": []map[string]any{{"provider_id": provider, "amount": l.PriceIncTax.InexactFloat64(), "offline": offline}}})
	}
	unchanged := func(o Order) {
		t.Helper()
		after, _ := s.Order(o.ID)
		if after.StatusID != o.StatusID || after.PaymentStatus != o.PaymentStatus {
			t.Errorf("order %d after a declined refund: status %d %q, was %d %q", o.ID, after.StatusID, after.PaymentStatus, o.StatusID, o.PaymentStatus)
		}
		for _, l := range s.OrderProducts(o.ID) {
			if l.QuantityRefunded != 0 || l.IsRefunded {
				t.Errorf("line %d after a declined refund: refunded %d", l.ID, l.QuantityRefunded)
			}
		}
	}

	// Go: one order's gateway refunds are declined; the refund is recorded
	// with its payment declined, and nothing else changes.
	o, lines := place()
	other, otherLines := place()
	provider := call(t, s, "POST", fmt.Sprintf("/v3/orders/%d/payment_actions/refund_quotes", o.ID), map[string]any{
		"items": []map[string]any{{"item_type": "PRODUCT", "item_id": lines[0].ID, "quantity": 1}}}).v3data(t)["refund_methods"].([]any)[0].([]any)[0].(map[string]any)["provider_id"].(string)
	s.DeclineRefunds(o.ID, RefundDecline{Message: "Card issuer refused"})
	r := refund(o, lines[0], provider, false)
	wantStatus(t, r, http.StatusCreated)
	p := r.v3data(t)["payments"].([]any)[0].(map[string]any)
	if p["is_declined"] != true || p["declined_message"] != "Card issuer refused" {
		t.Errorf("declined payment = %v", p)
	}
	unchanged(o)
	if rs := s.Refunds(o.ID); len(rs) != 1 || !rs[0].Payments[0].IsDeclined {
		t.Errorf("refunds listed = %+v", rs)
	}
	// Nothing was taken: the whole line can still be refunded, offline
	// (never declined) ...
	wantStatus(t, call(t, s, "POST", fmt.Sprintf("/v3/orders/%d/payment_actions/refund_quotes", o.ID), map[string]any{
		"items": []map[string]any{{"item_type": "PRODUCT", "item_id": lines[0].ID, "quantity": lines[0].Quantity}}}), http.StatusCreated)
	wantStatus(t, refund(o, lines[0], "custom", true), http.StatusCreated)
	if after, _ := s.Order(o.ID); after.StatusID != StatusPartiallyRefunded {
		t.Errorf("after the offline refund: status %d", after.StatusID)
	}
	// ... and other orders are not concerned.
	wantStatus(t, refund(other, otherLines[0], provider, false), http.StatusCreated)
	if rs := s.Refunds(other.ID); len(rs) != 1 || rs[0].Payments[0].IsDeclined {
		t.Errorf("other order's refund = %+v", rs)
	}
	s.AllowRefunds(o.ID)
	r = refund(o, lines[0], provider, false)
	wantStatus(t, r, http.StatusCreated)
	if p := r.v3data(t)["payments"].([]any)[0].(map[string]any); p["is_declined"] != false {
		t.Errorf("after AllowRefunds: %v", p)
	}

	// HTTP: every order's refunds refused with a 422, nothing recorded.
	third, thirdLines := place()
	sim := func(method, path string, body any) response {
		return callWith(t, s, method, s.URL+path, body, nil)
	}
	wantStatus(t, sim("POST", "/_sim/refund-declines", map[string]any{"message": "Gateway refused the refund", "status": 422}), http.StatusOK)
	r = refund(third, thirdLines[0], provider, false)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	var wrapped struct {
		Data []map[string]any `json:"data"`
	}
	r.json(t, &wrapped)
	if len(wrapped.Data) != 1 || wrapped.Data[0]["title"] != "Gateway refused the refund" || wrapped.Data[0]["status"] != 422.0 {
		t.Errorf("422 body %s", r.body)
	}
	unchanged(third)
	if rs := s.Refunds(third.ID); len(rs) != 0 {
		t.Errorf("a refused request recorded %+v", rs)
	}
	// A rule for one order wins over the one for every order.
	wantStatus(t, sim("POST", fmt.Sprintf("/_sim/orders/%d/refund-declines", third.ID), map[string]any{}), http.StatusOK)
	rules := sim("GET", "/_sim/refund-declines", nil).array(t)
	if len(rules) != 2 || rules[0]["order_id"] != 0.0 || rules[1]["order_id"] != float64(third.ID) {
		t.Errorf("rules = %v", rules)
	}
	r = refund(third, thirdLines[0], provider, false)
	wantStatus(t, r, http.StatusCreated)
	if p := r.v3data(t)["payments"].([]any)[0].(map[string]any); p["declined_message"] != "The payment provider declined the refund." {
		t.Errorf("default message: %v", p)
	}
	wantStatus(t, sim("DELETE", fmt.Sprintf("/_sim/orders/%d/refund-declines", third.ID), nil), http.StatusOK)
	wantStatus(t, sim("DELETE", "/_sim/refund-declines", nil), http.StatusOK)
	wantStatus(t, refund(third, thirdLines[0], provider, false), http.StatusCreated)
	if after, _ := s.Order(third.ID); after.StatusID != StatusPartiallyRefunded {
		t.Errorf("after the rules were lifted: status %d", after.StatusID)
	}
	wantStatus(t, sim("POST", "/_sim/orders/999999/refund-declines", map[string]any{}), http.StatusNotFound)
	wantStatus(t, sim("POST", "/_sim/refund-declines", map[string]any{"status": 200}), http.StatusUnprocessableEntity)
}
