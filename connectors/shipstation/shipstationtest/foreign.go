package shipstationtest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// A real account holds orders of other channels besides tote's: a
// marketplace's, another cart's, a native BigCommerce store's. Their
// orderNumbers are often plain numbers that equal BigCommerce order ids;
// their orderKeys are generated hex (a marketplace, an API order sent
// without a key), the channel's own order id (assumed for a native
// BigCommerce store), or another tote's bc:<other store>:<id>. Only the
// key tells them from tote's orders.

// Names of the other channels' stores SeedForeign adds.
const (
	ForeignMarketplaceStore = "Amazon Marketplace"
	ForeignNativeStore      = "BigCommerce Native Store"
)

// ForeignOrder is an order of another channel.
type ForeignOrder struct {
	Number string // orderNumber, e.g. a BigCommerce order id
	Key    string // orderKey; "" gets a generated one, as ShipStation gives
	Store  string // the store's name; "" is ForeignMarketplaceStore
	SKU    string // its one line's SKU; "" is "MKT-<number>"
}

// ForeignSeed is what SeedForeign made, by what happened to each order.
type ForeignSeed struct {
	Shipped, MarkedShipped, Held, Cancelled, Backordered, Exception, Returned Order
	OtherTote                                                                 Order // bc:<another store>:<id>, shipped
}

// foreignSequences are where other channels' ids start: below tote's,
// as orders made before tote came would be, so tote's ids do not move.
var foreignSequences = sequences{order: 512330000, item: 700100000, shipment: 90001000,
	fulfillment: 30035000, product: 41001000, customer: 88113000, shipBatch: 190661000}

// AddForeignOrder creates an awaiting_shipment order of another channel,
// with ids from the other channels' range; it fires no webhook.
func (s *Server) AddForeignOrder(fo ForeignOrder) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.foreignLocked(fo)
	if err != nil {
		return Order{}, err
	}
	return copyOrder(&rec.order), nil
}

func (s *Server) foreignLocked(fo ForeignOrder) (*orderRec, error) {
	restore := s.useForeignIDs()
	defer restore()
	storeName := fo.Store
	if storeName == "" {
		storeName = ForeignMarketplaceStore
	}
	var storeID *int64
	for _, st := range s.stores {
		if st.StoreName == storeName {
			storeID = &st.StoreID
		}
	}
	if storeID == nil {
		return nil, fmt.Errorf("store %q does not exist", storeName)
	}
	sku := fo.SKU
	if sku == "" {
		sku = "MKT-" + fo.Number
	}
	now := s.now()
	in := Order{
		OrderNumber: fo.Number, OrderKey: fo.Key, OrderDate: orderTimePtr(now), OrderStatus: StatusAwaitingShipment,
		CustomerEmail: strPtr("buyer-" + strings.ToLower(fo.Number) + "@marketplace.example"),
		BillTo:        &Address{Name: "Marketplace Buyer"},
		ShipTo: &Address{Name: "Marketplace Buyer", Street1: strPtr("5 Market St"), City: strPtr("Seattle"),
			State: strPtr("WA"), PostalCode: strPtr("98101"), Country: strPtr("US")},
		Items: []OrderItem{{LineItemKey: strPtr("mkt-" + fo.Number), SKU: sku, Name: "Marketplace item " + fo.Number,
			Quantity: 1, UnitPrice: NewMoney("12.00"), Weight: &Weight{Value: 8, Units: "ounces"}}},
		AdvancedOptions: &AdvancedOptions{StoreID: storeID},
	}
	up, err := s.upsertLocked(in, now)
	if err != nil {
		return nil, err
	}
	if s.foreignIDs == nil {
		s.foreignIDs = map[int64]bool{}
	}
	s.foreignIDs[up.rec.order.OrderID] = true
	return up.rec, nil
}

// useForeignIDs switches the id sequences and the random source (tracking
// numbers, costs, generated keys) to the other channels' own, so tote's
// records come out the same with or without them; the returned func
// switches back.
func (s *Server) useForeignIDs() func() {
	own, rng := s.seq, s.rng
	if s.foreignSeq == (sequences{}) {
		s.foreignSeq = foreignSequences
		s.foreignRng = rand.New(rand.NewPCG(s.opts.Seed^0xf0e1, 0x0f0e1))
	}
	f := s.foreignSeq
	s.seq.order, s.seq.item, s.seq.shipment, s.seq.fulfillment = f.order, f.item, f.shipment, f.fulfillment
	s.seq.product, s.seq.customer, s.seq.shipBatch = f.product, f.customer, f.shipBatch
	s.rng = s.foreignRng
	return func() {
		s.foreignSeq = s.seq
		s.seq.order, s.seq.item, s.seq.shipment, s.seq.fulfillment = own.order, own.item, own.shipment, own.fulfillment
		s.seq.product, s.seq.customer, s.seq.shipBatch = own.product, own.customer, own.shipBatch
		s.rng = rng
	}
}

