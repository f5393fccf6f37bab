package metrics_test

import (
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/metrics"
	"github.com/toteworks/tote/engine/state"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Result().Body)
	return string(b)
}

func TestStateGaugesAndCalls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := start
	clock := func() time.Time { return now }
	st, err := state.Open(ctx, filepath.Join(t.TempDir(), "state.db"), state.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := metrics.New(metrics.Options{Store: st, Lease: "tote-run", Clock: clock})

	if _, err := st.Enqueue(ctx, state.NewItem{Pipeline: "orders", Trigger: "placed", Key: "a"},
		state.NewItem{Pipeline: "orders", Trigger: "placed", Key: "b"}); err != nil {
		t.Fatal(err)
	}
	if err := st.OpenIntent(ctx, state.Intent{Key: "k1", Connection: "connection.shipstation.main", Action: "upsert_order"}); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.AcquireLease(ctx, "tote-run", "host:42:1:1", time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	now = start.Add(90 * time.Second)
	m.VendorCall(connectors.VendorCall{Connection: "connection.shipstation.main", Method: "GET", Endpoint: "/orders/{id}", Status: 429, BudgetRemaining: 0})
	m.VendorCall(connectors.VendorCall{Connection: "connection.shipstation.main", Method: "GET", Endpoint: "/orders/{id}", Status: 200, BudgetRemaining: 7})
	m.VendorCall(connectors.VendorCall{Connection: "connection.shipstation.main", Method: "GET", Endpoint: "/orders/{id}", Status: 0, BudgetRemaining: -1})

	m.Delivered("orders", "placed", 1, 0, 3*time.Millisecond)
	m.Delivered("orders", "placed", 0, 1, 40*time.Millisecond)

	out := scrape(t, m)
	for _, want := range []string{
		`tote_webhook_events_accepted_total{pipeline="orders",trigger="placed"} 1`,
		`tote_webhook_events_duplicate_total{pipeline="orders",trigger="placed"} 1`,
		`tote_webhook_ack_seconds_bucket{pipeline="orders",trigger="placed",le="0.0025"} 0`,
		`tote_webhook_ack_seconds_bucket{pipeline="orders",trigger="placed",le="0.005"} 1`,
		`tote_webhook_ack_seconds_bucket{pipeline="orders",trigger="placed",le="0.05"} 2`,
		`tote_webhook_ack_seconds_count{pipeline="orders",trigger="placed"} 2`,
		`tote_inbox_items{pipeline="orders",status="pending"} 2`,
		`tote_inbox_oldest_pending_seconds 90`,
		`tote_intents{status="pending"} 1`,
		`tote_lease_holder{holder="host:42:1:1"} 1`,
		`tote_vendor_requests_total{connection="shipstation.main",endpoint="/orders/{id}",status="429"} 1`,
		`tote_vendor_requests_total{connection="shipstation.main",endpoint="/orders/{id}",status="200"} 1`,
		`tote_vendor_requests_total{connection="shipstation.main",endpoint="/orders/{id}",status="error"} 1`,
		`tote_vendor_throttled_total{connection="shipstation.main"} 1`,
		`tote_rate_budget_remaining{connection="shipstation.main"} 7`,
		`tote_state_scrape_errors 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %s\n%s", want, out)
		}
	}
}

func TestRegistriesAreSeparate(t *testing.T) {
	t.Parallel()
	a, b := metrics.New(metrics.Options{}), metrics.New(metrics.Options{})
	a.RunSettled("orders", metrics.OutcomeDead, time.Second)
	a.Rejected(413)
	if out := scrape(t, a); !strings.Contains(out, `tote_runs_total{outcome="dead",pipeline="orders"} 1`) ||
		!strings.Contains(out, `tote_webhook_rejected_total{reason="too_large"} 1`) {
		t.Errorf("a's scrape lacks its run or rejection:\n%s", out)
	}
	if out := scrape(t, b); strings.Contains(out, "tote_runs_total{") {
		t.Errorf("b counts a's run:\n%s", out)
	}
}
