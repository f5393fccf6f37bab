package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/toteworks/tote/pipelines"
)

// Check is the verdict on one flow, computed from the fakes' state alone.
type Check struct {
	Flow     string
	Checked  int
	Problems []string
}

// OK reports whether the flow reconciled.
func (c Check) OK() bool { return len(c.Problems) == 0 }

// AllOK reports whether there are checks and every one passed.
func AllOK(checks []Check) bool {
	for _, c := range checks {
		if !c.OK() {
			return false
		}
	}
	return len(checks) > 0
}

// WriteChecks prints each check's flow, count and problems, a line each.
func WriteChecks(w io.Writer, checks []Check) {
	for _, c := range checks {
		status := "reconciled"
		if !c.OK() {
			status = fmt.Sprintf("%d problems", len(c.Problems))
		}
		fmt.Fprintf(w, "%-10s %4d checked  %s\n", c.Flow, c.Checked, status)
		for _, p := range c.Problems {
			fmt.Fprintf(w, "            - %s\n", p)
		}
	}
}

// importStatus is the orders pipeline's default status gate, its variable
// order_status_map: BigCommerce status id -> the ShipStation status an open
// order has.
var importStatus = sync.OnceValue(func() map[int]string {
	v, err := pipelines.Default("order_status_map")
	if err != nil {
		panic("sandbox: " + err.Error()) // the shipped pipelines are tested; this is a broken build
	}
	m := map[int]string{}
	for k, status := range v.AsValueMap() {
		id, err := strconv.Atoi(k)
		if err != nil {
			panic(fmt.Sprintf("sandbox: order_status_map key %q is not a status id", k))
		}
		m[id] = status.AsString()
	}
	return m
})

// Reconcile checks that the two fake vendors and the captured mail agree
// the way the shipped pipelines promise, with their default variables:
// every importable order is in ShipStation with the right status; every
// label is a BigCommerce shipment with its tracking number and a voided
// one is not; BigCommerce's stock is ShipStation's; holds, backorders,
// exceptions and cancels made in ShipStation are noted in BigCommerce and
// mailed once; every return is refunded once, untagged and mailed once;
// ShipStation's products carry BigCommerce's names and weights; and other
// channels' orders, whatever their numbers, touched no BigCommerce order.
//
// Last, every effect is counted where the vendor holds it, so that none
// made twice hides behind a lookup by key (see reconcileEffects).
func Reconcile(f *Fakes) []Check { return ReconcileWith(f, Expectations{}) }

// Expectations are the pipeline variables, where not the defaults, that
// the verdict depends on.
type Expectations struct {
	// RelativeInventory is inventory_mode = "relative": shipped units are
	// taken off BigCommerce's stock instead of ShipStation's levels being
	// copied to it.
	RelativeInventory bool
	// StoreNeverUpdatesStock is a store set never to update stock for its
	// orders (the fake BigCommerce's StockNever) and
	// bigcommerce_reduces_stock = false: relative mode then takes tote's
	// own shipments off too.
	StoreNeverUpdatesStock bool
	// Parked are the writes tote parked as of unknown outcome: a missing
	// effect that one of them accounts for is parked, not lost.
	Parked []ParkedWrite
}

