package sandbox

import (
	"sort"
	"strconv"
	"strings"
)

// reconcileEffects counts the effects each vendor holds, one by one, so
// that a write made twice shows even where the other checks look records
// up by a key (an orderKey, a tracking number) and would find one of the
// two: ShipStation orders per order number, BigCommerce shipments per
// tracking number, refunds per parcel and relative stock adjustments per
// shipment or return and SKU. In relative inventory mode it also checks
// that every label BigCommerce did not count itself was taken off its
// stock once, for exactly its units: other channels' labels of SKUs it
// sells, and tote's own only when the store never updates stock (it
// counts its orders when they are placed); and that no other label was.
func reconcileEffects(f *Fakes, e Expectations) Check {
	c := Check{Flow: "effects"}
	prefix := "bc:" + StoreHash + ":"

	numbers := map[string]int{}
	for _, o := range f.ShipStation.Orders() {
		if strings.HasPrefix(o.OrderKey, prefix) {
			numbers[o.OrderNumber]++
		}
	}
	c.onlyOnce(numbers, func(n string, times int) {
		c.problem("order number %s is in ShipStation %d times", n, times)
	})

	for _, o := range f.BigCommerce.Orders() {
		tracking := map[string]int{}
		for _, s := range f.BigCommerce.Shipments(o.ID) {
			tracking[s.TrackingNumber]++
		}
		c.onlyOnce(tracking, func(t string, times int) {
			c.problem("order %d has %d BigCommerce shipments with tracking number %q", o.ID, times, t)
		})
		reasons := map[string]int{}
		for _, r := range f.BigCommerce.Refunds(o.ID) {
			reasons[r.Reason]++
		}
		c.onlyOnce(reasons, func(r string, times int) {
			c.problem("order %d has %d refunds for %q", o.ID, times, r)
		})
	}

	// Relative adjustments, by what they are for and SKU.
	// A take stopped at 0 carries a note after its reason: "(...)".
	type moveKey struct{ reason, sku string }
	moves := map[moveKey][]int{}
	stopped := map[moveKey]bool{}
	for _, a := range f.BigCommerce.StockAdjustments() {
		if a.Relative {
			reason, note, _ := strings.Cut(a.Reason, " (")
			k := moveKey{reason, strings.ToLower(a.SKU)}
			moves[k] = append(moves[k], a.Quantity)
			stopped[k] = stopped[k] || note != ""
		}
	}
	keys := make([]moveKey, 0, len(moves))
	for k := range moves {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].reason < keys[j].reason || keys[i].reason == keys[j].reason && keys[i].sku < keys[j].sku
	})
	for _, k := range keys {
		c.Checked++
		if n := len(moves[k]); n > 1 {
			c.problem("SKU %s was adjusted %d times for %q: %v", k.sku, n, k.reason, moves[k])
		}
	}
	if !e.RelativeInventory {
		return c
	}
	for _, s := range f.ShipStation.Shipments() {
		if s.IsReturnLabel {
			continue
		}
		own := s.OrderKey != nil && strings.HasPrefix(*s.OrderKey, prefix)
		if !own && s.OrderKey != nil && strings.HasPrefix(*s.OrderKey, "bc:") {
			continue // another BigCommerce store's order: its own stock
		}
		units := map[string]int{}
		for _, it := range s.ShipmentItems {
			units[strings.ToLower(it.SKU)] += it.Quantity
		}
		reason := "shipstation shipment " + strconv.FormatInt(s.ShipmentID, 10)
		for _, sku := range sortedCounts(units) {
			got := moves[moveKey{reason, sku}]
			_, sold := f.BigCommerce.Stock(sku, inventoryLocation)
			// BigCommerce counted tote's own orders itself, unless the store
			// never updates stock; it never saw other channels' orders.
			due := sold && (!own || e.StoreNeverUpdatesStock)
			switch {
			case !due && len(got) > 0 && own:
				c.problem("label %s's %d units of %s were taken off BigCommerce's stock, which had counted them when the order was placed", s.TrackingNumber, units[sku], sku)
			case !due && len(got) > 0:
				c.problem("label %s of another channel took %d units of %s, which BigCommerce does not sell, off its stock", s.TrackingNumber, -got[0], sku)
			case !due:
			case s.Voided && len(got) <= 1:
				// Voided before or after its stock was taken: either is right.
			case len(got) == 0 && e.parkedTake(reason, sku):
				// Parked: the write's outcome is unknown, left to a person.
			case len(got) == 0 && f.BigCommerce.StockWasOut(sku, inventoryLocation, s.CreateDate.Time):
				// Nothing left to take: a take from 0 sends nothing.
			case len(got) == 0:
				c.problem("label %s's %d units of %s were never taken off BigCommerce's stock", s.TrackingNumber, units[sku], sku)
			case len(got) == 1 && stopped[moveKey{reason, sku}] && got[0] < 0 && got[0] > -units[sku]:
				// Stopped at 0: BigCommerce had fewer units than shipped.
			case len(got) == 1 && got[0] != -units[sku]:
				c.problem("label %s took %d units of %s off BigCommerce's stock, it shipped %d", s.TrackingNumber, -got[0], sku, units[sku])
			}
		}
	}
	return c
}

// onlyOnce counts one check per key of tally, in key order, and calls twice
// for each key counted more than once.
func (c *Check) onlyOnce(tally map[string]int, twice func(key string, times int)) {
	for _, k := range sortedCounts(tally) {
		c.Checked++
		if tally[k] > 1 {
			twice(k, tally[k])
		}
	}
}

// sortedCounts returns a tally's keys in order.
func sortedCounts[K int | string](m map[K]int) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
