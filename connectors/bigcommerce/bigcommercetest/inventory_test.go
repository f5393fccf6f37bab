package bigcommercetest

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

func TestInventoryAdjustments(t *testing.T) {
	s := newTestServer(t, Options{})
	var variantP, simpleP Product
	for _, p := range s.Products() {
		if p.InventoryTracking == "variant" && variantP.ID == 0 {
			variantP = p
		}
		if p.InventoryTracking == "product" && simpleP.ID == 0 {
			simpleP = p
		}
	}
	v := variantP.Variants[0]

	r := call(t, s, "PUT", "/v3/inventory/adjustments/absolute", map[string]any{"reason": "ShipStation sync", "items": []map[string]any{
		{"location_id": 1, "sku": v.SKU, "quantity": 40},
		{"location_id": 1, "product_id": simpleP.ID, "quantity": 12},
	}})
	wantStatus(t, r, http.StatusOK)
	checkShape(t, "adjustment", r.object(t), map[string]string{"transaction_id": "string"})
	if n, _ := s.Stock(v.SKU, 1); n != 40 {
		t.Errorf("absolute by sku: %d", n)
	}
	if n, _ := s.Stock(simpleP.SKU, 1); n != 12 {
		t.Errorf("absolute by product: %d", n)
	}

	r = call(t, s, "POST", "/v3/inventory/adjustments/relative", map[string]any{"items": []map[string]any{
		{"location_id": 1, "variant_id": v.ID, "quantity": -3}}})
	wantStatus(t, r, http.StatusOK)
	if n, _ := s.Stock(v.SKU, 1); n != 37 {
		t.Errorf("relative: %d", n)
	}

	problem := func(r response, wantTitle string) {
		t.Helper()
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("content type %q", ct)
		}
		m := r.object(t)
		checkShape(t, "problem", m, map[string]string{"status": "int", "title": "string", "type": "string", "errors": "object"})
		if wantTitle != "" && m["title"] != wantTitle {
			t.Errorf("title %q, want %q", m["title"], wantTitle)
		}
	}
	// Identity must match the tracking mode.
	problem(call(t, s, "PUT", "/v3/inventory/adjustments/absolute", map[string]any{"items": []map[string]any{
		{"location_id": 1, "product_id": variantP.ID, "quantity": 1}}}), "")
	multi := s.Products()
	var byProductMulti Product
	for _, p := range multi {
		if p.InventoryTracking == "variant" && p.ID != variantP.ID {
			byProductMulti = p
			break
		}
	}
	wantStatus(t, call(t, s, "PUT", fmt.Sprintf("/v3/catalog/products/%d", byProductMulti.ID), map[string]any{"inventory_tracking": "product"}), http.StatusOK)
	vid := byProductMulti.Variants[0].ID
	problem(call(t, s, "PUT", "/v3/inventory/adjustments/absolute", map[string]any{"items": []map[string]any{
		{"location_id": 1, "variant_id": vid, "quantity": 1}}}), fmt.Sprintf("[Item with variant_id %d is tracked by product, please update stock by product id]", vid))
	// Relative before any absolute at a location.
	problem(call(t, s, "POST", "/v3/inventory/adjustments/relative", map[string]any{"items": []map[string]any{
		{"location_id": 2, "product_id": simpleP.ID, "quantity": 5}}}), fmt.Sprintf("Items with identity: [product_id %d] requires absolute adjustment before relative", simpleP.ID))
	// Below zero, unknown location, two identifiers, negative absolute.
	problem(call(t, s, "POST", "/v3/inventory/adjustments/relative", map[string]any{"items": []map[string]any{
		{"location_id": 1, "variant_id": v.ID, "quantity": -1000}}}), "")
	problem(call(t, s, "PUT", "/v3/inventory/adjustments/absolute", map[string]any{"items": []map[string]any{
		{"location_id": 99, "variant_id": v.ID, "quantity": 1}}}), "")
	problem(call(t, s, "PUT", "/v3/inventory/adjustments/absolute", map[string]any{"items": []map[string]any{
		{"location_id": 1, "variant_id": v.ID, "sku": v.SKU, "quantity": 1}}}), "")
	problem(call(t, s, "PUT", "/v3/inventory/adjustments/absolute", map[string]any{"items": []map[string]any{
		{"location_id": 1, "variant_id": v.ID, "quantity": -1}}}), "")
	if n, _ := s.Stock(v.SKU, 1); n != 37 {
		t.Errorf("refused adjustments changed stock: %d", n)
	}
	// After an absolute at location 2, relative works there.
	wantStatus(t, call(t, s, "PUT", "/v3/inventory/adjustments/absolute", map[string]any{"items": []map[string]any{{"location_id": 2, "product_id": simpleP.ID, "quantity": 5}}}), http.StatusOK)
	wantStatus(t, call(t, s, "POST", "/v3/inventory/adjustments/relative", map[string]any{"items": []map[string]any{{"location_id": 2, "product_id": simpleP.ID, "quantity": 5}}}), http.StatusOK)
	if n, _ := s.Stock(simpleP.SKU, 2); n != 10 {
		t.Errorf("location 2 stock %d", n)
	}

	// Reads.
	r = call(t, s, "GET", "/v3/inventory/items?sku:in="+v.SKU, nil)
	wantStatus(t, r, http.StatusOK)
	items, _ := r.v3list(t)
	if len(items) != 1 {
		t.Fatalf("%d items", len(items))
	}
	checkShape(t, "item identity", items[0]["identity"].(map[string]any), map[string]string{"sku": "string", "variant_id": "int", "product_id": "int"})
	loc := items[0]["locations"].([]any)[0].(map[string]any)
	checkShape(t, "item location", loc, map[string]string{"location_id": "int", "location_code": "string", "location_name": "string",
		"available_to_sell": "int", "total_inventory_onhand": "int", "location_enabled": "bool", "settings": "object"})
	if loc["total_inventory_onhand"].(float64) != 37 {
		t.Errorf("onhand %v", loc["total_inventory_onhand"])
	}
	r = call(t, s, "PUT", "/v3/inventory/locations/1/items", map[string]any{"settings": []map[string]any{{"identity": map[string]any{"sku": v.SKU}, "safety_stock": 2, "bin_picking_number": "A-14"}}})
	wantStatus(t, r, http.StatusOK)
	r = call(t, s, "GET", fmt.Sprintf("/v3/inventory/locations/1/items?variant_id:in=%d", v.ID), nil)
	li, _ := r.v3list(t)
	if len(li) != 1 || li[0]["available_to_sell"].(float64) != 35 {
		t.Errorf("location items %v", li)
	}
	r = call(t, s, "GET", "/v3/inventory/locations", nil)
	locs, _ := r.v3list(t)
	checkShape(t, "location", locs[0], map[string]string{"id": "int", "code": "string", "label": "string", "type_id": "string", "enabled": "bool", "address": "object", "managed_by_external_source": "bool"})
	if locs[0]["id"].(float64) != 1 {
		t.Errorf("first location %v", locs[0]["id"])
	}

	// Bad content type on inventory is answered as a problem too.
	r = callWith(t, s, "PUT", s.APIBase()+"/v3/inventory/adjustments/absolute", `{"items":[]}`, map[string]string{"X-Auth-Token": "sandbox-token", "Content-Type": "text/plain"})
	wantStatus(t, r, http.StatusUnsupportedMediaType)
}

