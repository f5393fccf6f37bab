package bigcommercetest

import (
	"net/http"
	"testing"
)

// TestBrokenPaging: under the broken_paging fault a v3 list answers its
// first page whatever page is asked, without current_page, and claims
// another page follows. (v2 lists: see the connector's paging tests.)
func TestBrokenPaging(t *testing.T) {
	s := newTestServer(t, Options{})
	first, _ := call(t, s, "GET", "/v3/catalog/products?limit=5&page=1", nil).v3list(t)
	s.SetFaults(Faults{BrokenPaging: true})
	r := call(t, s, "GET", "/v3/catalog/products?limit=5&page=7", nil)
	wantStatus(t, r, http.StatusOK)
	data, meta := r.v3list(t)
	pg := meta["pagination"].(map[string]any)
	if _, ok := pg["current_page"]; ok || pg["total_pages"].(float64) != 8 {
		t.Fatalf("pagination = %v, want no current_page and 8 pages", pg)
	}
	if len(data) != 5 || data[0]["id"] != first[0]["id"] {
		t.Fatalf("page 7 = %d items from id %v, want page 1's", len(data), data[0]["id"])
	}
	s.SetFaults(Faults{})
	r = call(t, s, "GET", "/v3/catalog/products?limit=5&page=2", nil)
	if _, meta := r.v3list(t); meta["pagination"].(map[string]any)["current_page"].(float64) != 2 {
		t.Fatalf("faults off: pagination = %v", meta["pagination"])
	}
}
