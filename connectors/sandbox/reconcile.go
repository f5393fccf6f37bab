package sandbox

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Check is the verdict on one flow, computed from the fakes' state alone.
type Check struct {
	Flow     string
	Checked  int
	Problems []string
}

// OK reports whether the flow reconciled.
func (c Check) OK() bool { return len(c.Problems) == 0 }

// importStatus is the orders pipeline's default status gate: BigCommerce
// status id -> the ShipStation status an open order has.
var importStatus = map[int]string{
	7: "awaiting_payment", 11: "awaiting_shipment", 9: "awaiting_shipment",
	12: "on_hold", 13: "on_hold", 5: "cancelled", 4: "cancelled",
}

// Reconcile checks that the two fake vendors agree the way the shipped
// pipelines promise: every importable order is in ShipStation with the
// right status, every label is a BigCommerce shipment with its tracking
// number and a voided one is not, and ShipStation's products carry
// BigCommerce's names and weights.
func Reconcile(f *Fakes) []Check {
	return []Check{reconcileOrders(f), reconcileTracking(f), reconcileProducts(f)}
}

func (c *Check) problem(format string, args ...any) {
	if len(c.Problems) < 20 {
		c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
	}
}

func reconcileOrders(f *Fakes) Check {
	c := Check{Flow: "orders"}
	for _, o := range f.BigCommerce.Orders() {
		// Every ship-to address after the first is an order of its own.
		for i, a := range f.BigCommerce.ShippingAddresses(o.ID) {
			if i == 0 {
				continue
			}
			if _, importable := importStatus[o.StatusID]; !importable && o.StatusID != 2 && o.StatusID != 3 {
				continue
			}
			c.Checked++
			if _, found := f.ShipStation.OrderByKey(fmt.Sprintf("bc:%s:%d:%d", StoreHash, o.ID, a.ID)); !found {
				c.problem("order %d's address %d is missing from ShipStation", o.ID, a.ID)
			}
		}
		key := fmt.Sprintf("bc:%s:%d", StoreHash, o.ID)
		ss, found := f.ShipStation.OrderByKey(key)
		want, importable := importStatus[o.StatusID]
		c.Checked++
		switch {
		case o.StatusID == 2:
			if !found || ss.OrderStatus != "shipped" {
				c.problem("order %d is shipped in BigCommerce, ShipStation has %s", o.ID, statusOf(ss.OrderStatus, found))
			}
		case o.StatusID == 3:
			// Partially shipped: one parcel or one address is still to go.
			if !found || (ss.OrderStatus != "shipped" && ss.OrderStatus != "awaiting_shipment") {
				c.problem("order %d is partially shipped in BigCommerce, ShipStation has %s", o.ID, statusOf(ss.OrderStatus, found))
			}
		case !importable:
			if found {
				c.problem("order %d (status %d) should not be in ShipStation", o.ID, o.StatusID)
			}
		case !found:
			c.problem("order %d (status %d) is missing from ShipStation", o.ID, o.StatusID)
		case want == "cancelled" && (ss.OrderStatus == "cancelled" || ss.OrderStatus == "shipped"):
		case ss.OrderStatus == "on_hold" && want == "awaiting_shipment":
			// Held in ShipStation: the exceptions flow notes it in BigCommerce.
			if !strings.Contains(o.StaffNotes, "[tote] ShipStation: on_hold") {
				c.problem("order %d is on hold in ShipStation, BigCommerce has no note of it", o.ID)
			}
		case ss.OrderStatus == "cancelled" && o.StatusID != 5:
			c.problem("order %d was cancelled in ShipStation, BigCommerce has status %d", o.ID, o.StatusID)
		case ss.OrderStatus != want:
			c.problem("order %d: BigCommerce status %d wants %s, ShipStation has %s", o.ID, o.StatusID, want, ss.OrderStatus)
		case ss.OrderStatus != "shipped" && ss.OrderStatus != "cancelled" && strOf(ss.InternalNotes) != o.StaffNotes:
			c.problem("order %d: staff notes %q in BigCommerce, %q in ShipStation", o.ID, o.StaffNotes, strOf(ss.InternalNotes))
		}
	}
	return c
}

func statusOf(s string, found bool) string {
	if !found {
		return "nothing"
	}
	return s
}

func reconcileTracking(f *Fakes) Check {
	c := Check{Flow: "tracking"}
	prefix := "bc:" + StoreHash + ":"
	for _, s := range f.ShipStation.Shipments() {
		if s.OrderKey == nil || !strings.HasPrefix(*s.OrderKey, prefix) || s.IsReturnLabel {
			continue
		}
		parts := strings.Split(*s.OrderKey, ":")
		orderID, err := strconv.Atoi(parts[2])
		if err != nil {
			continue
		}
		c.Checked++
		var bcShip *int
		for _, b := range f.BigCommerce.Shipments(orderID) {
			if b.TrackingNumber == s.TrackingNumber {
				n := 0
				for _, it := range b.Items {
					n += it.Quantity
				}
				bcShip = &n
			}
		}
		want := 0
		for _, it := range s.ShipmentItems {
			want += it.Quantity
		}
		switch {
		case s.Voided && bcShip != nil:
			c.problem("voided label %s still has a shipment on order %d", s.TrackingNumber, orderID)
		case !s.Voided && bcShip == nil:
			c.problem("label %s of order %d has no BigCommerce shipment", s.TrackingNumber, orderID)
		case !s.Voided && *bcShip != want:
			c.problem("shipment %s of order %d has %d items in BigCommerce, %d in ShipStation", s.TrackingNumber, orderID, *bcShip, want)
		}
	}
	return c
}

func reconcileProducts(f *Fakes) Check {
	c := Check{Flow: "products"}
	type bcProduct struct {
		name   string
		weight float64
	}
	bySKU := map[string]bcProduct{}
	for _, p := range f.BigCommerce.Products() {
		if len(p.Variants) <= 1 && p.SKU != "" {
			w, _ := p.Weight.Float64()
			bySKU[p.SKU] = bcProduct{p.Name, w}
		}
	}
	skus := make([]string, 0)
	for _, sp := range f.ShipStation.Products() {
		if _, ok := bySKU[sp.SKU]; ok {
			skus = append(skus, sp.SKU)
		}
	}
	sort.Strings(skus)
	for _, sku := range skus {
		sp, _ := f.ShipStation.ProductBySKU(sku)
		bp := bySKU[sku]
		c.Checked++
		if sp.WeightOz == nil || math.Abs(*sp.WeightOz-bp.weight) > 1e-6 {
			c.problem("product %s weighs %v oz in ShipStation, %v oz in BigCommerce", sku, deref(sp.WeightOz), bp.weight)
		}
		if sp.Name != bp.name {
			c.problem("product %s is %q in ShipStation, %q in BigCommerce", sku, sp.Name, bp.name)
		}
	}
	return c
}

func deref(p *float64) any {
	if p == nil {
		return "no weight"
	}
	return *p
}

func strOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
