package bigcommercetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// flexInt reads an integer sent as a number or a numeric string (the docs'
// shipment examples send order_address_id as a string).
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("not an integer: %s", b)
	}
	*f = flexInt(n)
	return nil
}

// ShipmentInput is the body of POST and PUT /v2/orders/{id}/shipments.
type ShipmentInput struct {
	OrderAddressID       *flexInt            `json:"order_address_id,omitempty"`
	Items                []ShipmentItemInput `json:"items,omitempty"`
	TrackingNumber       *string             `json:"tracking_number,omitempty"`
	ShippingProvider     *string             `json:"shipping_provider,omitempty"`
	TrackingCarrier      *string             `json:"tracking_carrier,omitempty"`
	TrackingLink         *string             `json:"tracking_link,omitempty"`
	ShippingMethod       *string             `json:"shipping_method,omitempty"`
	Comments             *string             `json:"comments,omitempty"`
	MerchantShippingCost *Money              `json:"merchant_shipping_cost,omitempty"`
}

// ShipmentItemInput is one line of a new shipment.
type ShipmentItemInput struct {
	OrderProductID flexInt `json:"order_product_id"`
	Quantity       flexInt `json:"quantity"`
}

// providers are the shipping_provider values and their display names.
var providers = map[string]string{
	"": "", "auspost": "Australia Post", "canadapost": "Canada Post", "endicia": "Endicia", "usps": "USPS",
	"fedex": "FedEx", "royalmail": "Royal Mail", "ups": "UPS", "upsready": "UPS", "upsonline": "UPS",
	"shipperhq": "ShipperHQ",
}

// providerLinks are native tracking pages by provider.
var providerLinks = map[string]string{
	"usps":       "https://tools.usps.com/go/TrackConfirmAction?tLabels=",
	"ups":        "https://www.ups.com/track?tracknum=",
	"upsready":   "https://www.ups.com/track?tracknum=",
	"upsonline":  "https://www.ups.com/track?tracknum=",
	"fedex":      "https://www.fedex.com/fedextrack/?trknbr=",
	"auspost":    "https://auspost.com.au/mypost/track/#/details/",
	"canadapost": "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=",
	"royalmail":  "https://www.royalmail.com/track-your-item#/tracking-results/",
	"endicia":    "https://tools.usps.com/go/TrackConfirmAction?tLabels=",
}

// DefaultTrackingCarriers are the AfterShip courier slugs the fake accepts
// as tracking_carrier by default: the carriers a ShipStation account
// commonly ships with and their neighbours. AfterShip lists over 1,000;
// Options.TrackingCarriers replaces this list.
var DefaultTrackingCarriers = []string{
	"usps", "ups", "fedex", "fedex-uk", "fedex-freight", "dhl", "dhl-express", "dhl-global-mail", "dhl-germany",
	"dhlparcel-uk", "canada-post", "purolator", "purolator-international", "canpar", "ontrac", "lasership",
	"asendia-usa", "asendia-uk", "asendia-de", "apc", "apc-overnight", "globegistics", "royal-mail",
	"parcel-force", "australia-post", "sendle", "new-zealand-post", "gls", "gls-us", "dpd", "dpd-uk",
	"tnt", "yodel", "myhermes-uk", "hermes-de", "postnl", "postnord", "la-poste-colissimo", "deutsch-post",
	"newgistics", "pitney-bowes", "osm-worldwide", "firstmile", "amazon-fba-us", "i-parcel", "landmark-global",
}

// validTrackingCarrier reports whether a tracking_carrier slug is accepted.
func (s *Server) validTrackingCarrier(slug string) bool {
	if slug == "" || s.opts.AnyTrackingCarrier {
		return true
	}
	list := s.opts.TrackingCarriers
	if list == nil {
		list = DefaultTrackingCarriers
	}
	return slices.Contains(list, slug)
}

