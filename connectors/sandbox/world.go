package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
)

// World simulates the people around the two systems: shoppers ordering
// (some expedited, some gift-wrapped, some unpaid, some flagged for
// verification, some changed or cancelled afterwards) and the warehouse
// buying labels (some for part of an order, some voided and bought again),
// holding, backordering, flagging and cancelling orders, receiving returns,
// and restocking or recounting shelves.
//
// Shoppers draw from one random stream; the warehouse decides what to do
// with each order from a stream seeded by the seed and the order's key, so
// the same order meets the same fate whatever the timing.
type World struct {
	Fakes  *Fakes
	Orders int
	Seed   uint64
	// Over is how long the orders take to arrive (default 20s).
	Over time.Duration
	// Progress, if set, receives one line per notable event.
	Progress func(format string, args ...any)
	// ForeignStoreSKUs gives every other of the other channels' orders a
	// SKU the BigCommerce store sells (that of the order whose number it
	// shares), so relative inventory mode has their units to take off.
	ForeignStoreSKUs bool

	mu      sync.Mutex
	placed  []int
	shipped map[int64]bool // ShipStation order ids handled by the warehouse
	counts  map[string]int
	tick    int
	// foreignWorked counts the other channels' orders handled.
	foreignWorked int
	pending       []chore // what the warehouse or the shoppers do a few ticks later
}

// chore is something done at a later warehouse tick.
type chore struct {
	due int
	do  func()
}

// Warehouse ticks from a parcel leaving to its return arriving, from an
// order flagged as an exception to its shipping, and from a voided label
// to the one bought again.
const (
	returnAfter    = 5
	exceptionAfter = 4
	relabelAfter   = 2
)

// later schedules f for the warehouse tick n ticks from now.
func (w *World) later(n int, f func()) {
	w.mu.Lock()
	w.pending = append(w.pending, chore{due: w.tick + n, do: f})
	w.mu.Unlock()
}

// due takes the chores due at the current tick, in the order scheduled.
func (w *World) due() []func() {
	w.mu.Lock()
	defer w.mu.Unlock()
	var now []func()
	keep := w.pending[:0]
	for _, c := range w.pending {
		if c.due <= w.tick {
			now = append(now, c.do)
		} else {
			keep = append(keep, c)
		}
	}
	w.pending = keep
	return now
}

// Counts says how many of each thing the world did.
func (w *World) Counts() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]int{}
	for k, v := range w.counts {
		out[k] = v
	}
	return out
}

// Placed reports how many orders have been placed so far.
func (w *World) Placed() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.placed)
}

func (w *World) count(what string) {
	w.mu.Lock()
	w.counts[what]++
	w.mu.Unlock()
}

func (w *World) say(format string, args ...any) {
	if w.Progress != nil {
		w.Progress(format, args...)
	}
}

// Run places the orders over time and works the warehouse until ctx ends.
func (w *World) Run(ctx context.Context) error {
	if w.Over <= 0 {
		w.Over = 20 * time.Second
	}
	w.shipped = map[int64]bool{}
	w.counts = map[string]int{}
	shoppers := rand.New(rand.NewPCG(w.Seed, w.Seed+1))
	shelves := rand.New(rand.NewPCG(w.Seed, w.Seed+2))
	channels := rand.New(rand.NewPCG(w.Seed, w.Seed+3))
	w.stockWarehouse()
	products := simpleProducts(w.Fakes.BigCommerce)
	if len(products) == 0 {
		return fmt.Errorf("the catalog has no simple products to order")
	}
	warehouse := time.NewTicker(400 * time.Millisecond)
	defer warehouse.Stop()
	gap := w.Over / time.Duration(max(w.Orders, 1))
	next := time.NewTimer(0)
	defer next.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-warehouse.C:
			w.work()
		case <-next.C:
			n := w.Placed()
			if n >= w.Orders {
				continue
			}
			if n%50 == 25 {
				w.newProduct(n)
			}
			if n%20 == 10 {
				w.changeStock(shelves)
			}
			if f, err := w.placeOne(shoppers, products); err != nil {
				return err
			} else if f != nil {
				w.later(1, f)
			}
			if n%foreignEvery == foreignEvery/2 {
				w.mu.Lock()
				id := 0
				if len(w.placed) > 0 {
					id = w.placed[channels.IntN(len(w.placed))]
				}
				w.mu.Unlock()
				if id != 0 {
					w.placeForeign(id, channels)
				}
			}
			next.Reset(gap)
		}
	}
}

