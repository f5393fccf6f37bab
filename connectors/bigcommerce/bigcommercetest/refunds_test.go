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