// The store's stock setting decides when an order takes its stock: when
// placed (the default), when it ships or completes, or never; the
// simulation route reads and changes it.
func TestStockUpdateSetting(t *testing.T) {
	for _, tc := range []struct {
		setting        StockUpdate
		placed, landed int // units taken after placing, after shipping
	}{
		{"", 3, 3},
		{StockOnOrderPlaced, 3, 3},
		{StockOnOrderCompletedOrShipped, 0, 3},
		{StockNever, 0, 0},
	} {
		t.Run(string(tc.setting)+"_", func(t *testing.T) {
			s := newTestServer(t, Options{})
			if tc.setting != "" {
				r := callWith(t, s, "POST", s.URL+"/_sim/inventory-settings", map[string]any{"update_stock_behavior": tc.setting}, nil)
				wantStatus(t, r, http.StatusOK)
				if got := r.object(t)["update_stock_behavior"]; got != string(tc.setting) {
					t.Fatalf("setting answered %v", got)
				}
			}
			in, variant, simple := sampleOrder(t, s)
			before := map[string]int{}
			for _, sku := range []string{variant.SKU, simple.SKU} {
				before[sku], _ = s.Stock(sku, 1)
			}
			taken := func() int {
				n := 0
				for sku, b := range before {
					now, _ := s.Stock(sku, 1)
					n += b - now
				}
				return n
			}
			r := call(t, s, "POST", "/v2/orders", in)
			wantStatus(t, r, http.StatusOK)
			id := int(r.object(t)["id"].(float64))
			if got := taken(); got != tc.placed {
				t.Fatalf("placing took %d units, want %d", got, tc.placed)
			}
			var items []map[string]any
			for _, l := range s.OrderProducts(id) {
				items = append(items, map[string]any{"order_product_id": l.ID, "quantity": l.Quantity})
			}
			addr := s.ShippingAddresses(id)[0].ID
			wantStatus(t, call(t, s, "POST", "/v2/orders/"+itoa(id)+"/shipments", map[string]any{
				"order_address_id": addr, "tracking_number": "1Z1", "shipping_provider": "ups", "items": items}), http.StatusCreated)
			// Completed after Shipped takes nothing more.
			wantStatus(t, call(t, s, "PUT", "/v2/orders/"+itoa(id), map[string]any{"status_id": StatusCompleted}), http.StatusOK)
			if got := taken(); got != tc.landed {
				t.Fatalf("after shipping and completing, %d units taken, want %d", got, tc.landed)
			}
		})
	}
	s := newTestServer(t, Options{})
	wantStatus(t, callWith(t, s, "POST", s.URL+"/_sim/inventory-settings", map[string]any{"update_stock_behavior": "sometimes"}, nil), http.StatusBadRequest)
	r := callWith(t, s, "GET", s.URL+"/_sim/inventory-settings", nil, nil)
	wantStatus(t, r, http.StatusOK)
	if got := r.object(t)["update_stock_behavior"]; got != string(StockOnOrderPlaced) {
		t.Fatalf("default setting %v", got)
	}
}

