package main

import (
	"context"
	"math"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/metrics"
)

func TestHistogramQuantileInterpolatesWithinItsBucket(t *testing.T) {
	// 100 observations: 50 at most 1 ms, 40 more at most 5 ms, 10 over 10 ms.
	h := histogram{0.001: 50, 0.005: 90, 0.01: 90, math.Inf(1): 100}
	for _, c := range []struct{ q, want float64 }{
		{0.25, 0.0005}, // halfway into the first bucket
		{0.70, 0.003},  // halfway into the second
		{0.99, 0.01},   // in the last: its lower bound
	} {
		if got := h.quantile(c.q); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
}

// A histogram scraped from tote's own metrics: every observation counted
// once, the ones past the last bound included.
func TestScrapeHistogramReadsToteMetrics(t *testing.T) {
	m := metrics.New(metrics.Options{})
	for _, d := range []time.Duration{3 * time.Millisecond, 40 * time.Millisecond, 20 * time.Second} {
		m.Delivered("orders", "placed", 1, 0, d)
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	h, err := scrapeHistogram(context.Background(), srv.URL, "tote_webhook_ack_seconds")
	if err != nil {
		t.Fatal(err)
	}
	if got := h[math.Inf(1)]; got != 3 {
		t.Errorf("%v observations, want 3", got)
	}
	// The second of three is halfway into the (0.025, 0.05] bucket.
	if got := h.quantile(0.5); math.Abs(got-0.0375) > 1e-9 {
		t.Errorf("median %v, want 0.0375", got)
	}
}
