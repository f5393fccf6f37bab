package shipstationtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestV1Auth(t *testing.T) {
	s := newTestServer(t, Options{APIKey: "k", APISecret: "sec"})
	for name, set := range map[string]func(*http.Request){
		"none":         func(*http.Request) {},
		"wrong secret": func(r *http.Request) { r.SetBasicAuth("k", "nope") },
		"wrong key":    func(r *http.Request) { r.SetBasicAuth("x", "sec") },
	} {
		req, _ := http.NewRequest("GET", s.URL+"/orders", nil)
		set(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 401 || body["Message"] != "Authorization has been denied for this request." {
			t.Errorf("%s: %d %v", name, resp.StatusCode, body)
		}
	}
	req, _ := http.NewRequest("GET", s.URL+"/orders", nil)
	req.SetBasicAuth("k", "sec")
	req.Header.Set("x-partner", "ignored")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("good credentials: %d", resp.StatusCode)
	}
}

func TestRoutingIsCaseInsensitive(t *testing.T) {
	s := newTestServer(t, Options{})
	mustStatus(t, api(t, s, "GET", "/Accounts/ListTags", nil), 200)
	mustStatus(t, api(t, s, "POST", "/Orders/CreateOrder", orderJSON("k", "N")), 200)
	if r := mustStatus(t, api(t, s, "GET", "/Orders/List?ORDERNUMBER=N", nil), 404).json(t); r["Message"] == nil {
		t.Errorf("404 body = %v", r)
	}
	if r := api(t, s, "GET", "/orders?OrderNumber=N&PageSize=1", nil).json(t); r["total"] != 1.0 {
		t.Errorf("query names should be case-insensitive: %v", r["total"])
	}
	mustStatus(t, api(t, s, "PUT", "/orders/createorder", nil), 405)
	if r := api(t, s, "GET", "/shipments?includeShipmentItems=maybe", nil); r.status != 400 {
		t.Errorf("bad boolean: %d", r.status)
	}
}