func validProvider(p string) bool {
	if _, ok := providers[p]; ok {
		return true
	}
	n, ok := strings.CutPrefix(p, "carrier_")
	_, err := strconv.Atoi(n)
	return ok && err == nil
}

// fillTracking applies the tracking-link rules: an explicit link is echoed;
// otherwise provider or carrier plus number yields generated_tracking_link.
func fillTracking(sh *Shipment) {
	sh.ShippingProviderDisplayName = providers[sh.ShippingProvider]
	sh.GeneratedTrackingLink = ""
	if sh.TrackingLink != "" || sh.TrackingNumber == "" {
		return
	}
	if prefix, ok := providerLinks[sh.ShippingProvider]; ok {
		sh.GeneratedTrackingLink = prefix + url.QueryEscape(sh.TrackingNumber)
	} else if sh.TrackingCarrier != "" {
		sh.GeneratedTrackingLink = "https://track.aftership.com/" + url.PathEscape(sh.TrackingCarrier) + "/" + url.PathEscape(sh.TrackingNumber)
	}
}

// applyShipmentFields copies the editable fields of in onto sh, checking them.
func (s *Server) applyShipmentFields(sh *Shipment, in ShipmentInput) *inputError {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&sh.TrackingNumber, in.TrackingNumber)
	set(&sh.ShippingProvider, in.ShippingProvider)
	set(&sh.TrackingCarrier, in.TrackingCarrier)
	set(&sh.TrackingLink, in.TrackingLink)
	set(&sh.ShippingMethod, in.ShippingMethod)
	set(&sh.Comments, in.Comments)
	if in.MerchantShippingCost != nil {
		sh.MerchantShippingCost = *in.MerchantShippingCost
	}
	switch {
	case len(sh.TrackingNumber) > 50:
		return &inputError{"tracking_number", "The tracking number may be at most 50 characters."}
	case len(sh.TrackingLink) > 500:
		return &inputError{"tracking_link", "The tracking link may be at most 500 characters."}
	case !validProvider(sh.ShippingProvider):
		return &inputError{"shipping_provider", fmt.Sprintf("%q is not a valid shipping provider.", sh.ShippingProvider)}
	case !s.validTrackingCarrier(sh.TrackingCarrier):
		return &inputError{"tracking_carrier", fmt.Sprintf("%q is not a valid tracking carrier.", sh.TrackingCarrier)}
	}
	fillTracking(sh)
	return nil
}

func copyShipment(sh *Shipment) Shipment {
	c := *sh
	c.Items = append([]ShipmentItem{}, sh.Items...)
	return c
}

func (rec *orderRec) line(id int) *OrderProduct {
	for _, l := range rec.lines {
		if l.ID == id {
			return l
		}
	}
	return nil
}

func (rec *orderRec) shipment(id int) (int, *Shipment) {
	for i, sh := range rec.shipments {
		if sh.ID == id {
			return i, sh
		}
	}
	return -1, nil
}

// shipmentEvent is a store/shipment/* event; note the camelCase orderId.
func shipmentEvent(scope string, sh *Shipment) event {
	return event{scope: scope, data: map[string]any{"type": "shipment", "id": sh.ID, "orderId": sh.OrderID}}
}

func (s *Server) createShipment(w http.ResponseWriter, r *http.Request) {
	var in ShipmentInput
	if err := decodeBody(r, &in); err != nil {
		badBodyV2(w, err)
		return
	}
	s.mu.Lock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	sh, events, ierr := s.createShipmentLocked(rec, in)
	if ierr != nil {
		s.mu.Unlock()
		ierr.write(w)
		return
	}
	out := copyShipment(sh)
	s.mu.Unlock()
	s.emit(events)
	fakekit.WriteJSON(w, http.StatusCreated, out)
}

