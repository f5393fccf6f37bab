package shipstationtest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// ShipRequest describes a label bought for an order. Empty codes fall back
// to the order's own, then to stamps_com / usps_ground_advantage; no items
// means every unit not yet shipped.
type ShipRequest struct {
	CarrierCode string     `json:"carrierCode"`
	ServiceCode string     `json:"serviceCode"`
	PackageCode string     `json:"packageCode"`
	Items       []ShipItem `json:"items"`
}

// ShipItem is a quantity of one order line, named by its lineItemKey.
type ShipItem struct {
	LineItemKey string `json:"lineItemKey"`
	Quantity    int    `json:"quantity"`
}

// Ship buys a label for an order, as a person in the UI does: it records a
// shipment, marks the order shipped once every unit is on a label, takes the
// units off v2 on-hand stock and fires SHIP_NOTIFY and ITEM_SHIP_NOTIFY.
func (s *Server) Ship(orderID int64, req ShipRequest) (Shipment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, err := s.shipLocked(orderID, req)
	if err != nil {
		return Shipment{}, err
	}
	return copyShipment(sh), nil
}

func (s *Server) shipLocked(orderID int64, req ShipRequest) (*Shipment, error) {
	rec := s.liveOrder(orderID)
	if rec == nil {
		return nil, fmt.Errorf("order %d was not found", orderID)
	}
	switch rec.order.OrderStatus {
	case StatusCancelled, StatusAwaitingPayment:
		return nil, fmt.Errorf("order %d is %s and cannot be shipped", orderID, rec.order.OrderStatus)
	}
	remaining := func(it *OrderItem) int { return it.Quantity - rec.shipped[it.OrderItemID] }
	picked, err := pickItems(&rec.order, req.Items, remaining)
	if err != nil {
		return nil, err
	}
	now := s.now()
	o := &rec.order
	carrier := firstOf(req.CarrierCode, deref(o.CarrierCode), "stamps_com")
	service := firstOf(req.ServiceCode, deref(o.ServiceCode), s.defaultServiceLocked(carrier))
	pkg := firstOf(req.PackageCode, deref(o.PackageCode), "package")
	sh := s.newShipmentLocked(o, picked, carrier, service, pkg, now)
	sh.ShipTo = normalized(o.ShipTo)
	for _, it := range picked {
		rec.shipped[it.OrderItemID] += it.Quantity
		s.changeStockLocked(it.SKU, -it.Quantity)
	}
	if fullyShipped(rec) {
		o.OrderStatus = StatusShipped
		o.HoldUntilDate = nil
		o.ShipDate = datePtr(now)
		s.trackHoldLocked(rec)
	}
	o.ModifyDate = orderTimePtr(now)
	s.fireShipmentsLocked([]*Shipment{sh})
	return sh, nil
}

// ReceiveReturn records a return for shipped units of an order, as a person
// in the UI does: a return-label shipment (isReturnLabel true), the tag
// "Return Received" on the order, and the units back in v2 on-hand stock.
// No items means every shipped unit.
func (s *Server) ReceiveReturn(orderID int64, items []ShipItem) (Shipment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.receiveReturnLocked(orderID, items)
}

func (s *Server) receiveReturnLocked(orderID int64, items []ShipItem) (Shipment, error) {
	rec := s.liveOrder(orderID)
	if rec == nil {
		return Shipment{}, fmt.Errorf("order %d was not found", orderID)
	}
	returnable := func(it *OrderItem) int { return rec.shipped[it.OrderItemID] - rec.returned[it.OrderItemID] }
	picked, err := pickItems(&rec.order, items, returnable)
	if err != nil {
		return Shipment{}, err
	}
	now := s.now()
	o := &rec.order
	sh := s.newShipmentLocked(o, picked, firstOf(deref(o.CarrierCode), "stamps_com"), "", "package", now)
	if sh.ServiceCode == "" {
		sh.ServiceCode = s.defaultServiceLocked(sh.CarrierCode)
	}
	sh.IsReturnLabel = true
	sh.ShipTo = s.returnAddressLocked(o)
	for _, it := range picked {
		rec.returned[it.OrderItemID] += it.Quantity
		s.changeStockLocked(it.SKU, it.Quantity)
	}
	tag := s.tagByName(TagReturnReceived)
	if tag == nil {
		tag = s.addTagLocked(TagReturnReceived, "#008000")
	}
	s.tagLocked(rec, tag.TagID, true)
	if s.opts.NotifyReturnLabels {
		s.fireShipmentsLocked([]*Shipment{sh})
	}
	return copyShipment(sh), nil
}

