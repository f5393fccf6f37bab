package shipstationtest

import (
	"net/http"
	"strings"
	"testing"
)

// TestGatewayRefusesLongRequestURIs: a request URI over MaxRequestURI
// (8 KiB by default) is answered 414 and reaches neither API.
func TestGatewayRefusesLongRequestURIs(t *testing.T) {
	for _, c := range []struct {
		name  string
		limit int
		uri   int // length of the URI sent
		want  int
	}{
		{"default limit, just under", 0, 8192, http.StatusOK},
		{"default limit, over", 0, 8193, http.StatusRequestURITooLong},
		{"knob", 1024, 1025, http.StatusRequestURITooLong},
		{"no limit", -1, 60000, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newTestServer(t, Options{MaxRequestURI: c.limit})
			prefix := "/v2/inventory?sku="
			uri := prefix + strings.Repeat("A", c.uri-len(prefix))
			r := api(t, s, "GET", uri, nil)
			if r.status != c.want {
				t.Fatalf("GET of a %d-byte URI = %d, want %d", len(uri), r.status, c.want)
			}
			st := s.Stats()
			if refused := c.want == http.StatusRequestURITooLong; refused != (st.URITooLong == 1) || refused != (st.V2Calls == 0) {
				t.Fatalf("stats = %+v", st)
			}
		})
	}
}

// TestBrokenPaging: under the broken_paging fault a list answers its first
// page whatever page is asked, and claims another page follows.
func TestBrokenPaging(t *testing.T) {
	s := newTestServer(t, Options{})
	createOrder(t, s, orderJSON("k1", "N1", line("l1", "MUG", 1, 10)))
	createOrder(t, s, orderJSON("k2", "N2", line("l1", "PLATE", 1, 10)))
	for _, sku := range []string{"MUG", "PLATE"} {
		if err := s.SetStock(sku, 3); err != nil {
			t.Fatal(err)
		}
	}
	s.SetFaults(Faults{BrokenPaging: true})
	for _, path := range []string{"/orders?pageSize=1&page=5", "/v2/inventory?page_size=1&page=5"} {
		got := mustStatus(t, api(t, s, "GET", path, nil), 200).json(t)
		if got["pages"].(float64) != 6 {
			t.Fatalf("%s: pages = %v, want 6", path, got["pages"])
		}
		for _, field := range []string{"orders", "inventory"} {
			if items, ok := got[field].([]any); ok && len(items) != 1 {
				t.Fatalf("%s: %d items, want page 1's one", path, len(items))
			}
		}
	}
}
