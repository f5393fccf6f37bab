package bigcommercetest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

func TestAuth(t *testing.T) {
	s := newTestServer(t, Options{})
	for name, tc := range map[string]struct{ url, token string }{
		"missing token": {s.APIBase() + "/v2/orders", ""},
		"wrong token":   {s.APIBase() + "/v2/orders", "nope"},
		"unknown store": {s.URL + "/stores/other/v2/orders", "sandbox-token"},
		"v3 path":       {s.APIBase() + "/v3/catalog/products", "x"},
	} {
		r := callWith(t, s, "GET", tc.url, nil, map[string]string{"X-Auth-Token": tc.token})
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s: status %d", name, r.status)
			continue
		}
		checkShape(t, name, r.object(t), map[string]string{"status": "int", "title": "string", "type": "string", "errors": "object"})
	}
	wantStatus(t, call(t, s, "GET", "/v3/catalog/products/", nil), http.StatusForbidden) // trailing slash
	r := call(t, s, "GET", "/v2/nothing", nil)
	wantStatus(t, r, http.StatusNotFound)
	r.array(t)
	r = call(t, s, "GET", "/v3/nothing", nil)
	wantStatus(t, r, http.StatusNotFound)
	r.object(t)
}

func TestRateLimit(t *testing.T) {
	clock := &Clock{}
	clock.Set(time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC))
	s := NewServer(Options{Clock: clock, RateLimit: RateLimit{Quota: 3, Window: 30 * time.Second}})
	defer s.Close()

	r := call(t, s, "GET", "/v2/store", nil)
	wantStatus(t, r, http.StatusOK)
	for h, want := range map[string]string{"X-Rate-Limit-Requests-Quota": "3", "X-Rate-Limit-Requests-Left": "2",
		"X-Rate-Limit-Time-Window-Ms": "30000", "X-Rate-Limit-Time-Reset-Ms": "30000"} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	clock.Advance(10 * time.Second)
	// Simulation verbs are not charged.
	resp, err := http.Get(s.URL + "/_sim/faults")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	call(t, s, "GET", "/v3/channels", nil)
	r = call(t, s, "GET", "/v2/time", nil)
	if r.header.Get("X-Rate-Limit-Requests-Left") != "0" || r.header.Get("X-Rate-Limit-Time-Reset-Ms") != "20000" {
		t.Errorf("third request: left %s reset %s", r.header.Get("X-Rate-Limit-Requests-Left"), r.header.Get("X-Rate-Limit-Time-Reset-Ms"))
	}
	r = call(t, s, "GET", "/v2/orders", nil)
	wantStatus(t, r, http.StatusTooManyRequests)
	checkShape(t, "429", r.object(t), map[string]string{"status": "int", "title": "string", "type": "string"})
	if r.header.Get("X-Rate-Limit-Requests-Left") != "0" || r.header.Get("X-Retry-After") != "20" {
		t.Errorf("429 headers %v", r.header)
	}
	clock.Advance(20 * time.Second)
	r = call(t, s, "GET", "/v2/orders", nil)
	wantStatus(t, r, http.StatusNoContent)
	if r.header.Get("X-Rate-Limit-Requests-Left") != "2" {
		t.Errorf("new window left %s", r.header.Get("X-Rate-Limit-Requests-Left"))
	}
}

func TestFaultKnobs(t *testing.T) {
	s := newTestServer(t, Options{})
	set := func(f Faults) {
		t.Helper()
		b, _ := json.Marshal(f)
		resp, err := http.Post(s.URL+"/_sim/faults", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("set faults: %d", resp.StatusCode)
		}
	}
	set(Faults{ErrorRate: 1})
	r := call(t, s, "GET", "/v3/channels", nil)
	wantStatus(t, r, http.StatusInternalServerError)

	set(Faults{RateLimitStorm: 1})
	r = call(t, s, "GET", "/v3/channels", nil)
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.header.Get("X-Rate-Limit-Requests-Left") != "" {
		t.Error("a platform 429 storm carries quota headers")
	}

	set(Faults{MalformedRate: 1})
	r = call(t, s, "GET", "/v3/channels", nil)
	wantStatus(t, r, http.StatusOK)
	if json.Valid(r.body) {
		t.Errorf("malformed fault gave valid JSON %s", r.body)
	}

	set(Faults{LatencyMinMs: 30, LatencyMaxMs: 30})
	start := time.Now()
	wantStatus(t, call(t, s, "GET", "/v3/channels", nil), http.StatusOK)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("latency fault took %v", d)
	}

	set(Faults{HangRate: 1})
	client := &http.Client{Timeout: 100 * time.Millisecond}
	req, _ := http.NewRequest("GET", s.APIBase()+"/v3/channels", nil)
	req.Header.Set("X-Auth-Token", "sandbox-token")
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Error("hung request answered")
	}

	set(Faults{})
	wantStatus(t, call(t, s, "GET", "/v3/channels", nil), http.StatusOK)
	if s.Faults() != (Faults{}) {
		t.Errorf("faults %+v", s.Faults())
	}
}

