package shipstationtest

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
)

// shipmentFilter is a parsed GET /shipments query.
type shipmentFilter struct {
	recipientName, recipientCountry, orderNumber string
	carrierCode, serviceCode, trackingNumber     string
	orderID, storeID, batchID                    int64
	hasOrder, hasStore, hasBatch                 bool
	created, shipped, voided                     dateRange
}

func (s *Server) parseShipmentFilter(p params) (shipmentFilter, error) {
	f := shipmentFilter{
		recipientName:    p.get("recipientname"),
		recipientCountry: p.get("recipientcountrycode"),
		orderNumber:      p.get("ordernumber"),
		carrierCode:      p.get("carriercode"),
		serviceCode:      p.get("servicecode"),
		trackingNumber:   p.get("trackingnumber"),
	}
	var err error
	for name, dst := range map[string]struct {
		n   *int64
		has *bool
	}{"orderid": {&f.orderID, &f.hasOrder}, "storeid": {&f.storeID, &f.hasStore}, "batchid": {&f.batchID, &f.hasBatch}} {
		if *dst.n, *dst.has, err = p.int64(name); err != nil {
			return f, err
		}
	}
	honor := s.opts.HonorDateOffsets
	if f.created, err = p.dateRange("createdate", honor); err != nil {
		return f, err
	}
	if f.shipped, err = p.dateRange("shipdate", honor); err != nil {
		return f, err
	}
	f.voided, err = p.dateRange("voiddate", honor)
	return f, err
}

func (s *Server) shipmentMatchesLocked(f *shipmentFilter, sh *Shipment) bool {
	switch {
	case f.hasOrder && deref64(sh.OrderID) != f.orderID:
		return false
	case f.orderNumber != "" && !hasPrefixFold(deref(sh.OrderNumber), f.orderNumber):
		return false
	case f.carrierCode != "" && !strings.EqualFold(sh.CarrierCode, f.carrierCode):
		return false
	case f.serviceCode != "" && !strings.EqualFold(sh.ServiceCode, f.serviceCode):
		return false
	case f.trackingNumber != "" && sh.TrackingNumber != f.trackingNumber:
		return false
	case f.recipientName != "" && (sh.ShipTo == nil || !containsFold(sh.ShipTo.Name, f.recipientName)):
		return false
	case f.recipientCountry != "" && (sh.ShipTo == nil || !strings.EqualFold(deref(sh.ShipTo.Country), f.recipientCountry)):
		return false
	case f.hasStore && s.shipmentStoreLocked(sh) != f.storeID:
		return false
	}
	var void *time.Time
	if sh.VoidDate != nil {
		void = &sh.VoidDate.Time
	}
	return f.created.holds(&sh.CreateDate.Time) && f.shipped.holds(&sh.ShipDate.Time) && f.voided.holds(void)
}

func (s *Server) shipmentStoreLocked(sh *Shipment) int64 {
	if rec := s.orders[deref64(sh.OrderID)]; rec != nil {
		return deref64(rec.order.AdvancedOptions.StoreID)
	}
	return 0
}

// listShipments answers GET /shipments; without includeShipmentItems=true
// every shipmentItems is null.
func (s *Server) listShipments(w http.ResponseWriter, r *http.Request, _ []string) {
	p := queryOf(r)
	f, err := s.parseShipmentFilter(p)
	if err != nil {
		writeParamError(w, err)
		return
	}
	withItems, _, err := p.bool("includeshipmentitems")
	if err != nil {
		writeParamError(w, err)
		return
	}
	pg, err := s.pageOf(p)
	if err != nil {
		writeParamError(w, err)
		return
	}
	byShipDate := false
	switch strings.ToLower(p.get("sortby")) {
	case "", "createdate":
	case "shipdate":
		byShipDate = true
	default:
		v1Invalid(w, "sortBy", "The value '"+p.get("sortby")+"' is not valid for sortBy.")
		return
	}
	desc := sortDesc(p)

	s.mu.Lock()
	ids := s.shipmentIDs
	if f.hasBatch {
		ids = s.shipBatches[f.batchID]
	}
	var found []Shipment
	for _, id := range ids {
		sh := s.shipments[id]
		if !s.shipmentMatchesLocked(&f, sh) {
			continue
		}
		out := *sh
		if !withItems {
			out.ShipmentItems = nil
		}
		found = append(found, out)
	}
	s.mu.Unlock()
	slices.SortStableFunc(found, func(a, b Shipment) int {
		c := 0
		if byShipDate {
			c = a.ShipDate.Compare(b.ShipDate.Time)
		}
		if c == 0 {
			c = a.CreateDate.Compare(b.CreateDate.Time)
		}
		if c == 0 {
			c = cmp.Compare(a.ShipmentID, b.ShipmentID)
		}
		if desc {
			c = -c
		}
		return c
	})
	items, total, pages := paginate(found, pg)
	writeJSON(w, http.StatusOK, struct {
		Shipments []Shipment `json:"shipments"`
		Total     int        `json:"total"`
		Page      int        `json:"page"`
		Pages     int        `json:"pages"`
	}{items, total, pg.number, pages})
}