// createShipmentLocked validates and records a shipment with its side
// effects: quantities shipped and the order's status.
func (s *Server) createShipmentLocked(rec *orderRec, in ShipmentInput) (*Shipment, []event, *inputError) {
	if in.OrderAddressID == nil {
		return nil, nil, &inputError{"order_address_id", "The order_address_id is required."}
	}
	addr := rec.address(int(*in.OrderAddressID))
	if addr == nil {
		return nil, nil, &inputError{"order_address_id", fmt.Sprintf("Shipping address %d does not belong to order %d.", *in.OrderAddressID, rec.o.ID)}
	}
	if len(in.Items) == 0 {
		return nil, nil, &inputError{"items", "At least one item is required."}
	}
	want := map[int]int{}
	var order []int
	for _, it := range in.Items {
		l := rec.line(int(it.OrderProductID))
		switch {
		case l == nil:
			return nil, nil, &inputError{"items", fmt.Sprintf("Order product %d does not belong to order %d.", it.OrderProductID, rec.o.ID)}
		case l.OrderAddressID != addr.ID:
			return nil, nil, &inputError{"items", fmt.Sprintf("Order product %d does not ship to address %d.", l.ID, addr.ID)}
		case it.Quantity <= 0:
			return nil, nil, &inputError{"items", fmt.Sprintf("The quantity for order product %d must be at least 1.", l.ID)}
		}
		if _, seen := want[l.ID]; !seen {
			order = append(order, l.ID)
		}
		want[l.ID] += int(it.Quantity)
		if left := l.Quantity - l.QuantityShipped; want[l.ID] > left {
			return nil, nil, &inputError{"items", fmt.Sprintf("Order product %d has %d unshipped units; %d requested.", l.ID, left, want[l.ID])}
		}
	}
	sh := &Shipment{OrderID: rec.o.ID, CustomerID: rec.o.CustomerID, OrderAddressID: addr.ID,
		DateCreated: Date2822{s.now()}, BillingAddress: rec.o.BillingAddress.AddressFields, ShippingAddress: addr.AddressFields}
	if ierr := s.applyShipmentFields(sh, in); ierr != nil {
		return nil, nil, ierr
	}
	sh.ID = s.st.nextID("shipment")
	for _, id := range order {
		l := rec.line(id)
		sh.Items = append(sh.Items, ShipmentItem{OrderProductID: id, ProductID: l.ProductID, Quantity: want[id]})
		l.QuantityShipped += want[id]
		addr.ItemsShipped += want[id]
		rec.o.ItemsShipped += want[id]
	}
	rec.shipments = append(rec.shipments, sh)
	events := []event{shipmentEvent("store/shipment/created", sh)}
	return sh, append(events, s.afterShippingLocked(rec)...), nil
}

// afterShippingLocked moves the order to Shipped when every physical unit has
// shipped, else to Partially Shipped, and fires the order webhooks.
func (s *Server) afterShippingLocked(rec *orderRec) []event {
	now := s.now()
	rec.o.DateModified = Date2822{now}
	shippable, shipped := 0, 0
	for _, l := range rec.lines {
		if l.Type == "physical" {
			shippable += l.Quantity
			shipped += l.QuantityShipped
		}
	}
	next := StatusPartiallyShipped
	if shipped >= shippable {
		next = StatusShipped
		if rec.o.DateShipped.IsZero() {
			rec.o.DateShipped = Date2822{now}
		}
	}
	var events []event
	if prev := rec.o.StatusID; prev != next {
		rec.setStatus(next)
		events = s.statusSideEffectsLocked(rec, prev)
	}
	return append(events, orderEvent("store/order/updated", &rec.o), channelOrderEvent("updated", &rec.o))
}

func (s *Server) listShipments(w http.ResponseWriter, r *http.Request) {
	if out, ok := pageOfOrder(s, w, r, func(rec *orderRec) []*Shipment { return rec.shipments }, copyShipment); ok {
		writeV2List(w, out) // 204 on empty is in the spec for shipments
	}
}

