package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
)

// World simulates the people around the two systems: shoppers ordering
// (some expedited, some gift-wrapped, some unpaid, some flagged for
// verification, some changed or cancelled afterwards) and the warehouse
// buying labels (some for part of an order, some voided and bought again).
type World struct {
	Fakes  *Fakes
	Orders int
	Seed   uint64
	// Over is how long the orders take to arrive (default 20s).
	Over time.Duration
	// Progress, if set, receives one line per notable event.
	Progress func(format string, args ...any)

	mu      sync.Mutex
	placed  []int
	shipped map[int64]bool // ShipStation order ids handled by the warehouse
	counts  map[string]int
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
	rng := rand.New(rand.NewPCG(w.Seed, w.Seed+1))
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
	var later []func()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-warehouse.C:
			w.work(rng)
			for _, f := range later {
				f()
			}
			later = nil
		case <-next.C:
			if w.Placed() >= w.Orders {
				continue
			}
			if w.Placed()%50 == 25 {
				w.newProduct(w.Placed())
			}
			if f, err := w.placeOne(rng, products); err != nil {
				return err
			} else if f != nil {
				later = append(later, f)
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

// work buys labels for what is ready to ship: most orders whole, some in
// two parcels, a few with a label voided and bought again.
func (w *World) work(rng *rand.Rand) {
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
		switch r := rng.Float64(); {
		case r < 0.04 && !strings.Contains(o.OrderKey, ":0") && strings.Count(o.OrderKey, ":") == 2:
			// Out of stock at the shelf: held until a restock date.
			if ss.Hold(o.OrderID, time.Now().AddDate(0, 0, 7)) == nil {
				w.count("held in ShipStation")
			}
		case r < 0.06 && strings.Count(o.OrderKey, ":") == 2:
			if ss.Cancel(o.OrderID) == nil {
				w.count("cancelled in ShipStation")
			}
		case r < 0.15 && len(o.Items) > 1 && o.Items[0].LineItemKey != nil:
			first := shipstationtest.ShipItem{LineItemKey: *o.Items[0].LineItemKey, Quantity: o.Items[0].Quantity}
			if _, err := ss.Ship(o.OrderID, shipstationtest.ShipRequest{CarrierCode: "ups", ServiceCode: "ups_ground", Items: []shipstationtest.ShipItem{first}}); err == nil {
				w.count("partial shipments")
				_, _ = ss.Ship(o.OrderID, shipstationtest.ShipRequest{CarrierCode: "stamps_com", ServiceCode: "usps_priority_mail"})
			}
		case r < 0.20:
			if sh, err := ss.Ship(o.OrderID, shipstationtest.ShipRequest{CarrierCode: "fedex", ServiceCode: "fedex_ground"}); err == nil {
				if _, err := ss.VoidShipment(sh.ShipmentID); err == nil {
					w.count("voided labels")
				}
			}
		default:
			if _, err := ss.Ship(o.OrderID, shipstationtest.ShipRequest{CarrierCode: "stamps_com", ServiceCode: "usps_ground_advantage"}); err == nil {
				w.count("shipments")
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

// Idle reports whether the warehouse has nothing left to ship: every order
// awaiting shipment in ShipStation has been handled.
func (w *World) Idle() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
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
	body, _ := json.Marshal(map[string]string{"staff_notes": notes})
	req, err := http.NewRequest(http.MethodPut, fmt.Sprintf("%s/stores/%s/v2/orders/%d", w.Fakes.BigCommerce.URL, StoreHash, id), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("X-Auth-Token", AccessToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("editing order %d: %s", id, resp.Status)
	}
	return nil
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