// VoidShipment voids a label: it stays listed with voided true and a
// voidDate. Voiding an order's last outbound label returns a shipped order
// to awaiting_shipment unless Options.VoidKeepsShipped; the units go back to
// stock (or, for a return label, out again).
func (s *Server) VoidShipment(shipmentID int64) (Shipment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, err := s.voidLocked(shipmentID)
	if err != nil {
		return Shipment{}, err
	}
	return copyShipment(sh), nil
}

var errAlreadyVoided = errors.New("the label is already voided")

func (s *Server) voidLocked(shipmentID int64) (*Shipment, error) {
	sh := s.shipments[shipmentID]
	if sh == nil {
		return nil, fmt.Errorf("shipment %d was not found", shipmentID)
	}
	if sh.Voided {
		return nil, errAlreadyVoided
	}
	now := s.now()
	sh.Voided, sh.VoidDate = true, timePtr(now)
	sign := 1
	if sh.IsReturnLabel {
		sign = -1
	}
	for _, it := range sh.ShipmentItems {
		s.changeStockLocked(it.SKU, sign*it.Quantity)
	}
	rec := s.orders[deref64(sh.OrderID)]
	if rec == nil {
		return sh, nil
	}
	if sh.IsReturnLabel {
		for _, it := range sh.ShipmentItems {
			rec.returned[it.OrderItemID] -= it.Quantity
		}
		return sh, nil
	}
	for _, it := range sh.ShipmentItems {
		rec.shipped[it.OrderItemID] -= it.Quantity
	}
	if rec.order.OrderStatus == StatusShipped && !s.opts.VoidKeepsShipped && !s.hasLiveLabelLocked(rec.order.OrderID) {
		rec.order.OrderStatus = StatusAwaitingShipment
		rec.order.ShipDate = nil
		rec.order.ModifyDate = orderTimePtr(now)
	}
	return sh, nil
}

func (s *Server) hasLiveLabelLocked(orderID int64) bool {
	for _, id := range s.shipmentIDs {
		sh := s.shipments[id]
		if deref64(sh.OrderID) == orderID && !sh.Voided && !sh.IsReturnLabel {
			return true
		}
	}
	return false
}