// ShipForeign buys a label for a whole order of another channel, as
// Ship does (SHIP_NOTIFY fires), with the other channels' ids.
func (s *Server) ShipForeign(orderID int64, carrier string) (Shipment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	restore := s.useForeignIDs()
	defer restore()
	sh, err := s.shipLocked(orderID, ShipRequest{CarrierCode: carrier})
	if err != nil {
		return Shipment{}, err
	}
	return copyShipment(sh), nil
}

// MarkForeignShipped marks an order of another channel shipped without a
// label (a fulfillment, no webhook), with the other channels' ids.
func (s *Server) MarkForeignShipped(orderID int64, carrier, tracking string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.liveOrder(orderID)
	if rec == nil {
		return fmt.Errorf("order %d was not found", orderID)
	}
	restore := s.useForeignIDs()
	defer restore()
	s.markShippedLocked(rec, carrier, &tracking, nil)
	return nil
}

// SeedForeign adds two stores of other channels (a marketplace and a
// native BigCommerce store) and orders of theirs numbered from first
// (first, first+1, ...: the ids the fake BigCommerce gives its first
// orders), one in each state that reaches tote's ShipStation-to-BigCommerce
// flows: shipped with a label, marked as shipped, on hold, cancelled,
// tagged Backorder, tagged Exception, and shipped, returned and tagged
// Return Received; and one shipped order of another tote (another store's
// bc:<hash>:<id> key). Calling it again does nothing.
func (s *Server) SeedForeign(first int) (ForeignSeed, error) {
	s.mu.Lock()
	if s.foreignSeeded {
		s.mu.Unlock()
		return ForeignSeed{}, nil
	}
	s.foreignSeeded = true
	s.mu.Unlock()
	s.AddStore(Store{StoreName: ForeignMarketplaceStore, MarketplaceID: 2, MarketplaceName: "Amazon", Active: true})
	s.AddStore(Store{StoreName: ForeignNativeStore, MarketplaceID: 13, MarketplaceName: "BigCommerce", Active: true})

	var seed ForeignSeed
	num := func(i int) string { return fmt.Sprint(first + i) }
	steps := []struct {
		fo   ForeignOrder
		out  *Order
		then func(id int64) error
	}{
		{ForeignOrder{Number: num(0)}, &seed.Shipped, func(id int64) error { _, err := s.ShipForeign(id, "ups"); return err }},
		{ForeignOrder{Number: num(1), Key: num(1), Store: ForeignNativeStore}, &seed.MarkedShipped, func(id int64) error {
			return s.MarkForeignShipped(id, "fedex", "7961"+num(1)+"0000")
		}},
		{ForeignOrder{Number: num(2)}, &seed.Held, func(id int64) error {
			return s.Hold(id, s.now().AddDate(0, 0, 10))
		}},
		{ForeignOrder{Number: num(3)}, &seed.Cancelled, s.Cancel},
		{ForeignOrder{Number: num(4)}, &seed.Backordered, func(id int64) error { return s.TagOrder(id, TagBackorder) }},
		{ForeignOrder{Number: num(5)}, &seed.Exception, func(id int64) error { return s.TagOrder(id, TagException) }},
		{ForeignOrder{Number: num(6)}, &seed.Returned, func(id int64) error {
			if _, err := s.ShipForeign(id, "stamps_com"); err != nil {
				return err
			}
			return s.ReturnForeign(id)
		}},
		{ForeignOrder{Number: num(7), Key: "bc:other-store:" + num(7), Store: "Wholesale Store"}, &seed.OtherTote, func(id int64) error {
			_, err := s.ShipForeign(id, "usps")
			return err
		}},
	}
	for _, st := range steps {
		o, err := s.AddForeignOrder(st.fo)
		if err != nil {
			return ForeignSeed{}, fmt.Errorf("foreign order %s: %w", st.fo.Number, err)
		}
		if err := st.then(o.OrderID); err != nil {
			return ForeignSeed{}, fmt.Errorf("foreign order %s: %w", st.fo.Number, err)
		}
		*st.out, _ = s.Order(o.OrderID)
	}
	return seed, nil
}

// ReturnForeign receives a return of a whole order of another channel,
// with the other channels' ids.
func (s *Server) ReturnForeign(orderID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	restore := s.useForeignIDs()
	defer restore()
	_, err := s.receiveReturnLocked(orderID, nil)
	return err
}

// IsForeign reports whether an order is another channel's (made by
// AddForeignOrder or SeedForeign).
func (s *Server) IsForeign(orderID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.foreignIDs[orderID]
}
