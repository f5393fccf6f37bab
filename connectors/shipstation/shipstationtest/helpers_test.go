package shipstationtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// t0 is 10:00 Pacific (PDT) on 2024-06-05.
var t0 = time.Date(2024, 6, 5, 17, 0, 0, 0, time.UTC)

// newTestServer starts a fake with a frozen clock at t0 and a quota high
// enough not to interfere, unless opts says otherwise.
func newTestServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = new(fakekit.Clock)
		opts.Clock.Set(t0)
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 100000
	}
	s := NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

// reply is a decoded HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

func (r reply) list(t *testing.T) []any {
	t.Helper()
	var l []any
	if err := json.Unmarshal(r.body, &l); err != nil {
		t.Fatalf("body is not a JSON array: %v: %s", err, r.body)
	}
	return l
}

// call sends a request; body may be nil, a string (sent raw) or a value
// (sent as JSON). auth sets v1 Basic credentials or the v2 key by path.
func call(t *testing.T, s *Server, method, path string, body any, auth bool) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth {
		if strings.HasPrefix(strings.ToLower(path), "/v2/") {
			req.Header.Set("API-Key", s.opts.V2APIKey)
		} else {
			req.SetBasicAuth(s.opts.APIKey, s.opts.APISecret)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func api(t *testing.T, s *Server, method, path string, body any) reply {
	t.Helper()
	return call(t, s, method, path, body, true)
}

// mustOK fails unless the answer has the wanted status.
func mustStatus(t *testing.T, r reply, want int) reply {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
	return r
}

// orderJSON is a createorder body in the reference's own field names.
func orderJSON(key, number string, items ...map[string]any) map[string]any {
	if items == nil {
		items = []map[string]any{line("li-1", "MUG-BLK-12", 2, 18.5)}
	}
	return map[string]any{
		"orderNumber":      number,
		"orderKey":         key,
		"orderDate":        "2024-06-05 09:14:22",
		"paymentDate":      "2024-06-05 09:14:22",
		"orderStatus":      "awaiting_shipment",
		"customerUsername": "jane@example.com",
		"customerEmail":    "jane@example.com",
		"billTo":           map[string]any{"name": "Jane Roe"},
		"shipTo": map[string]any{"name": "Jane Roe", "street1": "42 Elm St", "city": "Denver", "state": "CO",
			"postalCode": "80202", "country": "US", "phone": "303-555-0100", "residential": true},
		"items":          items,
		"amountPaid":     46.0,
		"taxAmount":      3.0,
		"shippingAmount": 6.0,
		"internalNotes":  "fragile",
		"advancedOptions": map[string]any{
			"customField1": "bc_order_id=" + number, "source": "bigcommerce",
		},
	}
}

func line(key, sku string, qty int, price float64) map[string]any {
	return map[string]any{"lineItemKey": key, "sku": sku, "name": "Item " + sku, "quantity": qty,
		"unitPrice": price, "weight": map[string]any{"value": 14, "units": "ounces"}}
}

// createOrder posts one order and returns the decoded answer.
func createOrder(t *testing.T, s *Server, body map[string]any) map[string]any {
	t.Helper()
	return mustStatus(t, api(t, s, "POST", "/orders/createorder", body), 200).json(t)
}

func idOf(m map[string]any, field string) int64 { return int64(m[field].(float64)) }

// receiver is a webhook target that records what it is sent.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]string
	got    chan struct{}
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{got: make(chan struct{}, 100)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		_ = json.NewDecoder(r.Body).Decode(&m)
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, m)
		rc.mu.Unlock()
		rc.got <- struct{}{}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) received() []map[string]string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]string(nil), rc.bodies...)
}

// waitCtx bounds waits on webhook deliveries.
func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// fetch GETs an absolute resource_url with v1 credentials.
func fetch(t *testing.T, s *Server, rawURL string) map[string]any {
	t.Helper()
	return mustStatus(t, api(t, s, "GET", strings.TrimPrefix(rawURL, s.URL), nil), 200).json(t)
}
