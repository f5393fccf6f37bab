package bigcommercetest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The Go-side seeding and inspection API. Every method is safe for
// concurrent use with the HTTP handlers.

// AddProduct adds a catalog product without firing webhooks (seeding).
func (s *Server) AddProduct(np NewProduct) (Product, error) { return s.addProduct(np, false) }

// addProduct adds a product; notify fires store/product/created (and
// store/sku/created for option variants) as a merchant's change would.
func (s *Server) addProduct(np NewProduct, notify bool) (Product, error) {
	s.mu.Lock()
	pr, err := s.addProductLocked(np)
	if err != nil {
		s.mu.Unlock()
		return Product{}, fmt.Errorf("bigcommercetest: add product: %w", err)
	}
	out := s.st.renderProduct(pr, map[string]bool{"variants": true, "options": true, "channels": true})
	var events []event
	if notify {
		events = append(events, event{scope: "store/product/created", data: map[string]any{"type": "product", "id": pr.p.ID}})
		for _, v := range pr.variants {
			if v.SKUID != nil {
				events = append(events, event{scope: "store/sku/created", data: map[string]any{"type": "sku", "id": *v.SKUID,
					"sku": map[string]int{"product_id": pr.p.ID, "variant_id": v.ID}}})
			}
		}
	}
	s.mu.Unlock()
	s.emit(events)
	return out, nil
}

// PlaceOrder places an order as a shopper at checkout (the POST /v2/orders
// body; default status Awaiting Fulfillment), takes its stock and fires
// store/order/created.
func (s *Server) PlaceOrder(in OrderInput) (Order, error) {
	s.mu.Lock()
	rec, events, err := s.createOrderLocked(in, checkoutSource)
	if err != nil {
		s.mu.Unlock()
		return Order{}, fmt.Errorf("bigcommercetest: place order: %w", err)
	}
	o := s.renderOrder(rec, s.APIBase()+"/v2", nil)
	s.mu.Unlock()
	s.emit(events)
	return o, nil
}

// SetOrderStatus changes an order's status as a merchant in the control
// panel does, firing store/order/statusUpdated and store/order/updated.
func (s *Server) SetOrderStatus(id, status int) error {
	s.mu.Lock()
	rec := s.st.orders[id]
	if rec == nil {
		s.mu.Unlock()
		return fmt.Errorf("bigcommercetest: order %d not found", id)
	}
	events, err := s.applyOrderUpdateLocked(rec, map[string]json.RawMessage{"status_id": mustJSON(status)})
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("bigcommercetest: set status: %w", err)
	}
	s.emit(events)
	return nil
}

// UpdateOrder changes an order's fields as a merchant in the control panel
// does, with the body PUT /v2/orders/{id} takes; it fires the same webhooks
// and is never subject to injected faults.
func (s *Server) UpdateOrder(id int, fields map[string]any) error {
	body := map[string]json.RawMessage{}
	for k, v := range fields {
		body[k] = mustJSON(v)
	}
	s.mu.Lock()
	rec := s.st.orders[id]
	if rec == nil {
		s.mu.Unlock()
		return fmt.Errorf("bigcommercetest: order %d not found", id)
	}
	events, err := s.applyOrderUpdateLocked(rec, body)
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("bigcommercetest: update order: %w", err)
	}
	s.emit(events)
	return nil
}

// Order returns an order (archived ones too).
func (s *Server) Order(id int) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.st.orders[id]
	if rec == nil {
		return Order{}, false
	}
	return s.renderOrder(rec, s.APIBase()+"/v2", url.Values{}), true
}

// Orders returns every order in id order.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, 0, len(s.st.orderIDs))
	for _, id := range s.st.orderIDs {
		out = append(out, s.renderOrder(s.st.orders[id], s.APIBase()+"/v2", url.Values{}))
	}
	return out
}

// SetDownloadsAsObject makes an order's consignments (include=consignments
// with consignment_structure=object) give its downloads consignment as one
// object where the OAS has a list, the odd shape a digital consignment has
// been reported in (docs/vendor-notes.md). It reports false when there is
// no such order.
func (s *Server) SetDownloadsAsObject(id int, on bool) bool {
	found := false
	s.withOrder(id, func(rec *orderRec) { rec.downloadsAsObject, found = on, true })
	return found
}

// withOrder runs f on an order's record under the lock.
func (s *Server) withOrder(id int, f func(*orderRec)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.st.orders[id]; rec != nil {
		f(rec)
	}
}

// OrderProducts returns an order's lines.
func (s *Server) OrderProducts(orderID int) []OrderProduct {
	var out []OrderProduct
	s.withOrder(orderID, func(rec *orderRec) {
		for _, l := range rec.lines {
			out = append(out, copyLine(l))
		}
	})
	return out
}