// StockWasOut tells whether a level was 0 at some time from a moment on:
// at that moment, or later.
func TestStockWasOut(t *testing.T) {
	clock := &fakekit.Clock{}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock.Set(t0)
	s := newTestServer(t, Options{Clock: clock})
	_, _, simple := sampleOrder(t, s)
	set := func(n int) {
		wantStatus(t, call(t, s, "PUT", "/v3/inventory/adjustments/absolute", map[string]any{"reason": "count",
			"items": []map[string]any{{"location_id": 1, "sku": simple.SKU, "quantity": n}}}), http.StatusOK)
	}
	if s.StockWasOut(simple.SKU, 1, t0) {
		t.Fatal("seeded stock was never out")
	}
	clock.Advance(time.Minute)
	set(0)
	clock.Advance(time.Minute)
	if !s.StockWasOut(simple.SKU, 1, t0) || !s.StockWasOut(simple.SKU, 1, t0.Add(90*time.Second)) {
		t.Fatal("out since a minute ago, and still")
	}
	set(5)
	clock.Advance(time.Minute)
	if !s.StockWasOut(simple.SKU, 1, t0.Add(90*time.Second)) {
		t.Fatal("it was out until the restock")
	}
	if s.StockWasOut(simple.SKU, 1, clock.Now()) {
		t.Fatal("restocked: not out now")
	}
}
