package shipstationtest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// labelBody is a POST /v2/labels body for a parcel from Jane (Denver) to
// the warehouse; items are name/sku/quantity maps.
func labelBody(number string, isReturn bool, items ...map[string]any) map[string]any {
	addr := func(name, street, city, state, zip string) map[string]any {
		return map[string]any{"name": name, "phone": "303-555-0100", "address_line1": street, "city_locality": city,
			"state_province": state, "postal_code": zip, "country_code": "US", "address_residential_indicator": "unknown"}
	}
	shipment := map[string]any{
		"service_code": "ups_ground", "shipment_number": number,
		"ship_from": addr("Jane Roe", "42 Elm St", "Denver", "CO", "80202"),
		"ship_to":   addr("Returns Dept", "100 Main St", "Denver", "CO", "80202"),
		"packages":  []any{map[string]any{"package_code": "package", "weight": map[string]any{"value": 14, "unit": "ounce"}}},
	}
	if items != nil {
		shipment["items"] = items
	}
	return map[string]any{"shipment": shipment, "is_return_label": isReturn, "rma_number": "RMA-" + number}
}

func v2Item(sku string, qty int) map[string]any {
	return map[string]any{"name": "Item " + sku, "sku": sku, "quantity": qty}
}

// shippedOrder creates and ships an order N-1 of two MUG and one PLATE,
// with 10 of each on hand before shipping.
func shippedOrder(t *testing.T, s *Server) int64 {
	t.Helper()
	for _, sku := range []string{"MUG", "PLATE"} {
		if err := s.SetStock(sku, 10); err != nil {
			t.Fatal(err)
		}
	}
	id := idOf(createOrder(t, s, orderJSON("k", "N-1", line("l1", "MUG", 2, 10), line("l2", "PLATE", 1, 10))), "orderId")
	if _, err := s.Ship(id, ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestV2ReturnLabelTrackedToDelivered(t *testing.T) {
	s := newTestServer(t, Options{})
	shippedOrder(t, s)
	lbl := mustStatus(t, api(t, s, "POST", "/v2/labels", labelBody("N-1", true, v2Item("MUG", 1))), 200).json(t)
	id := lbl["label_id"].(string)
	if !strings.HasPrefix(id, "se-") || lbl["is_return_label"] != true || lbl["status"] != "completed" ||
		lbl["tracking_status"] != "unknown" || lbl["carrier_code"] != "ups" || lbl["rma_number"] != "RMA-N-1" ||
		lbl["voided"] != false || lbl["voided_at"] != nil || !strings.HasSuffix(lbl["created_at"].(string), "Z") {
		t.Fatalf("label = %v", lbl)
	}
	if _, ok := lbl["shipment"]; ok {
		t.Error("shipment is write-only but was returned")
	}
	got := mustStatus(t, api(t, s, "GET", "/v2/labels/"+id, nil), 200).json(t)
	if got["tracking_number"] != lbl["tracking_number"] || got["shipment_id"] != lbl["shipment_id"] {
		t.Errorf("GET label = %v", got)
	}
	if r := mustStatus(t, api(t, s, "GET", "/v2/labels/se-0", nil), 404); len(r.body) != 0 {
		t.Errorf("404 body = %q, want empty", r.body)
	}
	sh := mustStatus(t, api(t, s, "GET", "/v2/shipments/"+lbl["shipment_id"].(string), nil), 200).json(t)
	items := sh["items"].([]any)
	if sh["shipment_number"] != "N-1" || sh["is_return"] != true || len(items) != 1 || items[0].(map[string]any)["sku"] != "MUG" {
		t.Errorf("shipment = %v", sh)
	}

	track := func() map[string]any {
		return mustStatus(t, api(t, s, "GET", "/v2/labels/"+id+"/track", nil), 200).json(t)
	}
	if tr := track(); tr["status_code"] != "NY" || tr["tracking_number"] != lbl["tracking_number"] || len(tr["events"].([]any)) != 0 {
		t.Errorf("new label tracking = %v", tr)
	}
	sim := func(code string) reply {
		return call(t, s, "POST", "/_sim/v2/labels/"+id+"/track", map[string]any{"status_code": code}, false)
	}
	mustStatus(t, sim("IT"), 200)
	if tr := track(); tr["status_code"] != "IT" || tr["actual_delivery_date"] != nil || len(tr["events"].([]any)) != 1 {
		t.Errorf("in transit = %v", tr)
	}
	if l := api(t, s, "GET", "/v2/labels/"+id, nil).json(t); l["tracking_status"] != "in_transit" {
		t.Errorf("tracking_status = %v", l["tracking_status"])
	}
	if s.Stock("MUG") != 8 {
		t.Fatalf("MUG on hand %d before delivery, want 8", s.Stock("MUG"))
	}
	s.Clock().Advance(time.Hour)
	mustStatus(t, sim("de"), 200)
	tr := track()
	events := tr["events"].([]any)
	if tr["status_code"] != "DE" || tr["status_detail_code"] != "DELIVERED" || tr["actual_delivery_date"] == nil ||
		len(events) != 2 || events[0].(map[string]any)["status_code"] != "DE" {
		t.Errorf("delivered = %v", tr)
	}
	if l := api(t, s, "GET", "/v2/labels/"+id, nil).json(t); l["tracking_status"] != "delivered" {
		t.Errorf("tracking_status = %v", l["tracking_status"])
	}
	// The returned unit is back once; a repeated scan changes nothing.
	mustStatus(t, sim("DE"), 200)
	if s.Stock("MUG") != 9 || s.Stock("PLATE") != 9 {
		t.Errorf("on hand MUG %d PLATE %d, want 9 and 9", s.Stock("MUG"), s.Stock("PLATE"))
	}
	// Delivered labels cannot be voided.
	if v := api(t, s, "PUT", "/v2/labels/"+id+"/void", nil).json(t); v["approved"] != false || v["reason_code"] != "label_already_used" {
		t.Errorf("void of a used label = %v", v)
	}

	mustStatus(t, sim("XX"), 400)
	mustStatus(t, call(t, s, "POST", "/_sim/v2/labels/se-0/track", map[string]any{"status_code": "DE"}, false), 404)
	mustStatus(t, api(t, s, "GET", "/v2/labels/se-0/track", nil), 404)
	// The v1 return verb keeps working beside v2 labels.
	mustStatus(t, call(t, s, "POST", "/_sim/orders/"+fmt.Sprint(s.Orders()[0].OrderID)+"/return-received", map[string]any{}, false), 200)
}

func TestV2ReturnWithoutItemsOrStock(t *testing.T) {
	s := newTestServer(t, Options{V2ReturnsKeepStock: true})
	shippedOrder(t, s)
	id := mustStatus(t, api(t, s, "POST", "/v2/labels", labelBody("N-1", true)), 200).json(t)["label_id"].(string)
	if _, err := s.TrackV2Label(id, "DE", ""); err != nil {
		t.Fatal(err)
	}
	if s.Stock("MUG") != 8 || s.Stock("PLATE") != 9 {
		t.Errorf("V2ReturnsKeepStock: on hand MUG %d PLATE %d, want 8 and 9", s.Stock("MUG"), s.Stock("PLATE"))
	}

	s = newTestServer(t, Options{})
	shippedOrder(t, s)
	body := labelBody("", true)
	body["rma_number"] = "N-1" // no shipment_number: the RMA names the order
	id = mustStatus(t, api(t, s, "POST", "/v2/labels", body), 200).json(t)["label_id"].(string)
	if _, err := s.TrackV2Label(id, "DE", ""); err != nil {
		t.Fatal(err)
	}
	if s.Stock("MUG") != 10 || s.Stock("PLATE") != 10 {
		t.Errorf("no items: on hand MUG %d PLATE %d, want every shipped unit back", s.Stock("MUG"), s.Stock("PLATE"))
	}
}

func TestV2LabelValidation(t *testing.T) {
	s := newTestServer(t, Options{})
	bad := func(name string, edit func(b map[string]any), code string) {
		t.Helper()
		b := labelBody("N-1", true)
		edit(b)
		r := api(t, s, "POST", "/v2/labels", b)
		if r.status != 400 || !strings.Contains(string(r.body), `"error_code":"`+code+`"`) {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	shipment := func(b map[string]any) map[string]any { return b["shipment"].(map[string]any) }
	bad("no shipment", func(b map[string]any) { delete(b, "shipment") }, "field_value_required")
	bad("no service", func(b map[string]any) { delete(shipment(b), "service_code") }, "field_value_required")
	bad("unknown service", func(b map[string]any) { shipment(b)["service_code"] = "pony_express" }, "invalid_field_value")
	bad("no packages", func(b map[string]any) { shipment(b)["packages"] = []any{} }, "field_value_required")
	bad("no ship_from", func(b map[string]any) { delete(shipment(b), "ship_from") }, "field_value_required")
	bad("unknown warehouse", func(b map[string]any) {
		delete(shipment(b), "ship_from")
		shipment(b)["warehouse_id"] = "se-1"
	}, "invalid_identifier")
	bad("charge event", func(b map[string]any) { b["charge_event"] = "later" }, "invalid_field_value")
	b := labelBody("N-1", false)
	shipment(b)["external_shipment_id"] = "ext-1"
	mustStatus(t, api(t, s, "POST", "/v2/labels", b), 200)
	bad("duplicate external_shipment_id", func(b map[string]any) { shipment(b)["external_shipment_id"] = "ext-1" }, "invalid_field_value")
	r := call(t, s, "POST", "/v2/labels", labelBody("N-1", true), false)
	if r.status != 401 || !strings.Contains(string(r.body), `"error_type":"security"`) {
		t.Errorf("without API-Key: %d %s", r.status, r.body)
	}
}

func TestV2ListLabelsAndReturnOfOutbound(t *testing.T) {
	s := newTestServer(t, Options{})
	out := mustStatus(t, api(t, s, "POST", "/v2/labels", labelBody("N-7", false, v2Item("MUG", 2))), 200).json(t)
	s.Clock().Advance(time.Minute)
	ret := mustStatus(t, api(t, s, "POST", "/v2/labels/"+out["label_id"].(string)+"/return", map[string]any{"charge_event": "on_carrier_acceptance"}), 200).json(t)
	if ret["is_return_label"] != true || ret["charge_event"] != "on_carrier_acceptance" || ret["tracking_number"] == out["tracking_number"] {
		t.Errorf("return label = %v", ret)
	}
	sh := api(t, s, "GET", "/v2/shipments/"+ret["shipment_id"].(string), nil).json(t)
	if sh["shipment_number"] != "N-7" || sh["ship_to"].(map[string]any)["name"] != "Jane Roe" || len(sh["items"].([]any)) != 1 {
		t.Errorf("return shipment = %v", sh)
	}
	ships := mustStatus(t, api(t, s, "GET", "/v2/shipments?shipment_number=N-7", nil), 200).json(t)
	if l := ships["shipments"].([]any); len(l) != 2 || l[0].(map[string]any)["shipment_id"] != ret["shipment_id"] || ships["total"] != 2.0 {
		t.Errorf("shipments of N-7 = %v", ships)
	}
	if l := api(t, s, "GET", "/v2/shipments?shipment_number=N-8", nil).json(t)["shipments"].([]any); len(l) != 0 {
		t.Errorf("shipments of N-8 = %v", l)
	}
	mustStatus(t, api(t, s, "GET", "/v2/shipments?shipment_status=lost", nil), 400)
	mustStatus(t, api(t, s, "POST", "/v2/labels/"+ret["label_id"].(string)+"/return", map[string]any{}), 400)
	if r := mustStatus(t, api(t, s, "POST", "/v2/labels/se-0/return", map[string]any{}), 404); len(r.body) != 0 {
		t.Errorf("404 body = %q", r.body)
	}

	list := func(query string) map[string]any {
		t.Helper()
		return mustStatus(t, api(t, s, "GET", "/v2/labels"+query, nil), 200).json(t)
	}
	ids := func(page map[string]any) string {
		var out []string
		for _, l := range page["labels"].([]any) {
			out = append(out, l.(map[string]any)["label_id"].(string))
		}
		return strings.Join(out, ",")
	}
	newest := ret["label_id"].(string) + "," + out["label_id"].(string)
	if p := list(""); ids(p) != newest || p["total"] != 2.0 || p["pages"] != 1.0 {
		t.Errorf("all labels = %v", p)
	}
	if p := list("?sort_dir=asc&page_size=1&page=2"); ids(p) != ret["label_id"] || p["pages"] != 2.0 ||
		!strings.Contains(p["links"].(map[string]any)["prev"].(map[string]any)["href"].(string), "page=1") {
		t.Errorf("second page = %v", p)
	}
	at := func(d time.Duration) string { return t0.Add(d).UTC().Format(time.RFC3339) }
	if p := list("?created_at_start=" + at(30*time.Second)); ids(p) != ret["label_id"] {
		t.Errorf("created after 30s = %v", p)
	}
	if p := list("?created_at_end=" + at(30*time.Second)); ids(p) != out["label_id"] {
		t.Errorf("created before 30s = %v", p)
	}
	if p := list("?created_at_start=" + at(time.Hour)); p["labels"] == nil || len(p["labels"].([]any)) != 0 || p["total"] != 0.0 {
		t.Errorf("none = %v", p)
	}
	if p := list("?tracking_number=" + out["tracking_number"].(string)); ids(p) != out["label_id"] {
		t.Errorf("by tracking number = %v", p)
	}
	mustStatus(t, api(t, s, "GET", "/v2/labels?label_status=lost", nil), 400)
	mustStatus(t, api(t, s, "GET", "/v2/labels?created_at_start=yesterday", nil), 400)

	v := mustStatus(t, api(t, s, "PUT", "/v2/labels/"+ret["label_id"].(string)+"/void", nil), 200).json(t)
	if v["approved"] != true {
		t.Errorf("void = %v", v)
	}
	if v := api(t, s, "PUT", "/v2/labels/"+ret["label_id"].(string)+"/void", nil).json(t); v["approved"] != false || v["reason_code"] != "label_already_voided" {
		t.Errorf("second void = %v", v)
	}
	if p := list("?label_status=voided"); ids(p) != ret["label_id"] || p["labels"].([]any)[0].(map[string]any)["voided_at"] == nil {
		t.Errorf("voided = %v", p)
	}
	if p := list("?label_status=completed"); ids(p) != out["label_id"] {
		t.Errorf("completed = %v", p)
	}
}

func TestV2ReturnLabelListedInV1(t *testing.T) {
	s := newTestServer(t, Options{V2ReturnLabelsInV1: true})
	id := shippedOrder(t, s)
	body := labelBody("N-1", true, map[string]any{"name": "Mug", "external_order_item_id": "l1", "quantity": 1})
	lbl := mustStatus(t, api(t, s, "POST", "/v2/labels", body), 200).json(t)
	// An outbound v2 label is not listed.
	mustStatus(t, api(t, s, "POST", "/v2/labels", labelBody("N-1", false)), 200)
	list := api(t, s, "GET", fmt.Sprintf("/shipments?orderId=%d&includeShipmentItems=true", id), nil).json(t)["shipments"].([]any)
	if len(list) != 2 {
		t.Fatalf("v1 shipments = %v", list)
	}
	ret := list[1].(map[string]any)
	items := ret["shipmentItems"].([]any)
	if ret["isReturnLabel"] != true || ret["trackingNumber"] != lbl["tracking_number"] || len(items) != 1 ||
		items[0].(map[string]any)["lineItemKey"] != "l1" || items[0].(map[string]any)["quantity"] != 1.0 {
		t.Errorf("v1 return shipment = %v", ret)
	}
	mustStatus(t, api(t, s, "PUT", "/v2/labels/"+lbl["label_id"].(string)+"/void", nil), 200)
	if sh := s.Shipments(); !sh[len(sh)-1].Voided {
		t.Errorf("the v1 listing of a voided v2 label is not voided: %+v", sh[len(sh)-1])
	}
}
