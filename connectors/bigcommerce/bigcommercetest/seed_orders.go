package bigcommercetest

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// SeedOrders describes a store's order history to seed in bulk: Count
// orders placed at checkout, their creation and modification times spread
// evenly over [From, To], each buying one unit of the catalog's variants in
// turn and shipping to one US address.
type SeedOrders struct {
	Count int       `json:"count"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	// StatusID is every order's status; 0 means Awaiting Fulfillment.
	StatusID int `json:"status_id,omitempty"`
}

// maxSeedOrders bounds one bulk seed.
const maxSeedOrders = 1_000_000

// SeedOrders adds the orders of sd as the store's past: no webhook fires
// and no stock is checked or taken (it was, when they were placed). It
// returns the first and last order ids. It is how a benchmark or a test
// stands up a store with a large backlog fast.
func (s *Server) SeedOrders(sd SeedOrders) (first, last int, err error) {
	switch {
	case sd.Count <= 0 || sd.Count > maxSeedOrders:
		return 0, 0, fmt.Errorf("bigcommercetest: seed orders: count must be 1 to %d, not %d", maxSeedOrders, sd.Count)
	case sd.From.IsZero() || sd.To.IsZero() || sd.To.Before(sd.From):
		return 0, 0, errors.New("bigcommercetest: seed orders: from and to must be times with from <= to")
	}
	status := StatusAwaitingFulfillment
	if sd.StatusID != 0 {
		status = sd.StatusID
	}
	src := checkoutSource
	src.history = true
	s.mu.Lock()
	defer s.mu.Unlock()
	type buyable struct{ product, variant int }
	var items []buyable
	for _, pr := range s.st.sortedProducts() {
		if pr.p.Type != "physical" {
			continue
		}
		for _, v := range pr.variants {
			items = append(items, buyable{pr.p.ID, v.ID})
		}
	}
	if len(items) == 0 {
		return 0, 0, errors.New("bigcommercetest: seed orders: the catalog has no physical products to order")
	}
	from := sd.From.UTC().Truncate(time.Second)
	span := int64(sd.To.Sub(from) / time.Second) // RFC 2822 dates have whole seconds
	for i := range sd.Count {
		at := Date2822{from}
		if sd.Count > 1 {
			at.Time = from.Add(time.Duration(span*int64(i)/int64(sd.Count-1)) * time.Second)
		}
		it := items[i%len(items)]
		addr := AddressFields{FirstName: "Backlog", LastName: fmt.Sprintf("Shopper %d", i+1), Street1: fmt.Sprintf("%d Archive Rd", 1+i%900),
			City: "Austin", State: "Texas", Zip: "78701", Country: "United States", CountryISO2: "US", Email: fmt.Sprintf("shopper%d@example.com", i+1)}
		in := OrderInput{StatusID: &status, DateCreated: &at, BillingAddress: &Address{AddressFields: addr},
			ShippingAddresses: []ShippingAddressInput{{AddressFields: addr, ShippingMethod: "Ground"}},
			Products:          []OrderProductInput{{ProductID: it.product, VariantID: it.variant, Quantity: 1}}}
		rec, _, err := s.createOrderLocked(in, src) // history: its webhooks fired long ago
		if err != nil {
			return first, last, fmt.Errorf("bigcommercetest: seed order %d: %w", i+1, err)
		}
		rec.o.DateModified = at
		if first == 0 {
			first = rec.o.ID
		}
		last = rec.o.ID
	}
	return first, last, nil
}

// simSeedOrders serves POST /_sim/orders/seed: body SeedOrders, answer
// {"count", "first_id", "last_id"}.
func (s *Server) simSeedOrders(w http.ResponseWriter, r *http.Request) {
	var sd SeedOrders
	if err := decodeBody(r, &sd); err != nil {
		badBodyV2(w, err)
		return
	}
	first, last, err := s.SeedOrders(sd)
	if err != nil {
		writeV2Error(w, http.StatusBadRequest, err.Error())
		return
	}
	fakekit.WriteJSON(w, http.StatusOK, map[string]int{"count": sd.Count, "first_id": first, "last_id": last})
}
