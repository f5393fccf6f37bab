package shipstation

import (
	"fmt"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// A cache holds what the last ttl read, at most maxCached entries, however
// many keys pass through it: a sweep of a large account keeps no more than
// a small one.
func TestTTLCacheIsBoundedBySizeAndAge(t *testing.T) {
	clk := new(fakekit.Clock)
	clk.Set(t0)
	c := newTTLCache[string, int](time.Minute, clk.Now)
	for i := range 3 * maxCached {
		c.put(fmt.Sprint(i), i)
	}
	if n := len(c.m); n > maxCached {
		t.Fatalf("%d entries after %d puts, want at most %d", n, 3*maxCached, maxCached)
	}
	if _, ok := c.get(fmt.Sprint(3*maxCached - 1)); !ok {
		t.Error("the newest entry was dropped")
	}
	if _, ok := c.get("0"); ok {
		t.Error("the oldest entry is kept beyond the bound")
	}
	// Putting one key again and again keeps one entry and a short queue.
	for i := range 5 * maxCached {
		c.put("again", i)
	}
	if v, ok := c.get("again"); !ok || v != 5*maxCached-1 {
		t.Errorf("again = %v %v, want the last put", v, ok)
	}
	if q := len(c.order) - c.head; q > 2*len(c.m)+64 {
		t.Errorf("%d puts queued for %d entries", q, len(c.m))
	}
	// Past ttl, the next put drops every expired entry.
	clk.Advance(time.Minute + time.Second)
	c.put("fresh", 1)
	if n := len(c.m); n != 1 {
		t.Errorf("%d entries after the others expired, want 1", n)
	}
	c.forget("fresh")
	c.put("fresh", 2)
	if v, _ := c.get("fresh"); v != 2 || len(c.m) != 1 {
		t.Errorf("fresh = %d with %d entries, want 2 and 1", v, len(c.m))
	}
}

// The keys the order index remembers follow the rate of reads and writes:
// past absentTTL, the keys not touched since are forgotten.
func TestOrderIndexForgetsOldKeys(t *testing.T) {
	clk := new(fakekit.Clock)
	clk.Set(t0)
	x := newOrderIndex(clk.Now)
	keys := make([]string, 5000)
	for i := range keys {
		keys[i] = fmt.Sprintf("bc:s:%d", i)
	}
	x.listedAt("", clk.Now(), keys)
	clk.Advance(absentTTL + time.Second)
	x.writing("bc:s:new", "new", true)
	x.mu.Lock()
	n := len(x.touched)
	x.mu.Unlock()
	if n != 1 {
		t.Errorf("the index keeps %d keys, want only the one touched since", n)
	}
	if x.absent("bc:s:new", "new") {
		t.Error("a key written since the listing is taken for absent")
	}
}