// listFulfillments answers GET /fulfillments.
func (s *Server) listFulfillments(w http.ResponseWriter, r *http.Request, _ []string) {
	p := queryOf(r)
	var (
		fid, oid       int64
		hasFID, hasOID bool
		err            error
	)
	if fid, hasFID, err = p.int64("fulfillmentid"); err == nil {
		oid, hasOID, err = p.int64("orderid")
	}
	var created, shipped dateRange
	if err == nil {
		created, err = p.dateRange("createdate", s.opts.HonorDateOffsets)
	}
	if err == nil {
		shipped, err = p.dateRange("shipdate", s.opts.HonorDateOffsets)
	}
	if err != nil {
		writeParamError(w, err)
		return
	}
	pg, err := s.pageOf(p)
	if err != nil {
		writeParamError(w, err)
		return
	}
	number, tracking, recipient := p.get("ordernumber"), p.get("trackingnumber"), p.get("recipientname")
	byShipDate := strings.EqualFold(p.get("sortby"), "ShipDate")
	desc := sortDesc(p)

	s.mu.Lock()
	var found []Fulfillment
	for _, f := range s.fulfillments {
		switch {
		case hasFID && f.FulfillmentID != fid, hasOID && f.OrderID != oid,
			number != "" && !hasPrefixFold(f.OrderNumber, number),
			tracking != "" && deref(f.TrackingNumber) != tracking,
			recipient != "" && (f.ShipTo == nil || !containsFold(f.ShipTo.Name, recipient)),
			!created.holds(&f.CreateDate.Time), !shipped.holds(&f.ShipDate.Time):
			continue
		}
		found = append(found, *f)
	}
	s.mu.Unlock()
	slices.SortStableFunc(found, func(a, b Fulfillment) int {
		c := 0
		if byShipDate {
			c = a.ShipDate.Compare(b.ShipDate.Time)
		}
		if c == 0 {
			c = cmp.Compare(a.FulfillmentID, b.FulfillmentID)
		}
		if desc {
			c = -c
		}
		return c
	})
	items, total, pages := paginate(found, pg)
	writeJSON(w, http.StatusOK, struct {
		Fulfillments []Fulfillment `json:"fulfillments"`
		Total        int           `json:"total"`
		Page         int           `json:"page"`
		Pages        int           `json:"pages"`
	}{items, total, pg.number, pages})
}

// createLabelForOrder answers POST /orders/createlabelfororder. A test label
// is priced and numbered but not recorded and fires nothing.
func (s *Server) createLabelForOrder(w http.ResponseWriter, r *http.Request, _ []string) {
	var body struct {
		OrderID     int64  `json:"orderId"`
		CarrierCode string `json:"carrierCode"`
		ServiceCode string `json:"serviceCode"`
		PackageCode string `json:"packageCode"`
		TestLabel   bool   `json:"testLabel"`
	}
	if !decodeAction(w, r, "labelModel", &body) {
		return
	}
	if body.CarrierCode == "" || body.ServiceCode == "" {
		v1Invalid(w, "labelModel.carrierCode", "The carrierCode and serviceCode fields are required.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var sh *Shipment
	if body.TestLabel {
		sh = &Shipment{ShipmentCost: s.labelCostLocked(), TrackingNumber: s.trackingNumberLocked(body.CarrierCode)}
	} else {
		var err error
		sh, err = s.shipLocked(body.OrderID, ShipRequest{CarrierCode: body.CarrierCode, ServiceCode: body.ServiceCode, PackageCode: body.PackageCode})
		if err != nil {
			// ShipStation answers an unlabelable order with a server exception.
			v1Exception(w, err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"shipmentId": sh.ShipmentID, "shipmentCost": sh.ShipmentCost, "insuranceCost": Money{},
		"trackingNumber": sh.TrackingNumber, "labelData": fakeLabelPDF, "formData": nil,
	})
}

// fakeLabelPDF is a tiny base64 PDF standing in for label data.
const fakeLabelPDF = "JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCnRyYWlsZXIKPDwvUm9vdCAxIDAgUj4+CiUlRU9GCg=="

// voidLabel answers POST /shipments/voidlabel.
func (s *Server) voidLabel(w http.ResponseWriter, r *http.Request, _ []string) {
	var body struct {
		ShipmentID int64 `json:"shipmentId"`
	}
	if !decodeAction(w, r, "voidLabelModel", &body) {
		return
	}
	s.mu.Lock()
	_, err := s.voidLocked(body.ShipmentID)
	s.mu.Unlock()
	switch {
	case errors.Is(err, errAlreadyVoided):
		writeJSON(w, http.StatusOK, map[string]any{"approved": false, "message": "Label already voided"})
	case err != nil:
		v1Message(w, http.StatusBadRequest, err.Error())
	default:
		writeJSON(w, http.StatusOK, map[string]any{"approved": true, "message": "Label voided successfully"})
	}
}

// decodeJSON decodes a request body into v.
func decodeJSON(r *http.Request, v any) error {
	b, _, err := readBody(r)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, v)
}
