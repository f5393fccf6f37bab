package fakekit

import (
	"maps"
	"testing"
)

func TestRequestCountsCollapseNumericSegments(t *testing.T) {
	var c RequestCounts
	if got := c.Snapshot(); got != nil {
		t.Fatalf("before any request: %v, want nil", got)
	}
	for _, r := range [][2]string{
		{"GET", "/orders"},
		{"GET", "/orders"},
		{"POST", "/orders/createorders"},
		{"GET", "/orders/512340001"},
		{"GET", "/orders/512340002"},
		{"GET", "/v2/orders/100/shipments/7"},
		{"PUT", "/v3/catalog/products/1/variants/2/3"},
		{"GET", "/v2/labels/se-12/track"},
		{"GET", "/v3/orders/12a"},
	} {
		c.Count(r[0], r[1])
	}
	want := map[string]int64{
		"GET /orders":                                      2,
		"POST /orders/createorders":                        1,
		"GET /orders/{id}":                                 2,
		"GET /v2/orders/{id}/shipments/{id}":               1,
		"PUT /v3/catalog/products/{id}/variants/{id}/{id}": 1,
		"GET /v2/labels/se-12/track":                       1,
		"GET /v3/orders/12a":                               1,
	}
	got := c.Snapshot()
	if !maps.Equal(got, want) {
		t.Fatalf("counts = %v, want %v", got, want)
	}
	got["GET /orders"] = 99
	if n := c.Snapshot()["GET /orders"]; n != 2 {
		t.Fatalf("a snapshot changed the counts: %d", n)
	}
}
