package shipstationtest

import (
	"strings"
	"testing"
	"time"
)

func TestV2Inventory(t *testing.T) {
	s := newTestServer(t, Options{})
	createOrder(t, s, orderJSON("k", "N", line("l1", "MUG", 1, 10), line("l2", "PLATE", 1, 10)))
	locs := mustStatus(t, api(t, s, "GET", "/v2/inventory_locations", nil), 200).json(t)
	list := locs["inventory_locations"].([]any)
	if len(list) != 2 {
		t.Fatalf("locations = %v", locs)
	}
	loc1 := list[0].(map[string]any)
	loc2 := list[1].(map[string]any)["inventory_location_id"].(string)
	if !strings.HasPrefix(loc1["inventory_location_id"].(string), "se-") || loc1["inventory_warehouse_id"] == nil || !strings.HasSuffix(loc1["created_at"].(string), "Z") {
		t.Errorf("location = %v", loc1)
	}
	loc := loc1["inventory_location_id"].(string)
	whs := mustStatus(t, api(t, s, "GET", "/v2/inventory_warehouses", nil), 200).json(t)
	if len(whs["inventory_warehouses"].([]any)) != 2 || whs["links"] == nil {
		t.Errorf("warehouses = %v", whs)
	}
	mustStatus(t, api(t, s, "GET", "/v2/inventory_warehouses/"+loc1["inventory_warehouse_id"].(string), nil), 200)
	mustStatus(t, api(t, s, "GET", "/v2/inventory_locations/"+loc, nil), 200)
	mustStatus(t, api(t, s, "GET", "/v2/inventory_locations/se-0", nil), 404)

	change := func(body map[string]any) reply {
		t.Helper()
		return api(t, s, "POST", "/v2/inventory", body)
	}
	for _, body := range []map[string]any{
		{"transaction_type": "increment", "sku": "MUG", "quantity": 10, "inventory_location_id": loc, "cost": map[string]any{"amount": 6.1, "currency": "USD"}},
		{"transaction_type": "decrement", "sku": "MUG", "quantity": 3, "inventory_location_id": loc},
		{"transaction_type": "adjust", "sku": "PLATE", "quantity": 40, "inventory_location_id": loc, "reason": "cycle count"},
		{"transaction_type": "modify", "sku": "PLATE", "quantity": 15, "inventory_location_id": loc, "new_inventory_location_id": loc2},
	} {
		r := change(body)
		if r.status != 204 || len(r.body) != 0 {
			t.Fatalf("%v: %d %s", body["transaction_type"], r.status, r.body)
		}
	}
	inv := mustStatus(t, api(t, s, "GET", "/v2/inventory?sku=MUG", nil), 200).json(t)
	rows := inv["inventory"].([]any)
	if len(rows) != 1 || inv["total"] != 1.0 || inv["page"] != 1.0 || inv["pages"] != 1.0 {
		t.Fatalf("inventory = %v", inv)
	}
	mug := rows[0].(map[string]any)
	// The open order allocates its one MUG.
	if mug["on_hand"] != 7.0 || mug["allocated"] != 1.0 || mug["available"] != 6.0 || mug["inventory_location_id"] != loc {
		t.Errorf("MUG = %v", mug)
	}
	if cost := mug["average_cost"].(map[string]any); cost["amount"] != 6.1 || cost["currency"] != "USD" {
		t.Errorf("average_cost = %v", cost)
	}
	if s.Stock("PLATE") != 40 {
		t.Errorf("PLATE total = %d, want 40 over two locations", s.Stock("PLATE"))
	}
	byWH := api(t, s, "GET", "/v2/inventory?sku=PLATE&group_by=warehouse", nil).json(t)
	if n := len(byWH["inventory"].([]any)); n != 2 {
		t.Errorf("PLATE by warehouse: %d rows", n)
	}
	paged := api(t, s, "GET", "/v2/inventory?page_size=1&page=2", nil).json(t)
	links := paged["links"].(map[string]any)
	if paged["pages"] != 3.0 || len(paged["inventory"].([]any)) != 1 ||
		!strings.Contains(links["prev"].(map[string]any)["href"].(string), "page=1") ||
		!strings.Contains(links["next"].(map[string]any)["href"].(string), "page=3") {
		t.Errorf("paged = %v", paged)
	}
	if first := api(t, s, "GET", "/v2/inventory?page_size=5", nil).json(t)["links"].(map[string]any); len(first["prev"].(map[string]any)) != 0 {
		t.Errorf("first page prev = %v, want {}", first["prev"])
	}

	for name, tc := range map[string]struct {
		body map[string]any
		code string
	}{
		"missing sku":      {map[string]any{"transaction_type": "increment", "quantity": 1, "inventory_location_id": loc}, "field_value_required"},
		"missing location": {map[string]any{"transaction_type": "increment", "sku": "MUG", "quantity": 1}, "field_value_required"},
		"unknown location": {map[string]any{"transaction_type": "increment", "sku": "MUG", "quantity": 1, "inventory_location_id": "se-9"}, "invalid_identifier"},
		"unknown sku":      {map[string]any{"transaction_type": "increment", "sku": "NOPE", "quantity": 1, "inventory_location_id": loc}, "invalid_field_value"},
		"too many":         {map[string]any{"transaction_type": "decrement", "sku": "MUG", "quantity": 99, "inventory_location_id": loc}, "invalid_field_value"},
		"bad type":         {map[string]any{"transaction_type": "set", "sku": "MUG", "quantity": 1, "inventory_location_id": loc}, "invalid_field_value"},
	} {
		r := change(tc.body)
		if r.status != 400 {
			t.Errorf("%s: status %d", name, r.status)
			continue
		}
		e := r.json(t)
		errs, _ := e["errors"].([]any)
		if e["request_id"] == nil || len(errs) != 1 || errs[0].(map[string]any)["error_code"] != tc.code || errs[0].(map[string]any)["error_source"] == nil {
			t.Errorf("%s: body %v", name, e)
		}
	}
	if s.Stock("MUG") != 7 {
		t.Error("a rejected change moved stock")
	}

	lax := newTestServer(t, Options{V2AllowUnknownSKU: true})
	l := api(t, lax, "GET", "/v2/inventory_locations", nil).json(t)["inventory_locations"].([]any)[0].(map[string]any)["inventory_location_id"]
	mustStatus(t, api(t, lax, "POST", "/v2/inventory", map[string]any{"transaction_type": "increment", "sku": "NOPE", "quantity": 1, "inventory_location_id": l}), 204)
}