func TestV1RateLimit(t *testing.T) {
	s := newTestServer(t, Options{RateLimit: 3})
	for i, wantRemaining := range []string{"2", "1", "0"} {
		r := mustStatus(t, api(t, s, "GET", "/orders", nil), 200)
		if r.header.Get("X-Rate-Limit-Limit") != "3" || r.header.Get("X-Rate-Limit-Remaining") != wantRemaining || r.header.Get("X-Rate-Limit-Reset") != "60" {
			t.Errorf("request %d headers: limit %s remaining %s reset %s", i, r.header.Get("X-Rate-Limit-Limit"), r.header.Get("X-Rate-Limit-Remaining"), r.header.Get("X-Rate-Limit-Reset"))
		}
	}
	s.Clock().Advance(20 * time.Second)
	r := mustStatus(t, api(t, s, "GET", "/orders", nil), 429)
	var body map[string]string
	if err := json.Unmarshal(r.body, &body); err != nil || len(body) != 1 || body["message"] != "Too Many Requests" {
		t.Errorf("429 body = %s", r.body)
	}
	if r.header.Get("X-Rate-Limit-Remaining") != "0" || r.header.Get("X-Rate-Limit-Reset") != "40" || r.header.Get("Retry-After") != "" {
		t.Errorf("429 headers: %v", r.header)
	}
	s.Clock().Advance(40 * time.Second)
	r = mustStatus(t, api(t, s, "GET", "/orders", nil), 200)
	if r.header.Get("X-Rate-Limit-Remaining") != "2" {
		t.Errorf("new window remaining = %s", r.header.Get("X-Rate-Limit-Remaining"))
	}
	// Simulation verbs are free.
	for range 5 {
		mustStatus(t, call(t, s, "GET", "/_sim/faults", nil, false), 200)
	}
	if st := s.Stats(); st.V1Calls != 5 || st.V1TooMany != 1 || st.V2Calls != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestV2RateLimit(t *testing.T) {
	s := newTestServer(t, Options{V2RateLimit: 2})
	mustStatus(t, api(t, s, "GET", "/v2/inventory", nil), 200)
	mustStatus(t, api(t, s, "GET", "/v2/inventory", nil), 200)
	s.Clock().Advance(15 * time.Second)
	r := mustStatus(t, api(t, s, "GET", "/v2/inventory", nil), 429)
	if r.header.Get("Retry-After") != "45" {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	e := r.json(t)["errors"].([]any)[0].(map[string]any)
	if e["error_code"] != "rate_limit_exceeded" {
		t.Errorf("429 error = %v", e)
	}
	// The v1 quota is separate.
	mustStatus(t, api(t, s, "GET", "/orders", nil), 200)
	if st := s.Stats(); st.V2Calls != 3 || st.V2TooMany != 1 || st.V1Calls != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestFaultErrorAndStorm(t *testing.T) {
	s := newTestServer(t, Options{RateLimit: 40})
	s.SetFaults(Faults{ErrorRate: 1})
	e := mustStatus(t, api(t, s, "GET", "/orders", nil), 500).json(t)
	if e["Message"] != "An error has occurred." || e["ExceptionMessage"] == nil {
		t.Errorf("v1 500 = %v", e)
	}
	mustStatus(t, api(t, s, "GET", "/v2/inventory", nil), 500)
	// The controls are never faulted, so faults can always be turned off.
	mustStatus(t, call(t, s, "POST", "/_sim/faults", map[string]any{"rate_limit_storm": 1}, false), 200)
	if got := s.Faults(); got.RateLimitStorm != 1 || got.ErrorRate != 0 {
		t.Errorf("faults = %+v", got)
	}
	r := mustStatus(t, api(t, s, "GET", "/orders", nil), 429)
	if r.header.Get("X-Rate-Limit-Limit") != "40" || r.header.Get("X-Rate-Limit-Remaining") == "" {
		t.Errorf("storm 429 headers = %v", r.header)
	}
	if r.json(t)["message"] != "Too Many Requests" {
		t.Errorf("storm body = %s", r.body)
	}
	if r := mustStatus(t, api(t, s, "GET", "/v2/inventory", nil), 429); r.header.Get("Retry-After") == "" {
		t.Error("v2 storm without Retry-After")
	}
	s.SetFaults(Faults{})
	mustStatus(t, api(t, s, "GET", "/orders", nil), 200)
	if st := s.Stats(); st.V1TooMany != 1 || st.V2TooMany != 1 || st.V1Calls != 3 {
		t.Errorf("stats = %+v", st)
	}
}

func TestFaultMalformed(t *testing.T) {
	s := newTestServer(t, Options{})
	s.SetFaults(Faults{MalformedRate: 1})
	r := mustStatus(t, api(t, s, "GET", "/accounts/listtags", nil), 200)
	var v any
	if json.Unmarshal(r.body, &v) == nil {
		t.Errorf("malformed fault sent valid JSON: %s", r.body)
	}
}

func TestFaultHangAndLatency(t *testing.T) {
	s := newTestServer(t, Options{})
	s.SetFaults(Faults{HangRate: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/orders", nil)
	req.SetBasicAuth(s.opts.APIKey, s.opts.APISecret)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("hung request answered %d", resp.StatusCode)
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hung request: %v", err)
	}

	s.SetFaults(Faults{LatencyMinMs: 30, LatencyMaxMs: 30})
	start := time.Now()
	mustStatus(t, api(t, s, "GET", "/orders", nil), 200)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("latency fault: answered in %v", d)
	}
}

func TestFaultWebhookDropAndDuplicate(t *testing.T) {
	for _, tc := range []struct {
		faults   Faults
		recorded int
		received int
	}{
		{Faults{DropWebhookRate: 1}, 1, 0},
		{Faults{DuplicateWebhookRate: 1}, 2, 2},
	} {
		t.Run(fmt.Sprintf("%+v", tc.faults), func(t *testing.T) {
			s := newTestServer(t, Options{})
			rc := newReceiver(t)
			if _, err := s.Subscribe(rc.URL, EventShipNotify, nil, ""); err != nil {
				t.Fatal(err)
			}
			id := idOf(createOrder(t, s, orderJSON("k", "N")), "orderId")
			s.SetFaults(tc.faults)
			if _, err := s.Ship(id, ShipRequest{}); err != nil {
				t.Fatal(err)
			}
			s.SetFaults(Faults{})
			// A clean sentinel delivery after the faulted one: once it is
			// recorded, everything before it is too.
			id2 := idOf(createOrder(t, s, orderJSON("k2", "N2")), "orderId")
			if _, err := s.Ship(id2, ShipRequest{}); err != nil {
				t.Fatal(err)
			}
			dels, err := s.WaitDeliveries(waitCtx(t), tc.recorded+1)
			if err != nil {
				t.Fatal(err)
			}
			if len(dels) != tc.recorded+1 {
				t.Fatalf("deliveries = %+v", dels)
			}
			if tc.faults.DropWebhookRate > 0 && (!dels[0].Dropped || dels[0].StatusCode != 0) {
				t.Errorf("drop: %+v", dels[0])
			}
			if tc.faults.DuplicateWebhookRate > 0 && (!dels[1].Duplicate || dels[0].ResourceURL != dels[1].ResourceURL) {
				t.Errorf("duplicate: %+v", dels[:2])
			}
			if got := len(rc.received()); got != tc.received+1 {
				t.Errorf("receiver got %d payloads, want %d", got, tc.received+1)
			}
		})
	}
}

func TestSimClock(t *testing.T) {
	s := newTestServer(t, Options{})
	mustStatus(t, call(t, s, "POST", "/_sim/clock", map[string]any{"now": "2024-12-01T20:00:00Z"}, false), 200)
	o := createOrder(t, s, orderJSON("k", "N"))
	if o["createDate"] != "2024-12-01T12:00:00.0000000" {
		t.Errorf("createDate after setting the clock = %v (want 12:00 PST)", o["createDate"])
	}
	mustStatus(t, call(t, s, "POST", "/_sim/nope", nil, false), 404)
}

func TestStartOnAddress(t *testing.T) {
	s, err := Start("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustStatus(t, api(t, s, "GET", "/accounts/listtags", nil), 200)
	if _, err := Start("127.0.0.1:-1", Options{}); err == nil {
		t.Error("bad address accepted")
	}
}
