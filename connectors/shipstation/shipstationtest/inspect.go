package shipstationtest

import (
	"context"
	"slices"
)

// Everything returned here is a copy: changing it does not change the fake.

// Order returns a live (not deleted) order by id.
func (s *Server) Order(id int64) (Order, bool) {
	s.releaseHolds()
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.liveOrder(id)
	if rec == nil {
		return Order{}, false
	}
	return copyOrder(&rec.order), true
}

// OrderByKey returns the live order with an orderKey.
func (s *Server) OrderByKey(key string) (Order, bool) {
	s.mu.Lock()
	id, ok := s.byKey[key]
	s.mu.Unlock()
	if !ok {
		return Order{}, false
	}
	return s.Order(id)
}

// IsDeleted reports whether an order exists and was soft-deleted.
func (s *Server) IsDeleted(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.orders[id]
	return rec != nil && rec.deleted
}

// Orders returns every live order in creation order.
func (s *Server) Orders() []Order {
	s.releaseHolds()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, 0, len(s.orderIDs))
	for _, id := range s.orderIDs {
		if rec := s.orders[id]; !rec.deleted {
			out = append(out, copyOrder(&rec.order))
		}
	}
	return out
}

// OrderTags returns the names of an order's tags.
func (s *Server) OrderTags(orderID int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.orders[orderID]
	if rec == nil {
		return nil
	}
	var names []string
	for _, id := range rec.order.TagIDs {
		if t := s.tagByID(id); t != nil {
			names = append(names, t.Name)
		}
	}
	return names
}

// TagID returns the id of the tag named name.
func (s *Server) TagID(name string) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tagByName(name); t != nil {
		return t.TagID, true
	}
	return 0, false
}

// Shipments returns every shipment, voided and return labels included.
func (s *Server) Shipments() []Shipment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Shipment, 0, len(s.shipmentIDs))
	for _, id := range s.shipmentIDs {
		out = append(out, copyShipment(s.shipments[id]))
	}
	return out
}

// Fulfillments returns every fulfillment (orders marked as shipped).
func (s *Server) Fulfillments() []Fulfillment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fulfillment, len(s.fulfillments))
	for i, f := range s.fulfillments {
		out[i] = *f
		out[i].ShipTo = clonePtr(f.ShipTo)
	}
	return out
}

// Products returns every product record.
func (s *Server) Products() []Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Product, 0, len(s.productIDs))
	for _, id := range s.productIDs {
		out = append(out, copyProduct(s.products[id]))
	}
	return out
}

// ProductUpdates counts, by SKU, the PUT /products/{id} requests that
// replaced each product.
func (s *Server) ProductUpdates() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for id, n := range s.productPut {
		if p := s.products[id]; p != nil {
			out[p.SKU] += n
		}
	}
	return out
}

// ProductBySKU returns the product record of a SKU.
func (s *Server) ProductBySKU(sku string) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.bySKU[sku]
	if !ok {
		return Product{}, false
	}
	return copyProduct(s.products[id]), true
}

// Webhooks returns the webhook subscriptions.
func (s *Server) Webhooks() []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Webhook, len(s.webhooks))
	for i, wh := range s.webhooks {
		out[i] = *wh
	}
	return out
}

// Deliveries returns the webhook deliveries recorded so far, in order.
func (s *Server) Deliveries() []Delivery { return s.hooks.snapshot() }

// WaitDeliveries blocks until at least n webhook deliveries (sent or
// dropped) are recorded, and returns them all; it fails when ctx ends first.
func (s *Server) WaitDeliveries(ctx context.Context, n int) ([]Delivery, error) {
	return s.hooks.wait(ctx, n)
}

// Stock returns the v2 on-hand units of a SKU over all locations.
func (s *Server) Stock(sku string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, lv := range s.stock {
		if k.sku == sku {
			n += lv.onHand
		}
	}
	return n
}

// InventoryLevels returns the v2 stock rows, one per SKU and location.
func (s *Server) InventoryLevels() []InventoryLevel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.levelsLocked(false, func(string, string, string) bool { return true })
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func copyOrder(o *Order) Order {
	c := *o
	c.BillTo, c.ShipTo = clonePtr(o.BillTo), clonePtr(o.ShipTo)
	c.Weight, c.Dimensions = clonePtr(o.Weight), clonePtr(o.Dimensions)
	c.InsuranceOptions = clonePtr(o.InsuranceOptions)
	if o.InternationalOptions != nil {
		io := *o.InternationalOptions
		io.CustomsItems = slices.Clone(io.CustomsItems)
		c.InternationalOptions = &io
	}
	if o.AdvancedOptions != nil {
		adv := *o.AdvancedOptions
		adv.MergedIDs = slices.Clone(adv.MergedIDs)
		c.AdvancedOptions = &adv
	}
	c.TagIDs = slices.Clone(o.TagIDs)
	c.Items = make([]OrderItem, len(o.Items))
	for i, it := range o.Items {
		it.Weight = clonePtr(it.Weight)
		it.Options = slices.Clone(it.Options)
		c.Items[i] = it
	}
	return c
}

func copyShipment(sh *Shipment) Shipment {
	c := *sh
	c.ShipTo, c.Weight, c.Dimensions = clonePtr(sh.ShipTo), clonePtr(sh.Weight), clonePtr(sh.Dimensions)
	c.InsuranceOptions, c.AdvancedOptions = clonePtr(sh.InsuranceOptions), clonePtr(sh.AdvancedOptions)
	c.ShipmentItems = slices.Clone(sh.ShipmentItems)
	return c
}

func copyProduct(p *Product) Product {
	c := *p
	c.ProductCategory = clonePtr(p.ProductCategory)
	c.Tags = slices.Clone(p.Tags)
	c.Aliases = slices.Clone(p.Aliases)
	return c
}
