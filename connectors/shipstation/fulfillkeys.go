package shipstation

import (
	"context"
	"fmt"
	"sync"

	"github.com/toteworks/tote/connectors"
)

// ShipStation's fulfillments name their order by orderId and orderNumber
// but carry no orderKey, and an orderNumber proves nothing (other channels
// use the same numbers). The key is read from the orders themselves: an
// order's key never changes, so every order the connection reads is
// remembered by id, and the fulfillments' orders not seen yet are listed
// together, by the widest orderNumber prefix they share, never one call
// per fulfillment.

// maxKnownKeys bounds the orderId -> orderKey memory; it starts over when
// full (a forgotten key is listed again, never guessed).
const maxKnownKeys = 200000

// orderKeys remembers the orderKey of every order read, by orderId.
type orderKeys struct {
	mu   sync.Mutex
	byID map[int64]string
}

func newOrderKeys() *orderKeys { return &orderKeys{byID: map[int64]string{}} }

func (k *orderKeys) note(orders []Order) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, o := range orders {
		if o.OrderID == nil || o.OrderKey == nil {
			continue
		}
		if len(k.byID) >= maxKnownKeys {
			k.byID = map[int64]string{}
		}
		k.byID[*o.OrderID] = *o.OrderKey
	}
}

func (k *orderKeys) get(id int64) (string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	key, ok := k.byID[id]
	return key, ok
}

// keyFulfillments sets each fulfillment's OrderKey from its order. A
// fulfillment whose order cannot be found (deleted, or no number) keeps
// none, so no pipeline takes it for tote's.
func (c *conn) keyFulfillments(ctx context.Context, fs []Fulfillment) error {
	var missing []*lookupReq
	wanted := map[int64]bool{}
	for i := range fs {
		f := &fs[i]
		if f.OrderID == nil {
			continue
		}
		if key, ok := c.c.keys.get(*f.OrderID); ok {
			f.OrderKey = &key
			continue
		}
		if n := deref(f.OrderNumber); n != "" && !wanted[*f.OrderID] {
			wanted[*f.OrderID] = true
			missing = append(missing, &lookupReq{number: n})
		}
	}
	if len(missing) > 0 {
		if err := c.listNumbers(ctx, missing); err != nil {
			return err
		}
	}
	for i := range fs {
		f := &fs[i]
		if f.OrderKey != nil || f.OrderID == nil {
			continue
		}
		if key, ok := c.c.keys.get(*f.OrderID); ok {
			f.OrderKey = &key
		}
	}
	return nil
}

// listNumbers lists every order whose number starts with the group's
// common prefix (noting their keys), splitting the group by the next
// character when the prefix matches more pages than the group has
// members.
func (c *conn) listNumbers(ctx context.Context, group []*lookupReq) error {
	prefix := commonPrefix(group)
	first, err := c.orderPage(ctx, prefix, 1)
	if err != nil {
		return err
	}
	c.c.keys.note(first.Orders)
	if first.Pages <= 1 {
		return nil
	}
	if subs := splitAt(group, len(prefix)); len(subs) > 1 && first.Pages-1 > len(subs) {
		for k, sub := range subs {
			if k == "" {
				continue // numbers equal to the prefix: read in full below
			}
			if err := c.listNumbers(ctx, sub); err != nil {
				return err
			}
		}
		if _, exact := subs[""]; !exact {
			return nil
		}
	}
	if first.Pages > maxLookupPages {
		return connectors.Permanent(fmt.Errorf(
			"shipstation: more than %d orders have numbers starting with %q; cannot read the orders of their fulfillments", maxLookupPages*pageSize, prefix))
	}
	for p := 2; p <= first.Pages; p++ {
		next, err := c.orderPage(ctx, prefix, p)
		if err != nil {
			return err
		}
		c.c.keys.note(next.Orders)
	}
	return nil
}
