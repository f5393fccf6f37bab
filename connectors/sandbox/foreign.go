package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors/orderkey"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
)

// Other channels sell through the same ShipStation account: a marketplace
// and a native BigCommerce store, whose order numbers are the same plain
// numbers as BigCommerce's order ids. The world places such orders with
// the number of a BigCommerce order already placed, and the warehouse
// ships, marks shipped, holds, cancels and takes returns of them like any
// other; none of it may reach BigCommerce.

// foreignEvery is how often (in BigCommerce orders placed) another
// channel's order with a colliding number comes in.
const foreignEvery = 8

// foreignStockMargin is the BigCommerce stock a SKU must have for another
// channel's order to carry it (World.ForeignStoreSKUs).
const foreignStockMargin = 25

// placeForeign adds another channel's order numbered like BigCommerce
// order id: a marketplace's (generated key) or a native BigCommerce
// store's (keyed by the bare number).
func (w *World) placeForeign(id int, rng *rand.Rand) {
	fo := shipstationtest.ForeignOrder{Number: strconv.Itoa(id)}
	if lines := w.Fakes.BigCommerce.OrderProducts(id); w.ForeignStoreSKUs && id%2 == 0 && len(lines) > 0 {
		// Only where BigCommerce has stock to spare: a channel selling
		// what the store has promised its own shoppers is an oversell, for
		// a person (tote takes the stock down to 0 and says so).
		if level, ok := w.Fakes.BigCommerce.Stock(lines[0].SKU, 1); ok && level >= foreignStockMargin {
			fo.SKU = lines[0].SKU
		}
	}
	if rng.IntN(2) == 0 {
		fo.Key, fo.Store = fo.Number, shipstationtest.ForeignNativeStore
	}
	if _, err := w.Fakes.ShipStation.AddForeignOrder(fo); err == nil {
		w.count("other channels' orders")
	}
}

// foreignFirst are the fates of the first other channels' orders the
// warehouse handles, one of each kind (cancelled, held, marked shipped,
// shipped), so that a short world has them all; later ones are drawn.
var foreignFirst = []float64{0.1, 0.2, 0.3, 0.9}

// workForeign is the warehouse handling another channel's order.
func (w *World) workForeign(o shipstationtest.Order) {
	ss := w.Fakes.ShipStation
	id := o.OrderID
	rng := w.orderRand("foreign:" + strconv.FormatInt(id, 10))
	r := rng.Float64()
	w.mu.Lock()
	if w.foreignWorked < len(foreignFirst) {
		r = foreignFirst[w.foreignWorked]
	}
	w.foreignWorked++
	w.mu.Unlock()
	switch {
	case r < 0.15:
		if ss.Cancel(id) == nil {
			w.count("other channels' orders cancelled")
		}
	case r < 0.25:
		if ss.Hold(id, time.Now().AddDate(0, 0, 7)) == nil && ss.TagOrder(id, shipstationtest.TagBackorder) == nil {
			w.count("other channels' orders held")
		}
	case r < 0.50:
		if ss.MarkForeignShipped(id, "ups", fmt.Sprintf("1ZMKT%08d", id%100000000)) == nil {
			w.count("other channels' orders marked shipped")
		}
	default:
		if _, err := ss.ShipForeign(id, "stamps_com"); err == nil {
			w.count("other channels' orders shipped")
			if rng.Float64() < 0.3 {
				w.later(returnAfter, func() {
					if ss.ReturnForeign(id) == nil {
						w.count("other channels' returns")
					}
				})
			}
		}
	}
}

// reconcileForeign checks that other channels' orders touched no
// BigCommerce order: no BigCommerce shipment carries one of their
// tracking numbers, a BigCommerce order whose tote order never left the
// warehouse has no shipment, and a cancel, backorder or exception noted
// in BigCommerce is one of tote's order.
func reconcileForeign(f *Fakes) Check {
	c := Check{Flow: "foreign"}
	ss := f.ShipStation
	theirs := map[string]int64{} // tracking number -> their order
	numbers := map[int]bool{}    // BigCommerce ids their numbers collide with
	for _, o := range ss.Orders() {
		if !ss.IsForeign(o.OrderID) {
			continue
		}
		c.Checked++
		if n, err := strconv.Atoi(strings.SplitN(o.OrderNumber, "-", 2)[0]); err == nil {
			numbers[n] = true
		}
	}
	left := map[int]bool{} // BigCommerce ids whose tote order left the warehouse
	toteID := func(key string) (int, bool) {
		k, ok := orderkey.Parse(key)
		return int(k.OrderID), ok && k.StoreHash == StoreHash
	}
	for _, s := range ss.Shipments() {
		switch {
		case s.OrderID != nil && ss.IsForeign(*s.OrderID):
			theirs[s.TrackingNumber] = *s.OrderID
		case !s.IsReturnLabel && !s.Voided && s.OrderKey != nil:
			if n, ok := toteID(*s.OrderKey); ok {
				left[n] = true
			}
		}
	}
	for _, fl := range ss.Fulfillments() {
		tracking := fmt.Sprintf("ss-fulfillment-%d", fl.FulfillmentID)
		if fl.TrackingNumber != nil {
			tracking = *fl.TrackingNumber
		}
		if ss.IsForeign(fl.OrderID) {
			theirs[tracking] = fl.OrderID
		} else if o, ok := ss.Order(fl.OrderID); ok {
			if n, ok := toteID(o.OrderKey); ok {
				left[n] = true
			}
		}
	}
	for _, o := range f.BigCommerce.Orders() {
		shipments := f.BigCommerce.Shipments(o.ID)
		for _, b := range shipments {
			if their, ok := theirs[b.TrackingNumber]; ok {
				c.problem("order %d has a shipment (%s) of another channel's order %d", o.ID, b.TrackingNumber, their)
			}
		}
		if !numbers[o.ID] {
			continue
		}
		if len(shipments) > 0 && !left[o.ID] {
			c.problem("order %d has %d shipments; tote's order of it never left the warehouse", o.ID, len(shipments))
		}
		tote, found := ss.OrderByKey(orderkey.Key{StoreHash: StoreHash, OrderID: int64(o.ID)}.String())
		for _, m := range noteLine.FindAllStringSubmatch(o.StaffNotes, -1) {
			reason := m[1]
			if reason != "cancelled" && reason != "backorder" && reason != "exception" {
				continue
			}
			if !found || !toteExplains(ss, tote, reason) {
				c.problem("order %d is noted %s; tote's order of it is not", o.ID, reason)
			}
		}
	}
	return c
}

// toteExplains reports whether tote's own order shows reason: cancelled,
// or tagged Backorder or Exception (tags stay on after shipping).
func toteExplains(ss *shipstationtest.Server, o shipstationtest.Order, reason string) bool {
	if reason == "cancelled" {
		return o.OrderStatus == "cancelled"
	}
	want := map[string]string{"backorder": shipstationtest.TagBackorder, "exception": shipstationtest.TagException}[reason]
	for _, t := range ss.OrderTags(o.OrderID) {
		if t == want {
			return true
		}
	}
	return false
}