func TestSimInventory(t *testing.T) {
	s := newTestServer(t, Options{})
	r := mustStatus(t, call(t, s, "POST", "/_sim/inventory", map[string]any{"sku": "MUG", "available": 12}, false), 200).json(t)
	if r["on_hand"] != 12.0 || s.Stock("MUG") != 12 {
		t.Errorf("sim inventory = %v", r)
	}
	mustStatus(t, call(t, s, "POST", "/_sim/inventory", map[string]any{"sku": "MUG"}, false), 400)
	mustStatus(t, call(t, s, "POST", "/_sim/inventory", map[string]any{"sku": "MUG", "available": 1, "inventory_location_id": "se-x"}, false), 400)
}

func TestV2Auth(t *testing.T) {
	s := newTestServer(t, Options{})
	r := call(t, s, "GET", "/v2/inventory", nil, false)
	if r.status != 401 {
		t.Fatalf("status %d", r.status)
	}
	e := r.json(t)["errors"].([]any)[0].(map[string]any)
	if e["error_code"] != "unauthorized" || e["error_type"] != "security" {
		t.Errorf("401 error = %v", e)
	}
	// v1 credentials do not open v2.
	req := api(t, s, "GET", "/inventory", nil)
	if req.status != 404 {
		t.Errorf("v1 has no inventory: %d", req.status)
	}
}

// available = on_hand - allocated, where the unshipped units of
// awaiting_shipment and on_hold orders are allocated (plus units set by
// hand), and it goes negative when orders want more than the shelf holds.
// Shipping and cancelling release their units; V2NoAllocation turns the
// orders' allocation off.
func TestV2InventoryAllocation(t *testing.T) {
	level := func(t *testing.T, s *Server, sku string, query string) map[string]any {
		t.Helper()
		rows := mustStatus(t, api(t, s, "GET", "/v2/inventory?sku="+sku+query, nil), 200).json(t)["inventory"].([]any)
		if len(rows) != 1 {
			t.Fatalf("%s: %d rows", sku, len(rows))
		}
		return rows[0].(map[string]any)
	}
	want := func(t *testing.T, row map[string]any, onHand, allocated, available float64) {
		t.Helper()
		if row["on_hand"] != onHand || row["allocated"] != allocated || row["available"] != available {
			t.Errorf("got on_hand %v allocated %v available %v, want %v %v %v",
				row["on_hand"], row["allocated"], row["available"], onHand, allocated, available)
		}
	}

	s := newTestServer(t, Options{})
	if err := s.SetStock("MUG", 3); err != nil {
		t.Fatal(err)
	}
	a := idOf(createOrder(t, s, orderJSON("a", "1", line("l1", "MUG", 2, 10))), "orderId")
	b := idOf(createOrder(t, s, orderJSON("b", "2", line("l1", "MUG", 4, 10))), "orderId")
	want(t, level(t, s, "MUG", ""), 3, 6, -3)
	want(t, level(t, s, "MUG", "&group_by=warehouse"), 3, 6, -3)

	if err := s.Hold(b, time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	want(t, level(t, s, "MUG", ""), 3, 6, -3) // held units stay allocated
	if _, err := s.Ship(a, ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	want(t, level(t, s, "MUG", ""), 1, 4, -3) // shipped: off the shelf and no longer allocated
	if err := s.Cancel(b); err != nil {
		t.Fatal(err)
	}
	want(t, level(t, s, "MUG", ""), 1, 0, 1)

	// Units allocated to orders of other channels, by hand.
	mustStatus(t, api(t, s, "POST", "/_sim/inventory", map[string]any{"sku": "MUG", "on_hand": 5, "allocated": 7}), 200)
	want(t, level(t, s, "MUG", ""), 5, 7, -2)
	mustStatus(t, api(t, s, "POST", "/_sim/inventory", map[string]any{"sku": "MUG", "on_hand": 5, "allocated": -1}), 400)

	off := newTestServer(t, Options{V2NoAllocation: true})
	if err := off.SetStock("MUG", 3); err != nil {
		t.Fatal(err)
	}
	createOrder(t, off, orderJSON("a", "1", line("l1", "MUG", 2, 10)))
	want(t, level(t, off, "MUG", ""), 3, 0, 3)
}
