package shipstation

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/internal/pager"
)

// ShipStation has no lookup by orderKey, and its orderNumber filter matches
// prefixes. Planning a burst of upserts would cost a call per order; instead
// lookups are coalesced and resolved together: one list call for the widest
// prefix of their numbers that fits in a page (see orderIndex), narrowed
// only when a prefix matches too many orders to page through. Orders are
// then matched exactly by orderKey, and the complete listing answers later
// lookups of new orders in its range without a call.

// maxLookupPages bounds the pages read for one prefix.
const maxLookupPages = 20

type lookupReq struct {
	key, number string
	done        chan lookupResult
}

type lookupResult struct {
	order *Order // nil: no such order
	err   error
}

// findOrder returns the live order with orderKey key (nil when there is
// none); number is its orderNumber, or what it starts with. Under
// connectors.FreshReads it always asks ShipStation, past the cache and the
// index's proofs of absence.
func (c *conn) findOrder(ctx context.Context, key, number string) (*Order, error) {
	fresh := connectors.FreshReads(ctx)
	if o, ok := c.cache.get(key); ok && !fresh {
		return o, nil
	}
	if number != "" && !fresh && c.index.absent(key, number) {
		return nil, nil
	}
	if number == "" {
		return nil, connectors.Permanent(fmt.Errorf("shipstation: order %s has no orderNumber to find it by", key))
	}
	r := &lookupReq{key: key, number: number, done: make(chan lookupResult, 1)}
	c.lookups.add(r)
	select {
	case out := <-r.done:
		return out.order, out.err
	case <-ctx.Done():
		c.lookups.remove(r)
		return nil, ctx.Err()
	}
}

func (c *conn) resolveLookups(batch []*lookupReq) { c.resolve(c.ctx, batch) }

func (c *conn) resolve(ctx context.Context, group []*lookupReq) {
	prefix := commonPrefix(group)
	wide := c.index.widest(prefix)
	if wide == prefix && len(group) > 1 && c.index.large(prefix) {
		// Known to span many pages: one call per narrower prefix instead.
		if subs := splitAt(group, len(prefix)); len(subs) > 1 {
			for _, sub := range subs {
				c.resolve(ctx, sub)
			}
			return
		}
	}
	start := c.index.now()
	first, err := c.orderPage(ctx, wide, 1)
	if err != nil {
		fail(group, err)
		return
	}
	c.index.sized(wide, first.Total, first.Pages)
	orders := first.Orders
	if first.Pages > 1 && wide != prefix {
		// Wider than one page after all: remember what was read and narrow.
		c.remember(orders)
		c.resolve(ctx, group)
		return
	}
	if first.Pages > 1 {
		subs := splitAt(group, len(prefix))
		_, exact := subs[""]
		if !exact && first.Pages-1 > len(subs) {
			c.remember(orders)
			for _, sub := range subs {
				c.resolve(ctx, sub)
			}
			return
		}
		if first.Pages > maxLookupPages {
			fail(group, connectors.Permanent(fmt.Errorf(
				"shipstation: more than %d orders have numbers starting with %q; cannot find orders by key among them", maxLookupPages*pageSize, prefix)))
			return
		}
		for p := 2; p <= first.Pages; p++ {
			next, err := c.orderPage(ctx, prefix, p)
			if err != nil {
				fail(group, err)
				return
			}
			orders = append(orders, next.Orders...)
		}
	}
	byKey := c.remember(orders)
	c.index.listedAt(wide, start, slices.Collect(maps.Keys(byKey)))
	for _, r := range group {
		o := byKey[r.key]
		c.cache.put(r.key, o)
		r.done <- lookupResult{order: o}
	}
}

// remember caches orders read from ShipStation, by orderKey.
func (c *conn) remember(orders []Order) map[string]*Order {
	c.c.keys.note(orders)
	byKey := map[string]*Order{}
	for i := range orders {
		if o := &orders[i]; o.OrderKey != nil {
			byKey[*o.OrderKey] = o
			c.cache.put(*o.OrderKey, o)
		}
	}
	return byKey
}

func (c *conn) orderPage(ctx context.Context, prefix string, page int) (orderPage, error) {
	q := url.Values{"pageSize": {strconv.Itoa(pageSize)}, "page": {strconv.Itoa(page)}}
	if prefix != "" {
		q.Set("orderNumber", prefix)
	}
	var out orderPage
	if err := c.c.do(ctx, call{api: v1, method: http.MethodGet, path: "/orders", query: q, prio: budget.Orders}, &out); err != nil {
		return out, err
	}
	// The pages read here are bounded by maxLookupPages; a vendor that
	// names another page than the one asked for is not advancing.
	return out, pager.Answered("shipstation: GET /orders", page, out.Page)
}

func fail(group []*lookupReq, err error) {
	for _, r := range group {
		r.done <- lookupResult{err: err}
	}
}

func commonPrefix(group []*lookupReq) string {
	p := group[0].number
	for _, r := range group[1:] {
		n := 0
		for n < len(p) && n < len(r.number) && p[n] == r.number[n] {
			n++
		}
		p = p[:n]
	}
	return p
}

// splitAt groups lookups by the byte at position i of their numbers;
// numbers no longer than i go under "".
func splitAt(group []*lookupReq, i int) map[string][]*lookupReq {
	out := map[string][]*lookupReq{}
	for _, r := range group {
		k := ""
		if len(r.number) > i {
			k = r.number[i : i+1]
		}
		out[k] = append(out[k], r)
	}
	return out
}