func TestStoreInfoChannelsAndTime(t *testing.T) {
	clock := &Clock{}
	clock.Set(time.Date(2025, 3, 4, 18, 2, 11, 0, time.UTC))
	s := newTestServer(t, Options{Clock: clock, WeightUnits: "LBS", DimensionUnits: "Centimeters", StoreID: "1001234567"})
	r := call(t, s, "GET", "/v2/store", nil)
	wantStatus(t, r, http.StatusOK)
	st := r.object(t)
	checkShape(t, "store", st, map[string]string{"id": "string", "store_id": "int", "weight_units": "string", "dimension_units": "string",
		"timezone": "object", "default_channel_id": "int", "currency": "string", "plan_name": "string"})
	if st["weight_units"] != "LBS" || st["dimension_units"] != "Centimeters" || st["id"] != "sandbox" || st["store_id"].(float64) != 1001234567 {
		t.Errorf("store %v", st)
	}
	checkShape(t, "timezone", st["timezone"].(map[string]any), map[string]string{"name": "string", "raw_offset": "int", "dst_offset": "int", "dst_correction": "bool", "date_format": "object"})
	r = call(t, s, "GET", "/v2/time", nil)
	if r.object(t)["time"].(float64) != float64(clock.Now().Unix()) {
		t.Errorf("time %s", r.body)
	}
	r = call(t, s, "GET", "/v3/channels", nil)
	data, _ := r.v3list(t)
	checkShape(t, "channel", data[0], map[string]string{"id": "int", "name": "string", "type": "string", "platform": "string",
		"status": "string", "external_id": "string", "is_listable_from_ui": "bool", "is_visible": "bool", "icon_url": "string",
		"date_created": "string", "date_modified": "string"})
	wantStatus(t, call(t, s, "GET", "/v3/channels/2", nil), http.StatusOK)
	wantStatus(t, call(t, s, "GET", "/v3/channels/9", nil), http.StatusNotFound)
}

func TestSimulationVerbs(t *testing.T) {
	s := newTestServer(t, Options{})
	rc := newReceiver(t)
	subscribe(t, s, rc, "store/order/*", nil)
	subscribe(t, s, rc, "store/product/created", nil)
	in, variant, _ := sampleOrder(t, s)
	in.StatusID = nil
	before, _ := s.Stock(variant.SKU, 1)
	b, _ := json.Marshal(in)
	resp, err := http.Post(s.URL+"/_sim/orders", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var o Order
	if err := json.NewDecoder(resp.Body).Decode(&o); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || o.StatusID != StatusAwaitingFulfillment || o.OrderSource != "www" || o.CartID == "" {
		t.Errorf("sim order %d: status %d source %q cart %q", resp.StatusCode, o.StatusID, o.OrderSource, o.CartID)
	}
	if after, _ := s.Stock(variant.SKU, 1); before-after != 2 {
		t.Errorf("sim order stock %d -> %d", before, after)
	}
	waitScope(t, s, "store/order/created", 1)

	resp, err = http.Post(s.URL+"/_sim/orders/"+itoa(o.ID)+"/status", "application/json", bytes.NewReader([]byte(`{"status_id":12}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, _ := s.Order(o.ID); got.StatusID != StatusManualVerification {
		t.Errorf("status after sim %d", got.StatusID)
	}
	waitScope(t, s, "store/order/statusUpdated", 1)

	resp, err = http.Post(s.URL+"/_sim/products", "application/json", bytes.NewReader([]byte(`{"name":"Camp Stove","sku":"STOVE-1","price":"49.99","weight":"28","inventory_level":7}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sim product %d", resp.StatusCode)
	}
	waitScope(t, s, "store/product/created", 1)
	if n, ok := s.Stock("stove-1", 1); !ok || n != 7 {
		t.Errorf("new product stock %d %v", n, ok)
	}

	// Go-side order placement and status change.
	o2, err := s.PlaceOrder(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetOrderStatus(o2.ID, StatusCancelled); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Order(o2.ID); got.StatusID != StatusCancelled {
		t.Errorf("SetOrderStatus: %d", got.StatusID)
	}

	// A control-panel edit ignores injected faults and fires updated.
	s.SetFaults(Faults{ErrorRate: 1})
	if err := s.UpdateOrder(o2.ID, map[string]any{"staff_notes": "call first"}); err != nil {
		t.Fatal(err)
	}
	s.SetFaults(Faults{})
	if got, _ := s.Order(o2.ID); got.StaffNotes != "call first" {
		t.Errorf("UpdateOrder: staff notes %q", got.StaffNotes)
	}
	waitScope(t, s, "store/order/updated", 2)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestStartOnAddress(t *testing.T) {
	s, err := Start("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wantStatus(t, call(t, s, "GET", "/v3/channels", nil), http.StatusOK)
}

// BenchmarkSimOrders measures POST /_sim/orders, which must stay cheap.
func BenchmarkSimOrders(b *testing.B) {
	s := NewServer(Options{AllowOversell: true})
	defer s.Close()
	if err := s.SeedDefault(); err != nil {
		b.Fatal(err)
	}
	p := s.Products()[1]
	body, _ := json.Marshal(OrderInput{BillingAddress: &Address{AddressFields: AddressFields{FirstName: "A", Zip: "80203", Country: "United States"}},
		Products: []OrderProductInput{{ProductID: p.ID, VariantID: p.Variants[0].ID, Quantity: 1}}})
	for b.Loop() {
		resp, err := http.Post(s.URL+"/_sim/orders", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}
