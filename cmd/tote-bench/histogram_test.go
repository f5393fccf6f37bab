package main

import (
	"math"
	"testing"
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