// ShippingAddresses returns an order's ship-to addresses.
func (s *Server) ShippingAddresses(orderID int) []ShippingAddress {
	var out []ShippingAddress
	s.withOrder(orderID, func(rec *orderRec) {
		for _, a := range rec.addrs {
			out = append(out, renderAddress(a, s.APIBase()+"/v2"))
		}
	})
	return out
}

// Shipments returns an order's shipments.
func (s *Server) Shipments(orderID int) []Shipment {
	var out []Shipment
	s.withOrder(orderID, func(rec *orderRec) {
		for _, sh := range rec.shipments {
			out = append(out, copyShipment(sh))
		}
	})
	return out
}

// Metafields returns an order's metafields.
func (s *Server) Metafields(orderID int) []Metafield {
	var out []Metafield
	s.withOrder(orderID, func(rec *orderRec) {
		for _, m := range rec.metas {
			out = append(out, *m)
		}
	})
	return out
}

// Refunds returns an order's refunds, declined ones included (a payment
// says IsDeclined).
func (s *Server) Refunds(orderID int) []Refund {
	var out []Refund
	s.withOrder(orderID, func(rec *orderRec) {
		for _, rf := range rec.refunds {
			out = append(out, copyRefund(rf))
		}
	})
	return out
}

// Product returns a product with its variants, options and channels.
func (s *Server) Product(id int) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.st.products[id]
	if pr == nil {
		return Product{}, false
	}
	return s.st.renderProduct(pr, map[string]bool{"variants": true, "options": true, "channels": true}), true
}

// Products returns every product with its variants, in id order.
func (s *Server) Products() []Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Product
	for _, pr := range s.st.sortedProducts() {
		out = append(out, s.st.renderProduct(pr, map[string]bool{"variants": true, "options": true, "channels": true}))
	}
	return out
}

// VariantBySKU finds a variant by SKU (case-insensitive).
func (s *Server) VariantBySKU(sku string) (Variant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vid, ok := s.st.skus[strings.ToLower(sku)]
	if !ok {
		return Variant{}, false
	}
	return s.st.renderVariant(s.st.variantOf[vid], s.st.variants[vid]), true
}

// Stock returns the on-hand stock of a SKU at a location, wherever the
// product tracks it; ok is false for unknown SKUs.
func (s *Server) Stock(sku string, location int) (onhand int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, found := s.st.skuStockKey(sku, location)
	if !found {
		return 0, false
	}
	return s.st.onhand(k), true
}

// skuStockKey is where a SKU's stock at a location lives, wherever the
// product tracks it; ok is false for unknown SKUs.
func (st *state) skuStockKey(sku string, location int) (k stockKey, ok bool) {
	l := strings.ToLower(sku)
	if vid, found := st.skus[l]; found {
		return stockKeyOf(st.variantOf[vid], vid, location), true
	}
	if pid, found := st.skuProduct[l]; found {
		return stockKey{pid, 0, location}, true
	}
	return stockKey{}, false
}

// StockWasOut reports whether a SKU's stock at a location was 0 at some
// time from since on (it was then, or an order, an adjustment or a level
// set took it there later): a relative take may then have found nothing
// to take.
func (s *Server) StockWasOut(sku string, location int, since time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, found := s.st.skuStockKey(sku, location)
	if !found {
		return false
	}
	for _, h := range s.st.history[k] {
		if !h.at.Before(since) && (h.before <= 0 || h.after <= 0) {
			return true
		}
	}
	// With no change to 0 since, the level now held throughout.
	return s.st.onhand(k) <= 0
}

// StockAdjustment is one item of an adjustment made through the Inventory
// API, as the store's inventory log keeps it.
type StockAdjustment struct {
	SKU        string
	LocationID int
	// Relative adjustments add Quantity; absolute ones set it.
	Relative bool
	Quantity int
	Reason   string
	At       time.Time
}

// StockAdjustments returns every adjustment made through the Inventory
// API, oldest first: the effects to count when a relative adjustment must
// happen once.
func (s *Server) StockAdjustments() []StockAdjustment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.moves)
}

// Hooks returns the registered webhooks.
func (s *Server) Hooks() []Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Hook
	for _, id := range s.st.hookIDs {
		out = append(out, copyHook(s.st.hooks[id]))
	}
	return out
}

// Hook returns one webhook.
func (s *Server) Hook(id int) (Hook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.st.hooks[id]
	if h == nil {
		return Hook{}, false
	}
	return copyHook(h), true
}