func (s *Server) countShipments(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	n := len(rec.shipments)
	s.mu.Unlock()
	fakekit.WriteJSON(w, http.StatusOK, map[string]int{"count": n})
}

func (s *Server) getShipment(w http.ResponseWriter, r *http.Request) {
	sid, _ := pathID(r, "sid")
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		return
	}
	_, sh := rec.shipment(sid)
	if sh == nil {
		writeV2NotFound(w)
		return
	}
	fakekit.WriteJSON(w, http.StatusOK, copyShipment(sh))
}

func (s *Server) updateShipment(w http.ResponseWriter, r *http.Request) {
	var raw map[string]json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		badBodyV2(w, err)
		return
	}
	for _, k := range []string{"items", "id", "order_id", "date_created", "generated_tracking_link", "shipping_provider_display_name"} {
		if _, ok := raw[k]; ok {
			writeV2Error(w, http.StatusBadRequest, fmt.Sprintf("The field '%s' cannot be written to. Please remove it from your request before trying again.", k))
			return
		}
	}
	var in ShipmentInput
	if err := json.Unmarshal(mustJSON(raw), &in); err != nil {
		writeV2Error(w, http.StatusBadRequest, "The request body is invalid: "+err.Error())
		return
	}
	sid, _ := pathID(r, "sid")
	s.mu.Lock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	_, sh := rec.shipment(sid)
	if sh == nil {
		s.mu.Unlock()
		writeV2NotFound(w)
		return
	}
	next := copyShipment(sh)
	if in.OrderAddressID != nil {
		a := rec.address(int(*in.OrderAddressID))
		if a == nil {
			s.mu.Unlock()
			writeV2Invalid(w, "order_address_id", fmt.Sprintf("Shipping address %d does not belong to order %d.", *in.OrderAddressID, rec.o.ID))
			return
		}
		next.OrderAddressID, next.ShippingAddress = a.ID, a.AddressFields
	}
	if ierr := s.applyShipmentFields(&next, in); ierr != nil {
		s.mu.Unlock()
		ierr.write(w)
		return
	}
	*sh = next
	out := copyShipment(sh)
	events := []event{shipmentEvent("store/shipment/updated", sh)}
	s.mu.Unlock()
	s.emit(events)
	fakekit.WriteJSON(w, http.StatusOK, out)
}

// removeShipmentLocked deletes a shipment. The order keeps its status (as
// documented); quantities shipped are given back unless configured not to.
func (s *Server) removeShipmentLocked(rec *orderRec, i int) []event {
	sh := rec.shipments[i]
	rec.shipments = append(rec.shipments[:i:i], rec.shipments[i+1:]...)
	if !s.opts.KeepShippedOnShipmentDelete {
		for _, it := range sh.Items {
			if l := rec.line(it.OrderProductID); l != nil {
				l.QuantityShipped = max(0, l.QuantityShipped-it.Quantity)
			}
			if a := rec.address(sh.OrderAddressID); a != nil {
				a.ItemsShipped = max(0, a.ItemsShipped-it.Quantity)
			}
			rec.o.ItemsShipped = max(0, rec.o.ItemsShipped-it.Quantity)
		}
	}
	rec.o.DateModified = Date2822{s.now()}
	return []event{shipmentEvent("store/shipment/deleted", sh)}
}

func (s *Server) deleteShipment(w http.ResponseWriter, r *http.Request) {
	sid, _ := pathID(r, "sid")
	s.mu.Lock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	i, sh := rec.shipment(sid)
	if sh == nil {
		s.mu.Unlock()
		writeV2NotFound(w)
		return
	}
	events := s.removeShipmentLocked(rec, i)
	s.mu.Unlock()
	s.emit(events)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteAllShipments(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	var events []event
	for len(rec.shipments) > 0 {
		events = append(events, s.removeShipmentLocked(rec, len(rec.shipments)-1)...)
	}
	s.mu.Unlock()
	s.emit(events)
	w.WriteHeader(http.StatusNoContent)
}
