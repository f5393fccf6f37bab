package bigcommercetest

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestSimSeedOrdersSpreadsHistoryWithoutWebhooksOrStock(t *testing.T) {
	s := newTestServer(t, Options{})
	// A hook on every order event: seeding history must not call it.
	wantStatus(t, call(t, s, http.MethodPost, "/v3/hooks", map[string]any{"scope": "store/order/*", "destination": "http://127.0.0.1:1/hook", "is_active": true}), http.StatusOK)
	stockBefore := s.StockAdjustments()
	from := time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC)
	to := from.Add(72 * time.Hour)
	r := callWith(t, s, http.MethodPost, s.URL+"/_sim/orders/seed",
		map[string]any{"count": 1000, "from": from, "to": to}, nil)
	wantStatus(t, r, http.StatusOK)
	got := r.object(t)
	if got["count"] != float64(1000) || got["last_id"].(float64)-got["first_id"].(float64) != 999 {
		t.Fatalf("answer %s", r.body)
	}

	orders := s.Orders()
	if len(orders) != 1000 {
		t.Fatalf("%d orders in the store, want 1000", len(orders))
	}
	if first, last := orders[0], orders[len(orders)-1]; !first.DateModified.Equal(from) || !last.DateModified.Equal(to) ||
		!first.DateCreated.Equal(from) {
		t.Fatalf("orders span %s..%s (created %s), want %s..%s", first.DateModified, last.DateModified, first.DateCreated, from, to)
	}
	for i := 1; i < len(orders); i++ {
		if orders[i].DateModified.Before(orders[i-1].DateModified.Time) {
			t.Fatalf("order %d modified before order %d", orders[i].ID, orders[i-1].ID)
		}
		if orders[i].StatusID != StatusAwaitingFulfillment || orders[i].ItemsTotal != 1 {
			t.Fatalf("order %d: status %d, %d items", orders[i].ID, orders[i].StatusID, orders[i].ItemsTotal)
		}
	}
	// min_date_modified sees the window's second half only.
	page := call(t, s, http.MethodGet, "/v2/orders?limit=250&min_date_modified="+url.QueryEscape(from.Add(36*time.Hour).Format(time.RFC3339)), nil)
	wantStatus(t, page, http.StatusOK)
	if n := len(page.array(t)); n != 250 {
		t.Fatalf("a page of the second half has %d orders", n)
	}
	if d := s.Deliveries(); len(d) != 0 {
		t.Fatalf("seeding history delivered %d webhooks", len(d))
	}
	if n := len(s.StockAdjustments()) - len(stockBefore); n != 0 {
		t.Fatalf("seeding history moved stock %d times", n)
	}

	for _, bad := range []map[string]any{
		{"count": 0, "from": from, "to": to},
		{"count": 10, "from": to, "to": from},
		{"count": 10},
	} {
		r := callWith(t, s, http.MethodPost, s.URL+"/_sim/orders/seed", bad, nil)
		wantStatus(t, r, http.StatusBadRequest)
	}
	if n := len(s.Orders()); n != 1000 {
		t.Fatalf("refused seeds added orders: %d", n)
	}
}