// ReconcileWith is Reconcile for pipelines run with e.
func ReconcileWith(f *Fakes, e Expectations) []Check {
	mail := Emails(f)
	checks := []Check{reconcileOrders(f), reconcileTracking(f)}
	if !e.RelativeInventory {
		checks = append(checks, reconcileInventory(f))
	}
	return append(checks, reconcileExceptions(f, mail, e), reconcileReturns(f, mail, e), reconcileProducts(f),
		reconcileForeign(f), reconcileEffects(f, e))
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
			if want, importable := importStatus()[o.StatusID]; (!importable && !shippedStatus(o.StatusID)) || want == "cancelled" {
				continue
			}
			c.Checked++
			if _, found := f.ShipStation.OrderByKey(fmt.Sprintf("bc:%s:%d:%d", StoreHash, o.ID, a.ID)); !found {
				c.problem("order %d's address %d is missing from ShipStation", o.ID, a.ID)
			}
		}
		key := fmt.Sprintf("bc:%s:%d", StoreHash, o.ID)
		ss, found := f.ShipStation.OrderByKey(key)
		want, importable := importStatus()[o.StatusID]
		c.Checked++
		switch {
		case o.StatusID == 2:
			if !found || ss.OrderStatus != "shipped" {
				c.problem("order %d is shipped in BigCommerce, ShipStation has %s", o.ID, statusOf(ss.OrderStatus, found))
			}
		case o.StatusID == 3:
			// Partially shipped: one parcel or one address is still to go,
			// or was held or cancelled in ShipStation (the exceptions check
			// looks for BigCommerce's note of that).
			if !found || ss.OrderStatus == "awaiting_payment" {
				c.problem("order %d is partially shipped in BigCommerce, ShipStation has %s", o.ID, statusOf(ss.OrderStatus, found))
			}
		case o.StatusID == 14:
			// Refunded after a return: the returns check looks closer.
			if !found || ss.OrderStatus != "shipped" {
				c.problem("order %d is partially refunded in BigCommerce, ShipStation has %s", o.ID, statusOf(ss.OrderStatus, found))
			}
		case !importable:
			if found {
				c.problem("order %d (status %d) should not be in ShipStation", o.ID, o.StatusID)
			}
		case !found && want == "cancelled":
			// Cancelled before tote saw it: ShipStation never gets it.
		case !found:
			c.problem("order %d (status %d) is missing from ShipStation", o.ID, o.StatusID)
		case want == "cancelled" && (ss.OrderStatus == "cancelled" || ss.OrderStatus == "shipped"):
		case (ss.OrderStatus == "on_hold" || ss.OrderStatus == "cancelled") && want == "awaiting_shipment":
			// Held or cancelled in ShipStation: the exceptions check
			// looks for BigCommerce's note of it.
		case ss.OrderStatus != want:
			c.problem("order %d: BigCommerce status %d wants %s, ShipStation has %s", o.ID, o.StatusID, want, ss.OrderStatus)
		case ss.OrderStatus != "shipped" && ss.OrderStatus != "cancelled" && withoutHoldLine(strOf(ss.InternalNotes)) != o.StaffNotes:
			c.problem("order %d: staff notes %q in BigCommerce, %q in ShipStation", o.ID, o.StaffNotes, strOf(ss.InternalNotes))
		}
	}
	return c
}

