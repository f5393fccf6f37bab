package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// histogram is a Prometheus histogram as scraped: cumulative counts by
// upper bound, summed over its label sets.
type histogram map[float64]float64

// scrapeHistogram reads the buckets of the histogram name from a
// Prometheus text endpoint.
func scrapeHistogram(ctx context.Context, url, name string) (histogram, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	mf, ok := families[name]
	if !ok {
		return nil, fmt.Errorf("%s: no %s", url, name)
	}
	h := histogram{}
	for _, m := range mf.GetMetric() {
		for _, b := range m.GetHistogram().GetBucket() { // the +Inf one included
			h[b.GetUpperBound()] += float64(b.GetCumulativeCount())
		}
	}
	return h, nil
}

// quantile estimates the q-quantile as Prometheus's histogram_quantile
// does: linearly within the bucket it falls in. In the last bucket (no
// upper bound) it is the highest finite bound.
func (h histogram) quantile(q float64) float64 {
	bounds := make([]float64, 0, len(h))
	for b := range h {
		bounds = append(bounds, b)
	}
	sort.Float64s(bounds)
	total := h[bounds[len(bounds)-1]]
	if total == 0 {
		return 0
	}
	rank := q * total
	lower, below := 0.0, 0.0
	for _, b := range bounds {
		if h[b] >= rank {
			if math.IsInf(b, 1) {
				return lower
			}
			return lower + (b-lower)*(rank-below)/(h[b]-below)
		}
		lower, below = b, h[b]
	}
	return lower
}
