package shipstation

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
)

// ttlCache remembers what was read for a short while, so that the plan
// and the apply of one burst of runs read ShipStation once. It holds at
// most maxCached entries, dropping the oldest first, and drops entries as
// they expire: what it holds follows the rate of reads, never the size of
// the account (a sweep of 100,000 orders must not keep them all).
type ttlCache[K comparable, V any] struct {
	ttl time.Duration
	now func() time.Time
	max int

	mu    sync.Mutex
	m     map[K]cached[V]
	order []queued[K] // puts, oldest first, from head; stale when re-put or forgotten
	head  int
	seq   uint64
}

type cached[V any] struct {
	v   V
	at  time.Time
	seq uint64 // which put made it
}

type queued[K comparable] struct {
	k   K
	at  time.Time
	seq uint64
}

// maxCached bounds every ttlCache: at ShipStation's 40 calls a minute, a
// cacheTTL of order pages is at most 20 pages of 500.
const maxCached = 10000

func newTTLCache[K comparable, V any](ttl time.Duration, now func() time.Time) *ttlCache[K, V] {
	return &ttlCache[K, V]{ttl: ttl, now: now, max: maxCached, m: map[K]cached[V]{}}
}

func (c *ttlCache[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || c.now().Sub(e.at) > c.ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *ttlCache[K, V]) put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.seq++
	c.m[k] = cached[V]{v, now, c.seq}
	c.order = append(c.order, queued[K]{k, now, c.seq})
	c.evict(now)
}

// evict needs c.mu: it drops expired entries and, beyond max, the oldest,
// and forgets the queue's stale puts (a key put again, or forgotten).
func (c *ttlCache[K, V]) evict(now time.Time) {
	for c.head < len(c.order) {
		q := c.order[c.head]
		e, ok := c.m[q.k]
		current := ok && e.seq == q.seq
		if current && now.Sub(q.at) <= c.ttl && len(c.m) <= c.max {
			break
		}
		if current {
			delete(c.m, q.k)
		}
		c.order[c.head] = queued[K]{}
		c.head++
	}
	// Stale puts of keys put again within ttl stay queued until they reach
	// the head: compact once they outnumber the entries.
	if live := len(c.order) - c.head; c.head > live || live > 2*len(c.m)+64 {
		kept := c.order[:0]
		for _, q := range c.order[c.head:] {
			if e, ok := c.m[q.k]; ok && e.seq == q.seq {
				kept = append(kept, q)
			}
		}
		clear(c.order[len(kept):])
		c.order, c.head = kept, 0
	}
}

// olderThan reports whether the entry for k was read more than d ago.
func (c *ttlCache[K, V]) olderThan(k K, d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	return ok && c.now().Sub(e.at) > d
}

// forget drops the entry for k.
func (c *ttlCache[K, V]) forget(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}

// nameCache resolves names (of tags, stores, warehouses) to ids. It
// reloads when stale, or when a name is missing and the last load is not
// recent, so a tag made in the UI a minute ago is found.
type nameCache struct {
	kind string
	load func(context.Context) (map[string]int64, error)
	now  func() time.Time

	mu  sync.Mutex
	ids map[string]int64
	at  time.Time
}

func (n *nameCache) id(ctx context.Context, name string) (int64, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	age := n.now().Sub(n.at)
	if n.ids != nil && age < namesTTL {
		if id, ok := lookupName(n.ids, name); ok || age < namesRefresh {
			if !ok {
				return 0, n.missing(name)
			}
			return id, nil
		}
	}
	ids, err := n.load(ctx)
	if err != nil {
		return 0, err
	}
	n.ids, n.at = ids, n.now()
	if id, ok := lookupName(ids, name); ok {
		return id, nil
	}
	return 0, n.missing(name)
}

// within runs f under the cache's lock once the names were read within d,
// reading them again if not.
func (n *nameCache) within(ctx context.Context, d time.Duration, f func()) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ids == nil || n.now().Sub(n.at) >= d {
		ids, err := n.load(ctx)
		if err != nil {
			return err
		}
		n.ids, n.at = ids, n.now()
	}
	f()
	return nil
}

func (n *nameCache) missing(name string) error {
	names := make([]string, 0, len(n.ids))
	for k := range n.ids {
		names = append(names, k)
	}
	sort.Strings(names)
	return connectors.Permanent(fmt.Errorf("shipstation: no %s is named %q (there are: %s)", n.kind, name, strings.Join(names, ", ")))
}

// lookupName matches exactly, then ignoring case.
func lookupName(ids map[string]int64, name string) (int64, bool) {
	if id, ok := ids[name]; ok {
		return id, true
	}
	for k, id := range ids {
		if strings.EqualFold(k, name) {
			return id, true
		}
	}
	return 0, false
}

func (c *conn) loadTags(ctx context.Context) (map[string]int64, error) {
	tags, err := c.listTags(ctx)
	if err != nil {
		return nil, err
	}
	c.tagList = tags // under c.tags' lock, as every load
	ids := map[string]int64{}
	for _, t := range tags {
		if t.Name != nil && t.TagID != nil {
			ids[*t.Name] = *t.TagID
		}
	}
	return ids, nil
}

func (c *conn) loadStores(ctx context.Context) (map[string]int64, error) {
	stores, err := c.listStores(ctx)
	if err != nil {
		return nil, err
	}
	ids := map[string]int64{}
	for _, s := range stores {
		if s.StoreName != nil && s.StoreID != nil {
			ids[*s.StoreName] = *s.StoreID
		}
	}
	return ids, nil
}

func (c *conn) loadWarehouses(ctx context.Context) (map[string]int64, error) {
	whs, err := c.listWarehouses(ctx)
	if err != nil {
		return nil, err
	}
	ids := map[string]int64{}
	for _, w := range whs {
		if w.WarehouseName != nil && w.WarehouseID != nil {
			ids[*w.WarehouseName] = *w.WarehouseID
		}
	}
	return ids, nil
}

// Unpaged account lists: bare JSON arrays.

func (c *conn) listTags(ctx context.Context) ([]Tag, error) {
	var out []Tag
	err := c.c.do(ctx, call{api: v1, method: "GET", path: "/accounts/listtags", prio: budget.Orders}, &out)
	return out, err
}

func (c *conn) listStores(ctx context.Context) ([]Store, error) {
	var out []Store
	err := c.c.do(ctx, call{api: v1, method: "GET", path: "/stores", prio: budget.Orders}, &out)
	return out, err
}

func (c *conn) listWarehouses(ctx context.Context) ([]Warehouse, error) {
	var out []Warehouse
	err := c.c.do(ctx, call{api: v1, method: "GET", path: "/warehouses", prio: budget.Orders}, &out)
	return out, err
}