func simpleProducts(bc *bigcommercetest.Server) []int {
	var ids []int
	for _, p := range bc.Products() {
		if len(p.Variants) <= 1 {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

var shoppers = []struct{ first, last, city, state, zip, country, iso string }{
	{"Ada", "Lovelace", "Austin", "Texas", "78701", "United States", "US"},
	{"Grace", "Hopper", "Arlington", "Virginia", "22201", "United States", "US"},
	{"Alan", "Turing", "Toronto", "Ontario", "M5V 2T6", "Canada", "CA"},
	{"Katherine", "Johnson", "Hampton", "Virginia", "23666", "United States", "US"},
	{"Edsger", "Dijkstra", "Vancouver", "British Columbia", "V6B 1A1", "Canada", "CA"},
}

// placeOne places an order; it may return something to do to it a little
// later (an edit or a cancel).
func (w *World) placeOne(rng *rand.Rand, products []int) (func(), error) {
	s := shoppers[rng.IntN(len(shoppers))]
	addr := bigcommercetest.AddressFields{FirstName: s.first, LastName: s.last, Street1: fmt.Sprintf("%d Main St", 1+rng.IntN(900)),
		City: s.city, State: s.state, Zip: s.zip, Country: s.country, CountryISO2: s.iso,
		Email: fmt.Sprintf("%s.%s@example.com", s.first, s.last), Phone: "555-0100"}
	in := bigcommercetest.OrderInput{BillingAddress: &bigcommercetest.Address{AddressFields: addr}}
	ship := bigcommercetest.ShippingAddressInput{AddressFields: addr, ShippingMethod: "Ground"}
	kind := "standard"
	switch r := rng.Float64(); {
	case r < 0.12:
		kind, ship.ShippingMethod = "expedited", "UPS Next Day Air"
	case r < 0.20:
		kind = "gift"
	case r < 0.25:
		kind = "unpaid"
		in.StatusID = ptr(7)
	case r < 0.29:
		kind = "flagged"
		in.StatusID = ptr(12)
	}
	in.ShippingAddresses = []bigcommercetest.ShippingAddressInput{ship}
	multi := kind == "standard" && rng.Float64() < 0.08
	if multi {
		// A gift sent to a second address: its lines go there.
		other := shoppers[(rng.IntN(len(shoppers)-1)+1)%len(shoppers)]
		in.ShippingAddresses = append(in.ShippingAddresses, bigcommercetest.ShippingAddressInput{ShippingMethod: "Ground",
			AddressFields: bigcommercetest.AddressFields{FirstName: other.first, LastName: other.last, Street1: "7 Elm St",
				City: other.city, State: other.state, Zip: other.zip, Country: other.country, CountryISO2: other.iso}})
		kind = "multi-address"
	}
	for n := 1 + rng.IntN(3); n > 0 || (multi && len(in.Products) < 2); n-- {
		line := bigcommercetest.OrderProductInput{ProductID: products[rng.IntN(len(products))], Quantity: 1 + rng.IntN(2)}
		if multi && len(in.Products)%2 == 1 {
			line.ShipToIndex = 1
		}
		if kind == "gift" {
			line.WrappingName, line.WrappingMessage = "Gift box", "Enjoy!"
		}
		in.Products = append(in.Products, line)
	}
	if kind != "gift" && rng.Float64() < 0.2 {
		in.CustomerMessage = "Please leave it with a neighbour."
	}
	o, err := w.Fakes.BigCommerce.PlaceOrder(in)
	if err != nil {
		// Out of stock is what shoppers meet too: they go elsewhere.
		w.count("declined at checkout")
		return nil, nil
	}
	w.mu.Lock()
	w.placed = append(w.placed, o.ID)
	w.mu.Unlock()
	w.count("orders")
	w.count(kind)
	switch r := rng.Float64(); {
	case r < 0.04 && kind == "standard":
		return func() {
			if w.editNotes(o.ID, "Gift receipt, please") == nil {
				w.count("edited")
			}
		}, nil
	case r < 0.08 && kind == "standard":
		return func() {
			if w.Fakes.BigCommerce.SetOrderStatus(o.ID, 5) == nil {
				w.count("cancelled")
				w.say("order %d cancelled by the shopper", o.ID)
			}
		}, nil
	case r < 0.12 && kind == "unpaid":
		return func() {
			if w.Fakes.BigCommerce.SetOrderStatus(o.ID, 11) == nil {
				w.count("paid later")
			}
		}, nil
	}
	return nil, nil
}

// orderRand is the warehouse's random stream for one order.
func (w *World) orderRand(key string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(key))
	return rand.New(rand.NewPCG(w.Seed, h.Sum64()))
}

// work handles what is ready to ship, then the chores due: most orders
// ship whole, some in two parcels, some with a label voided and bought
// again; some are held, backordered (tagged and held until the restock
// date), flagged as exceptions (tagged, shipped a little later) or
// cancelled; some shipped parcels come back as returns.
func (w *World) work() {
	w.mu.Lock()
	w.tick++
	w.mu.Unlock()
	ss := w.Fakes.ShipStation
	for _, o := range ss.Orders() {
		if o.OrderStatus != "awaiting_shipment" {
			continue
		}
		w.mu.Lock()
		done := w.shipped[o.OrderID]
		w.shipped[o.OrderID] = true
		w.mu.Unlock()
		if done {
			continue
		}
		if ss.IsForeign(o.OrderID) {
			w.workForeign(o)
			continue
		}
		rng := w.orderRand(o.OrderKey)
		// Exceptions and returns follow orders of one address, which the
		// BigCommerce order number names alone.
		single := strings.Count(o.OrderKey, ":") == 2
		id := o.OrderID
		switch r := rng.Float64(); {
		case r < 0.03 && single:
			// Waiting for the customer to confirm the address.
			if ss.Hold(id, time.Now().AddDate(0, 0, 7)) == nil {
				w.count("held in ShipStation")
			}
		case r < 0.05 && single:
			if ss.Cancel(id) == nil {
				w.count("cancelled in ShipStation")
			}
		case r < 0.08 && single:
			// Out of stock at the shelf: held until the supplier's date.
			if ss.TagOrder(id, shipstationtest.TagBackorder) == nil && ss.Hold(id, time.Now().AddDate(0, 0, 10)) == nil {
				w.count("backordered in ShipStation")
			}
		case r < 0.11 && single:
			// A damaged item replaced from the back room: late, but it ships.
			if ss.TagOrder(id, shipstationtest.TagException) == nil {
				w.count("exceptions in ShipStation")
				w.later(exceptionAfter, func() { w.shipWhole(id) })
			}
		case r < 0.20 && len(o.Items) > 1 && o.Items[0].LineItemKey != nil:
			first := shipstationtest.ShipItem{LineItemKey: *o.Items[0].LineItemKey, Quantity: o.Items[0].Quantity}
			if _, err := ss.Ship(id, shipstationtest.ShipRequest{CarrierCode: "ups", ServiceCode: "ups_ground", Items: []shipstationtest.ShipItem{first}}); err == nil {
				w.count("partial shipments")
				if _, err := ss.Ship(id, shipstationtest.ShipRequest{CarrierCode: "stamps_com", ServiceCode: "usps_priority_mail"}); err == nil && single {
					w.maybeReturn(id, o, rng)
				}
			}
		case r < 0.25:
			if sh, err := ss.Ship(id, shipstationtest.ShipRequest{CarrierCode: "fedex", ServiceCode: "fedex_ground"}); err == nil {
				if _, err := ss.VoidShipment(sh.ShipmentID); err == nil {
					w.count("voided labels")
					w.later(relabelAfter, func() { w.shipWhole(id) })
				}
			}
		default:
			if w.shipWhole(id) && single {
				w.maybeReturn(id, o, rng)
			}
		}
	}
	for _, f := range w.due() {
		f()
	}
}

// wholeLabels are the labels shipWhole buys, one order in ten by DHL
// Express (no BigCommerce shipping provider) and one in ten by walleted UPS.
var wholeLabels = []shipstationtest.ShipRequest{
	{CarrierCode: "dhl_express", ServiceCode: "dhl_express_worldwide"},
	{CarrierCode: "ups_walleted", ServiceCode: "ups_ground"},
	{CarrierCode: "stamps_com", ServiceCode: "usps_ground_advantage"},
}

// shipWhole buys one label for everything left to ship on an order.
func (w *World) shipWhole(id int64) bool {
	label := wholeLabels[min(id%10, 2)]
	_, err := w.Fakes.ShipStation.Ship(id, label)
	if err == nil {
		w.count("shipments")
	}
	return err == nil
}

// maybeReturn has the customer send some shipped orders back a little
// later: the whole parcel, or one unit of the first line.
func (w *World) maybeReturn(id int64, o shipstationtest.Order, rng *rand.Rand) {
	if rng.Float64() >= 0.10 {
		return
	}
	var items []shipstationtest.ShipItem
	if len(o.Items) > 1 && o.Items[0].LineItemKey != nil && rng.Float64() < 0.5 {
		items = []shipstationtest.ShipItem{{LineItemKey: *o.Items[0].LineItemKey, Quantity: 1}}
	}
	w.later(returnAfter, func() {
		if _, err := w.Fakes.ShipStation.ReceiveReturn(id, items); err == nil {
			w.count("returns")
			if items != nil {
				w.count("partial returns")
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

// Idle reports whether the warehouse has nothing left to do: every order
// awaiting shipment in ShipStation has been handled and no return or late
// label is still to come.
func (w *World) Idle() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) > 0 {
		return false
	}
	for _, o := range w.Fakes.ShipStation.Orders() {
		if o.OrderStatus == "awaiting_shipment" && !w.shipped[o.OrderID] {
			return false
		}
	}
	return true
}

// editNotes changes an order's staff notes, as a merchant does in the
// control panel after the order was placed.
func (w *World) editNotes(id int, notes string) error {
	return w.Fakes.BigCommerce.UpdateOrder(id, map[string]any{"staff_notes": notes})
}

// newProduct launches a product, as a merchant does in the control panel.
func (w *World) newProduct(n int) {
	body, _ := json.Marshal(map[string]any{"name": fmt.Sprintf("New arrival %d", n), "sku": fmt.Sprintf("NEW-%04d", n),
		"price": "24.00", "weight": "2.5", "width": "4", "height": "3", "depth": "6", "inventory_level": 100})
	resp, err := http.Post(w.Fakes.BigCommerce.URL+"/_sim/products", "application/json", bytes.NewReader(body))
	if err != nil {
		return
	}
	resp.Body.Close()
	if resp.StatusCode < 300 {
		w.count("new products")
		w.say("product NEW-%04d launched", n)
		// The first delivery of it reaches the warehouse too.
		if w.Fakes.ShipStation.SetStock(fmt.Sprintf("NEW-%04d", n), 100) == nil {
			w.count("stock changes")
		}
	}
}

// changeStock changes ShipStation's stock of two SKUs, as the warehouse
// does when a supplier's delivery arrives or a cycle count finds a
// difference. Only the inventory flow carries it to BigCommerce.
func (w *World) changeStock(rng *rand.Rand) {
	ss := w.Fakes.ShipStation
	seen := map[string]bool{}
	var skus []string
	for _, l := range ss.InventoryLevels() {
		if !seen[l.SKU] {
			seen[l.SKU] = true
			skus = append(skus, l.SKU)
		}
	}
	sort.Strings(skus)
	if len(skus) == 0 {
		return
	}
	for range 2 {
		sku := skus[rng.IntN(len(skus))]
		delta := 12 + rng.IntN(25) // a delivery
		if rng.Float64() < 0.4 {
			delta = -1 - rng.IntN(3) // a count that came up short
		}
		if ss.SetStock(sku, max(ss.Stock(sku)+delta, 0)) == nil {
			w.count("stock changes")
		}
	}
}

// stockWarehouse gives ShipStation's inventory what the store has on hand:
// the warehouse holds the stock BigCommerce sells.
func (w *World) stockWarehouse() {
	for _, p := range w.Fakes.BigCommerce.Products() {
		skus := []string{p.SKU}
		for _, v := range p.Variants {
			skus = append(skus, v.SKU)
		}
		for _, sku := range skus {
			if n, ok := w.Fakes.BigCommerce.Stock(sku, 1); ok && sku != "" {
				_ = w.Fakes.ShipStation.SetStock(sku, n)
			}
		}
	}
}
