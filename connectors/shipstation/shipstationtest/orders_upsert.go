package shipstationtest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Order statuses.
const (
	StatusAwaitingPayment  = "awaiting_payment"
	StatusAwaitingShipment = "awaiting_shipment"
	StatusPendingFulfill   = "pending_fulfillment"
	StatusShipped          = "shipped"
	StatusOnHold           = "on_hold"
	StatusCancelled        = "cancelled"
	StatusRejectedFulfill  = "rejected_fulfillment"
)

// settableStatus are the statuses a caller may send to createorder.
var settableStatus = map[string]bool{
	StatusAwaitingPayment: true, StatusAwaitingShipment: true, StatusShipped: true,
	StatusOnHold: true, StatusCancelled: true,
}

func isLocked(status string) bool { return status == StatusShipped || status == StatusCancelled }

func isOpen(status string) bool {
	return status == StatusAwaitingPayment || status == StatusAwaitingShipment || status == StatusOnHold
}

// errLocked reports an upsert of a shipped or cancelled order.
var errLocked = errors.New("the order is shipped or cancelled and can no longer be changed")

// upsert is the outcome of one createorder(s) entry.
type upsert struct {
	rec     *orderRec
	created bool
	notify  bool // qualifies for ORDER_NOTIFY
}

// validateOrder applies the documented required fields.
func validateOrder(in *Order) error {
	var missing []string
	if strings.TrimSpace(in.OrderNumber) == "" {
		missing = append(missing, "orderNumber")
	}
	if in.OrderDate == nil {
		missing = append(missing, "orderDate")
	}
	if in.OrderStatus == "" {
		missing = append(missing, "orderStatus")
	}
	if in.BillTo == nil {
		missing = append(missing, "billTo")
	}
	if in.ShipTo == nil || strings.TrimSpace(in.ShipTo.Name) == "" {
		missing = append(missing, "shipTo.name")
	}
	for i, it := range in.Items {
		if it.Name == "" {
			missing = append(missing, fmt.Sprintf("items[%d].name", i))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s is required", strings.Join(missing, ", "))
	}
	if !settableStatus[in.OrderStatus] {
		return fmt.Errorf("orderStatus %q is not a valid status", in.OrderStatus)
	}
	return nil
}

// upsertLocked creates or fully replaces an order, keyed by orderKey (or
// orderId when no key is sent). A locked order comes back unchanged with
// errLocked. The caller holds s.mu.
func (s *Server) upsertLocked(in Order, now time.Time) (upsert, error) {
	if err := validateOrder(&in); err != nil {
		return upsert{}, err
	}
	var prev *orderRec
	switch {
	case in.OrderKey != "":
		if id, ok := s.byKey[in.OrderKey]; ok {
			prev = s.orders[id] // deleted, unless FreeDeletedKeys freed its key
		}
	case in.OrderID != 0:
		if prev = s.liveOrder(in.OrderID); prev == nil {
			return upsert{}, fmt.Errorf("order %d was not found", in.OrderID)
		}
	}
	if prev != nil && isLocked(prev.order.OrderStatus) {
		return upsert{rec: prev}, errLocked
	}

	o := in
	if o.AdvancedOptions == nil {
		o.AdvancedOptions = &AdvancedOptions{}
	} else {
		adv := *o.AdvancedOptions
		o.AdvancedOptions = &adv
	}
	adv := o.AdvancedOptions
	if prev == nil {
		if adv.StoreID != nil {
			if s.storeByID(*adv.StoreID) == nil {
				return upsert{}, fmt.Errorf("store %d was not found", *adv.StoreID)
			}
		} else {
			id, ok := s.defaultStoreID()
			if !ok {
				return upsert{}, errors.New("the account has no store to hold the order")
			}
			adv.StoreID = &id
		}
		o.OrderID = next(&s.seq.order)
		if o.OrderKey == "" {
			o.OrderKey = strings.ReplaceAll(s.uuidLocked(), "-", "")
		}
		o.CreateDate = orderTimePtr(now)
	} else {
		// storeId and orderKey are create-only; the rest is replaced.
		adv.StoreID = prev.order.AdvancedOptions.StoreID
		o.OrderID = prev.order.OrderID
		o.OrderKey = prev.order.OrderKey
		o.CreateDate = prev.order.CreateDate
	}
	if adv.WarehouseID == nil {
		adv.WarehouseID = s.defaultWarehouseID()
	}
	if adv.MergedIDs == nil {
		adv.MergedIDs = []int64{}
	}
	adv.MergedOrSplit, adv.ParentID = false, nil
	if prev != nil {
		adv.MergedOrSplit = prev.order.AdvancedOptions.MergedOrSplit
		adv.ParentID = prev.order.AdvancedOptions.ParentID
	}
	o.ModifyDate = orderTimePtr(now)
	o.CustomerID = s.customerIDLocked(o.CustomerEmail, o.CustomerUsername)
	if o.ShipTo != nil {
		st := *o.ShipTo
		st.AddressVerified = strPtr("Address not yet validated")
		o.ShipTo = &st
	}
	if o.InsuranceOptions == nil {
		o.InsuranceOptions = &InsuranceOptions{}
	}
	if o.InternationalOptions == nil {
		o.InternationalOptions = &InternationalOptions{}
	}
	if o.Confirmation == nil {
		o.Confirmation = strPtr("none")
	}
	o.Items = s.buildItemsLocked(o.Items, prev, now)
	o.OrderTotal = orderTotal(&o)
	if o.Weight == nil {
		o.Weight = itemsWeight(o.Items)
	}
	if o.OrderStatus != StatusOnHold {
		o.HoldUntilDate = nil
	}

	rec := prev
	if rec == nil {
		rec = &orderRec{shipped: map[int64]int{}, returned: map[int64]int{}}
		s.orders[o.OrderID] = rec
		s.orderIDs = append(s.orderIDs, o.OrderID)
		s.byKey[o.OrderKey] = o.OrderID
	}
	wasStatus := ""
	if prev != nil {
		wasStatus = prev.order.OrderStatus
	}
	rec.order = o
	s.trackHoldLocked(rec)
	notify := (prev == nil && o.OrderStatus != StatusAwaitingPayment) ||
		(wasStatus == StatusAwaitingPayment && o.OrderStatus != StatusAwaitingPayment && o.OrderStatus != StatusCancelled)
	return upsert{rec: rec, created: prev == nil, notify: notify}, nil
}

// buildItemsLocked assigns item ids (kept for a lineItemKey seen before),
// dates and product links, creating product records for unseen SKUs.
func (s *Server) buildItemsLocked(in []OrderItem, prev *orderRec, now time.Time) []OrderItem {
	old := map[string]OrderItem{}
	if prev != nil {
		for _, it := range prev.order.Items {
			if it.LineItemKey != nil {
				old[*it.LineItemKey] = it
			}
		}
	}
	out := make([]OrderItem, len(in))
	for i, it := range in {
		// Item ids, dates and product links are read-only on input.
		it.OrderItemID, it.CreateDate, it.ProductID = 0, nil, nil
		if it.LineItemKey != nil {
			if was, ok := old[*it.LineItemKey]; ok {
				it.OrderItemID, it.CreateDate = was.OrderItemID, was.CreateDate
				delete(old, *it.LineItemKey)
			}
		}
		if it.OrderItemID == 0 {
			it.OrderItemID = next(&s.seq.item)
			it.CreateDate = timePtr(now)
		}
		it.ModifyDate = timePtr(now)
		if it.Options == nil {
			it.Options = []ItemOption{}
		}
		it.ProductID = s.productForItemLocked(&it, now)
		out[i] = it
	}
	return out
}

// orderTotal is sum(quantity × unitPrice) + taxAmount + shippingAmount.
func orderTotal(o *Order) Money {
	total := decimal.Zero
	for _, it := range o.Items {
		total = total.Add(it.UnitPrice.Mul(decimal.NewFromInt(int64(it.Quantity))))
	}
	return Money{total.Add(o.TaxAmount.Decimal).Add(o.ShippingAmount.Decimal)}
}

// itemsWeight is the order weight in ounces when the caller sent none.
func itemsWeight(items []OrderItem) *Weight {
	oz := 0.0
	for _, it := range items {
		if it.Weight != nil {
			oz += ounces(*it.Weight) * float64(it.Quantity)
		}
	}
	return &Weight{Value: oz, Units: "ounces"}
}

func ounces(w Weight) float64 {
	switch strings.ToLower(w.Units) {
	case "pounds":
		return w.Value * 16
	case "grams":
		return w.Value / 28.349523125
	default:
		return w.Value
	}
}

// customerIDLocked finds or allocates the customer id of an email/username.
func (s *Server) customerIDLocked(email, username *string) *int64 {
	key := ""
	switch {
	case email != nil && *email != "":
		key = strings.ToLower(*email)
	case username != nil && *username != "":
		key = strings.ToLower(*username)
	default:
		return nil
	}
	id, ok := s.customers[key]
	if !ok {
		id = next(&s.seq.customer)
		s.customers[key] = id
	}
	return &id
}

// trackHoldLocked keeps the set of orders waiting for a hold release.
func (s *Server) trackHoldLocked(rec *orderRec) {
	if rec.order.OrderStatus == StatusOnHold && rec.order.HoldUntilDate != nil && !rec.deleted {
		s.held[rec.order.OrderID] = struct{}{}
	} else {
		delete(s.held, rec.order.OrderID)
	}
}

// releaseHolds returns held orders whose release date has come to
// awaiting_shipment, as ShipStation does on the hold date.
func (s *Server) releaseHolds() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.held) == 0 {
		return
	}
	now := s.now()
	today := pacificMidnight(now)
	for id := range s.held {
		rec := s.orders[id]
		if rec.order.HoldUntilDate.After(today) {
			continue
		}
		rec.order.OrderStatus = StatusAwaitingShipment
		rec.order.HoldUntilDate = nil
		rec.order.ModifyDate = orderTimePtr(now)
		delete(s.held, id)
	}
}

func strPtr(s string) *string { return &s }
func int64Ptr(n int64) *int64 { return &n }
