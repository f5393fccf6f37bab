package fakekit

import (
	"maps"
	"strings"
	"sync"
)

// RequestCounts tallies API requests by method and path, with every numeric
// path segment collapsed to {id} so that one key stands for all orders:
// "GET /v2/orders/{id}". The zero value is ready to use.
type RequestCounts struct {
	mu sync.Mutex
	n  map[string]int64
}

// Count adds one request.
func (c *RequestCounts) Count(method, path string) {
	key := method + " " + collapseIDs(path)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int64{}
	}
	c.n[key]++
}

// Snapshot returns a copy of the tallies (nil before the first request).
func (c *RequestCounts) Snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

// collapseIDs replaces the all-digit segments of path after its first slash
// with {id}.
func collapseIDs(path string) string {
	segs := strings.Split(path, "/")
	changed := false
	for i := 1; i < len(segs); i++ {
		if s := segs[i]; s != "" && strings.Trim(s, "0123456789") == "" {
			segs[i], changed = "{id}", true
		}
	}
	if !changed {
		return path
	}
	return strings.Join(segs, "/")
}
