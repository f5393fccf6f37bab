package bigcommercetest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// newTestServer starts a seeded fake with loopback webhooks allowed.
func newTestServer(t *testing.T, opts Options) *Server {
	t.Helper()
	opts.AllowHTTPWebhooks = true
	if opts.WebhookTimeFactor == 0 {
		opts.WebhookTimeFactor = 1e-6
	}
	if opts.RateLimit.Quota == 0 {
		opts.RateLimit.Quota = 100000
	}
	s := NewServer(opts)
	t.Cleanup(s.Close)
	if err := s.SeedCatalog(12); err != nil {
		t.Fatal(err)
	}
	return s
}

// response is a completed API call.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("status %d body %q: %v", r.status, r.body, err)
	}
}

func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return m
}

func (r response) array(t *testing.T) []map[string]any {
	t.Helper()
	var a []map[string]any
	r.json(t, &a)
	return a
}

// v3data unwraps a v3 {data, meta} object response.
func (r response) v3data(t *testing.T) map[string]any {
	t.Helper()
	m := r.object(t)
	if _, ok := m["meta"].(map[string]any); !ok {
		t.Fatalf("v3 response without meta object: %s", r.body)
	}
	d, ok := m["data"].(map[string]any)
	if !ok {
		t.Fatalf("v3 response data is not an object: %s", r.body)
	}
	return d
}

// v3list unwraps a v3 {data: [...], meta} response.
func (r response) v3list(t *testing.T) ([]map[string]any, map[string]any) {
	t.Helper()
	var env struct {
		Data []map[string]any `json:"data"`
		Meta map[string]any   `json:"meta"`
	}
	r.json(t, &env)
	if env.Data == nil || env.Meta == nil {
		t.Fatalf("not a v3 list: %s", r.body)
	}
	return env.Data, env.Meta
}

// call sends an authenticated API request; path is relative to /stores/{hash}.
func call(t *testing.T, s *Server, method, path string, body any) response {
	t.Helper()
	return callWith(t, s, method, s.APIBase()+path, body, map[string]string{"X-Auth-Token": s.Options().AccessToken})
}

func callWith(t *testing.T, s *Server, method, url string, body any, headers map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		if raw, ok := body.(string); ok {
			rd = strings.NewReader(raw)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
}

var (
	money4Re  = regexp.MustCompile(`^-?\d+\.\d{4}$`)
	rfc2822Re = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$`)
	isoRe     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$`)
)

// checkShape asserts each named field's JSON kind: string, number, bool,
// object, array, null, money4 (a 4-decimal string), rfc2822 (or ""), iso,
// int; "a|b" allows either.
func checkShape(t *testing.T, what string, obj map[string]any, spec map[string]string) {
	t.Helper()
	for field, kinds := range spec {
		v, present := obj[field]
		if !present {
			t.Errorf("%s: field %q missing", what, field)
			continue
		}
		ok := false
		for _, kind := range strings.Split(kinds, "|") {
			if kindMatches(kind, v) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s: field %q = %#v, want %s", what, field, v, kinds)
		}
	}
}

func kindMatches(kind string, v any) bool {
	switch kind {
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "int":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "bool":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "null":
		return v == nil
	case "money4":
		s, ok := v.(string)
		return ok && money4Re.MatchString(s)
	case "rfc2822":
		s, ok := v.(string)
		return ok && (s == "" || rfc2822Re.MatchString(s))
	case "iso":
		s, ok := v.(string)
		return ok && isoRe.MatchString(s)
	}
	panic("unknown kind " + kind)
}

// receiver is a webhook destination that records what it is sent.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int // answered in turn; the last one repeats
	got      []http.Header
	bodies   [][]byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	t.Helper()
	rc := &receiver{statuses: statuses}
	if len(rc.statuses) == 0 {
		rc.statuses = []int{http.StatusOK}
	}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, r.Header.Clone())
		rc.bodies = append(rc.bodies, b)
		status := rc.statuses[0]
		if len(rc.statuses) > 1 {
			rc.statuses = rc.statuses[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// subscribe registers a hook for scope at the receiver and returns its id.
func subscribe(t *testing.T, s *Server, rc *receiver, scope string, headers map[string]string) int {
	t.Helper()
	r := call(t, s, "POST", "/v3/hooks", map[string]any{"scope": scope, "destination": rc.URL + "/hook", "is_active": true, "headers": headers})
	wantStatus(t, r, http.StatusOK)
	return int(r.v3data(t)["id"].(float64))
}

func waitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitScope waits until a delivery attempt of scope exists and returns all
// attempts of that scope.
func waitScope(t *testing.T, s *Server, scope string, n int) []Delivery {
	t.Helper()
	ctx := waitCtx(t)
	for want := 1; ; want++ {
		ds, err := s.WaitDeliveries(ctx, want)
		if err != nil {
			t.Fatalf("waiting for %d %s deliveries: %v", n, scope, err)
		}
		var match []Delivery
		for _, d := range ds {
			if d.Scope == scope {
				match = append(match, d)
			}
		}
		if len(match) >= n {
			return match
		}
		want = len(ds)
	}
}

// sampleOrder is a POST /v2/orders body buying a variant and a simple product.
func sampleOrder(t *testing.T, s *Server) (OrderInput, Variant, Product) {
	t.Helper()
	var variant Variant
	var simple Product
	for _, p := range s.Products() {
		if p.InventoryTracking == "variant" && variant.ID == 0 {
			variant = p.Variants[1]
		}
		if p.InventoryTracking == "product" && simple.ID == 0 {
			simple = p
		}
	}
	email := "ana@example.com"
	status := StatusAwaitingFulfillment
	ship := MoneyOf("9.95")
	return OrderInput{
		StatusID:       &status,
		BillingAddress: &Address{AddressFields: AddressFields{FirstName: "Ana", LastName: "Ruiz", Street1: "12 Elm Rd", City: "Denver", State: "Colorado", Zip: "80203", Country: "United States", CountryISO2: "US", Email: email}},
		ShippingAddresses: []ShippingAddressInput{{AddressFields: AddressFields{FirstName: "Ana", LastName: "Ruiz", Street1: "12 Elm Rd", Street2: "Apt 3", City: "Denver", State: "Colorado", Zip: "80203", Country: "United States", CountryISO2: "US", Email: email},
			ShippingMethod: "Standard Ground"}},
		Products: []OrderProductInput{
			{ProductID: variant.ProductID, VariantID: variant.ID, Quantity: 2},
			{ProductID: simple.ID, Quantity: 1},
		},
		ShippingCostExTax:  &ship,
		ShippingCostIncTax: &ship,
		CustomerMessage:    "Please leave at side door",
	}, variant, simple
}

// createOrder posts a sample order and returns its id and lines.
func createOrder(t *testing.T, s *Server) (int, []OrderProduct) {
	t.Helper()
	in, _, _ := sampleOrder(t, s)
	r := call(t, s, "POST", "/v2/orders", in)
	wantStatus(t, r, http.StatusOK)
	id := int(r.object(t)["id"].(float64))
	return id, s.OrderProducts(id)
}