// withoutHoldLine drops the line tote adds to the internal notes of an
// order it holds for BigCommerce.
func withoutHoldLine(notes string) string {
	var keep []string
	for _, line := range strings.Split(notes, "\n") {
		if !strings.HasPrefix(line, "[tote] hold: ") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// shippedStatus is Shipped (2), Partially Shipped (3) or Partially
// Refunded (14): statuses that only shipped orders reach here.
func shippedStatus(id int) bool { return id == 2 || id == 3 || id == 14 }

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

// inventoryLocation is the BigCommerce location the inventory pipeline
// sets (its variable inventory_location, default 1).
const inventoryLocation = 1

// reconcileInventory checks that every SKU of the catalog that ShipStation
// stocks has ShipStation's available units (0 when open orders allocate
// more than is on hand) as BigCommerce's on-hand stock at the mapped
// location. Returns put units back on both sides (the
// warehouse's shelf and the returns flow's restock), so they need no
// allowance once the inventory flow has run.
func reconcileInventory(f *Fakes) Check {
	c := Check{Flow: "inventory"}
	ss := map[string]int{}
	for _, l := range f.ShipStation.InventoryLevels() {
		ss[l.SKU] += l.Available
	}
	for _, p := range f.BigCommerce.Products() {
		// The SKUs the inventory pipeline maps: every variant's of a
		// product with options, the product's own otherwise.
		skus := []string{p.SKU}
		if len(p.Variants) > 1 {
			skus = skus[:0]
			for _, v := range p.Variants {
				skus = append(skus, v.SKU)
			}
		}
		for _, sku := range skus {
			want, stocked := ss[sku]
			if sku == "" || !stocked {
				continue
			}
			want = max(want, 0)
			c.Checked++
			have, ok := f.BigCommerce.Stock(sku, inventoryLocation)
			switch {
			case !ok:
				c.problem("SKU %s is stocked in ShipStation (%d) but unknown to BigCommerce", sku, want)
			case have != want:
				c.problem("SKU %s: BigCommerce has %d at location %d, ShipStation has %d available", sku, have, inventoryLocation, want)
			}
		}
	}
	return c
}

// noteLine is one event the exceptions pipeline recorded in staff notes.
var noteLine = regexp.MustCompile(`(?m)^\[tote\] ShipStation: ([a-z_]+)`)

// mailKind is the kind of customer email an exception reason sends, as
// the default template words it; released sends none (email_on_release
// is false by default).
var mailKind = map[string]string{
	"cancelled": "cancelled", "backorder": "backorder", "exception": "delayed", "on_hold": "delayed",
}

// reconcileExceptions checks that what happened to an order in
// ShipStation reached BigCommerce: a cancel cancels it, and a hold, a
// Backorder or Exception tag or a cancel leaves a staff note and an
// exception metafield with the reason. Every event in an order's notes
// was mailed to the customer exactly once, and nobody else was mailed.
func reconcileExceptions(f *Fakes, mail []Email, e Expectations) Check {
	c := Check{Flow: "exceptions"}
	sent := map[int]map[string]int{}
	for _, m := range mail {
		if m.Kind == "return" || m.OrderID == 0 {
			continue
		}
		if sent[m.OrderID] == nil {
			sent[m.OrderID] = map[string]int{}
		}
		sent[m.OrderID][m.Kind]++
	}
	for _, o := range f.BigCommerce.Orders() {
		ss, found := f.ShipStation.OrderByKey(fmt.Sprintf("bc:%s:%d", StoreHash, o.ID))
		reason := ""
		if found {
			reason = exceptionReason(f.ShipStation, ss)
		}
		if echo(reason, o.StatusID, o.StaffNotes) {
			reason = "" // tote's own hold or cancel, following BigCommerce
		}
		if reason != "" {
			c.Checked++
			if !strings.Contains(o.StaffNotes, "[tote] ShipStation: "+reason) {
				c.problem("order %d is %s in ShipStation, BigCommerce has no note of it", o.ID, reason)
			}
			if got := exceptionMetafield(f, o.ID); got != reason {
				c.problem("order %d is %s in ShipStation, its exception metafield says %q", o.ID, reason, got)
			}
			// The pipeline leaves shipped, refunded and cancelled orders' status be.
			if reason == "cancelled" && (o.StatusID < 2 || o.StatusID > 5) {
				c.problem("order %d was cancelled in ShipStation, BigCommerce has status %d", o.ID, o.StatusID)
			}
		}
		want := map[string]int{}
		for _, m := range noteLine.FindAllStringSubmatch(o.StaffNotes, -1) {
			if k := mailKind[m[1]]; k != "" {
				want[k]++
			}
		}
		kinds := map[string]bool{}
		for k := range want {
			kinds[k] = true
		}
		for k := range sent[o.ID] {
			kinds[k] = true
		}
		for _, k := range sortedKeys(kinds) {
			if got := sent[o.ID][k]; got != want[k] && (got > want[k] || got+e.parkedEmails(f, o.ID, k) < want[k]) {
				c.problem("order %d: %d %q emails for %d noted events", o.ID, sent[o.ID][k], k, want[k])
			}
		}
		delete(sent, o.ID)
	}
	for id := range sent {
		c.problem("an exception email names order %d, which BigCommerce does not have", id)
	}
	return c
}

// echo reports whether a ShipStation hold or cancel is tote's own,
// following the BigCommerce status (as the default order_status_map
// maps it), which the exceptions pipeline leaves alone.
func echo(reason string, statusID int, staffNotes string) bool {
	if reason == "" || strings.Contains(staffNotes, "[tote] ShipStation: "+reason) {
		return false
	}
	return importStatus()[statusID] == reason
}

// exceptionReason is the exceptions pipeline's reading of an order (with
// its default tag names); empty when there is nothing to tell.
func exceptionReason(ss *shipstationtest.Server, o shipstationtest.Order) string {
	tags := strings.Join(ss.OrderTags(o.OrderID), "\n")
	has := func(name string) bool { return strings.Contains("\n"+tags+"\n", "\n"+name+"\n") }
	switch {
	case o.OrderStatus == "cancelled":
		return "cancelled"
	case has(shipstationtest.TagBackorder):
		return "backorder"
	case has(shipstationtest.TagException):
		return "exception"
	case o.OrderStatus == "on_hold":
		return "on_hold"
	}
	return ""
}

// exceptionMetafield is the reason in an order's tote exception metafield.
func exceptionMetafield(f *Fakes, orderID int) string {
	for _, m := range f.BigCommerce.Metafields(orderID) {
		if m.Namespace == "tote" && m.Key == "exception" {
			var v struct{ Reason string }
			if json.Unmarshal([]byte(m.Value), &v) == nil {
				return v.Reason
			}
			return "unreadable: " + m.Value
		}
	}
	return ""
}

// reconcileReturns checks every return ShipStation received (a return
// label, not voided) against BigCommerce: exactly one refund per return,
// for exactly the returned units of each line; the order Refunded or
// Partially Refunded; the Return Received tag taken off; one email to the
// customer. A refund without a return is a problem too.
func reconcileReturns(f *Fakes, mail []Email, e Expectations) Check {
	c := Check{Flow: "returns"}
	type ret struct {
		labels int
		units  map[int]int // BigCommerce order product id -> units returned
		ssID   int64
	}
	returns := map[int]*ret{}
	prefix := "bc:" + StoreHash + ":"
	for _, s := range f.ShipStation.Shipments() {
		if !s.IsReturnLabel || s.Voided || s.OrderKey == nil || !strings.HasPrefix(*s.OrderKey, prefix) {
			continue
		}
		id, err := strconv.Atoi(strings.TrimPrefix(*s.OrderKey, prefix))
		if err != nil {
			continue // an order of a second address: the pipeline ignores those
		}
		r := returns[id]
		if r == nil {
			r = &ret{units: map[int]int{}}
			returns[id] = r
		}
		r.labels++
		if s.OrderID != nil {
			r.ssID = *s.OrderID
		}
		for _, it := range s.ShipmentItems {
			line, _ := strconv.Atoi(strOf(it.LineItemKey))
			r.units[line] += it.Quantity
		}
	}
	mailed := map[int]int{}
	for _, m := range mail {
		if m.Kind == "return" {
			mailed[m.OrderID]++
		}
	}
	for _, o := range f.BigCommerce.Orders() {
		refunds := f.BigCommerce.Refunds(o.ID)
		r := returns[o.ID]
		if r == nil {
			if len(refunds) > 0 {
				c.problem("order %d has %d refunds and no return", o.ID, len(refunds))
			}
			if mailed[o.ID] > 0 {
				c.problem("order %d: %d return emails and no return", o.ID, mailed[o.ID])
			}
			continue
		}
		c.Checked++
		if len(refunds) != r.labels {
			c.problem("order %d: %d refunds for %d returns", o.ID, len(refunds), r.labels)
		}
		refunded := map[int]int{}
		for _, rf := range refunds {
			for _, it := range rf.Items {
				if it.ItemType == "PRODUCT" && it.Quantity != nil {
					refunded[it.ItemID] += *it.Quantity
				}
			}
		}
		lines := map[int]bool{}
		for l := range r.units {
			lines[l] = true
		}
		for l := range refunded {
			lines[l] = true
		}
		for _, l := range sortedKeys(lines) {
			if len(refunds) > 0 && refunded[l] != r.units[l] {
				c.problem("order %d line %d: %d units returned, %d refunded", o.ID, l, r.units[l], refunded[l])
			}
		}
		if len(refunds) > 0 && o.StatusID != 4 && o.StatusID != 14 {
			c.problem("order %d was refunded, its status is %d", o.ID, o.StatusID)
		}
		for _, t := range f.ShipStation.OrderTags(r.ssID) {
			if t == shipstationtest.TagReturnReceived {
				c.problem("order %d still has the %s tag in ShipStation", o.ID, t)
			}
		}
		// One email per parcel refunded: per return label.
		if got := mailed[o.ID]; got != r.labels && (got > r.labels || got+e.parkedEmails(f, o.ID, "return") < r.labels) {
			c.problem("order %d: %d return emails, want %d", o.ID, mailed[o.ID], r.labels)
		}
	}
	return c
}

func sortedKeys[K int | string](m map[K]bool) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