// pickItems resolves requested units against an order's lines; limit says
// how many units of a line may be picked. No request means all of them.
func pickItems(o *Order, req []ShipItem, limit func(*OrderItem) int) ([]ShipmentItem, error) {
	var out []ShipmentItem
	if len(req) == 0 {
		for i := range o.Items {
			it := &o.Items[i]
			if n := limit(it); n > 0 && !it.Adjustment {
				out = append(out, shipmentItem(it, n))
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("order %d has no units left for this label", o.OrderID)
		}
		return out, nil
	}
	for _, r := range req {
		it := findLine(o, r.LineItemKey)
		if it == nil {
			return nil, fmt.Errorf("order %d has no line %q", o.OrderID, r.LineItemKey)
		}
		if r.Quantity < 1 || r.Quantity > limit(it) {
			return nil, fmt.Errorf("line %q: quantity %d is not between 1 and %d", r.LineItemKey, r.Quantity, limit(it))
		}
		out = append(out, shipmentItem(it, r.Quantity))
	}
	return out, nil
}

func findLine(o *Order, key string) *OrderItem {
	for i := range o.Items {
		if deref(o.Items[i].LineItemKey) == key {
			return &o.Items[i]
		}
	}
	return nil
}

func shipmentItem(it *OrderItem, qty int) ShipmentItem {
	return ShipmentItem{
		OrderItemID: it.OrderItemID, LineItemKey: it.LineItemKey, SKU: it.SKU, Name: it.Name,
		ImageURL: it.ImageURL, Weight: it.Weight, Quantity: qty, UnitPrice: it.UnitPrice,
		TaxAmount: it.TaxAmount, ShippingAmount: it.ShippingAmount, WarehouseLocation: it.WarehouseLocation,
		Options: it.Options, ProductID: it.ProductID, FulfillmentSKU: it.FulfillmentSKU,
		Adjustment: it.Adjustment, UPC: it.UPC,
	}
}

func fullyShipped(rec *orderRec) bool {
	for _, it := range rec.order.Items {
		if !it.Adjustment && rec.shipped[it.OrderItemID] < it.Quantity {
			return false
		}
	}
	return true
}

// newShipmentLocked records a label for the given units.
func (s *Server) newShipmentLocked(o *Order, items []ShipmentItem, carrier, service, pkg string, now time.Time) *Shipment {
	oz := 0.0
	for _, it := range items {
		if it.Weight != nil {
			oz += ounces(*it.Weight) * float64(it.Quantity)
		}
	}
	sh := &Shipment{
		ShipmentID:       next(&s.seq.shipment),
		OrderID:          int64Ptr(o.OrderID),
		OrderKey:         strPtr(o.OrderKey),
		UserID:           o.UserID,
		CustomerEmail:    o.CustomerEmail,
		OrderNumber:      strPtr(o.OrderNumber),
		CreateDate:       Time{now},
		ShipDate:         Date{pacificMidnight(now)},
		ShipmentCost:     s.labelCostLocked(),
		InsuranceCost:    Money{decimal.Zero},
		TrackingNumber:   s.trackingNumberLocked(carrier),
		CarrierCode:      carrier,
		ServiceCode:      service,
		PackageCode:      strPtr(pkg),
		Confirmation:     o.Confirmation,
		WarehouseID:      o.AdvancedOptions.WarehouseID,
		Weight:           &Weight{Value: oz, Units: "ounces"},
		Dimensions:       o.Dimensions,
		InsuranceOptions: o.InsuranceOptions,
		ShipmentItems:    items,
	}
	s.shipments[sh.ShipmentID] = sh
	s.shipmentIDs = append(s.shipmentIDs, sh.ShipmentID)
	return sh
}

// normalized is a ship-to as ShipStation rewrites it on a label: upper case.
func normalized(a *Address) *Address {
	if a == nil {
		return nil
	}
	n := *a
	up := func(p *string) *string {
		if p == nil {
			return nil
		}
		return strPtr(strings.ToUpper(*p))
	}
	n.Name = strings.ToUpper(n.Name)
	n.Street1, n.Street2, n.Street3, n.City = up(n.Street1), up(n.Street2), up(n.Street3), up(n.City)
	n.AddressVerified = nil
	return &n
}

// returnAddressLocked is where a return label goes: the order's warehouse.
func (s *Server) returnAddressLocked(o *Order) *Address {
	if wh := s.warehouseByID(deref64(o.AdvancedOptions.WarehouseID)); wh != nil && wh.ReturnAddress != nil {
		return normalized(wh.ReturnAddress)
	}
	return normalized(o.ShipTo)
}

func (s *Server) defaultServiceLocked(carrier string) string {
	for _, c := range s.carriers {
		if c.Code == carrier && len(c.Services) > 0 {
			return c.Services[0].Code
		}
	}
	return "usps_ground_advantage"
}

// labelCostLocked draws a label price between 4.00 and 15.99.
func (s *Server) labelCostLocked() Money {
	cents := 400 + s.rng.IntN(1200)
	return Money{decimal.New(int64(cents), -2)}
}

// trackingNumberLocked draws a tracking number shaped like the carrier's.
func (s *Server) trackingNumberLocked(carrier string) string {
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + s.rng.IntN(10)))
		}
		return b.String()
	}
	switch {
	case strings.HasPrefix(carrier, "ups"):
		return "1Z" + strings.ToUpper(fmt.Sprintf("%06x", s.rng.IntN(1<<24))) + digits(10)
	case carrier == "fedex":
		return digits(12)
	case strings.HasPrefix(carrier, "dhl"):
		return digits(10)
	default:
		return "94001118995617" + digits(8)
	}
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
