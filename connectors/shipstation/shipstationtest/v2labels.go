package shipstationtest

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The v2 labels surface: labels bought (outbound or return) through
// POST /v2/labels, the shipments they are for, and their carrier tracking.
// A v2 label belongs to a v1 order when its shipment's shipment_number (or,
// failing that, the label's rma_number) is the order's orderNumber; the
// reference names no link between the two APIs, so this is the fake's
// documented choice. A return label delivered (tracking DE) is received:
// its units go back in stock, as a return received in the UI does, unless
// Options.V2ReturnsKeepStock. Whether v1 /shipments lists v2 labels is not
// documented either: by default it does not (Options.V2ReturnLabelsInV1).

// V2Address is a v2 mailing address.
type V2Address struct {
	Name                        string  `json:"name"`
	Phone                       string  `json:"phone"`
	Email                       *string `json:"email"`
	CompanyName                 *string `json:"company_name"`
	AddressLine1                string  `json:"address_line1"`
	AddressLine2                *string `json:"address_line2"`
	AddressLine3                *string `json:"address_line3"`
	CityLocality                string  `json:"city_locality"`
	StateProvince               string  `json:"state_province"`
	PostalCode                  string  `json:"postal_code"`
	CountryCode                 string  `json:"country_code"`
	AddressResidentialIndicator string  `json:"address_residential_indicator"`
}

// V2Weight is a v2 weight: value and unit (pound, ounce, gram, kilogram).
type V2Weight struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

// V2Package is a parcel of a v2 shipment.
type V2Package struct {
	PackageCode string   `json:"package_code"`
	Weight      V2Weight `json:"weight"`
}

// V2ShipmentItem is a line of a v2 shipment.
type V2ShipmentItem struct {
	Name                string  `json:"name"`
	SalesOrderID        *string `json:"sales_order_id"`
	SalesOrderItemID    *string `json:"sales_order_item_id"`
	Quantity            int     `json:"quantity"`
	SKU                 *string `json:"sku"`
	ExternalOrderID     *string `json:"external_order_id"`
	ExternalOrderItemID *string `json:"external_order_item_id"`
}

// V2Shipment is a v2 shipment: what a label is bought for.
type V2Shipment struct {
	ShipmentID         string           `json:"shipment_id"`
	CarrierID          *string          `json:"carrier_id"`
	ServiceCode        *string          `json:"service_code"`
	ExternalOrderID    *string          `json:"external_order_id"`
	ExternalShipmentID *string          `json:"external_shipment_id"`
	ShipmentNumber     *string          `json:"shipment_number"`
	Items              []V2ShipmentItem `json:"items"`
	ShipDate           *string          `json:"ship_date"`
	CreatedAt          V2Time           `json:"created_at"`
	ModifiedAt         V2Time           `json:"modified_at"`
	ShipmentStatus     string           `json:"shipment_status"`
	ShipTo             *V2Address       `json:"ship_to"`
	ShipFrom           *V2Address       `json:"ship_from"`
	WarehouseID        *string          `json:"warehouse_id"`
	ReturnTo           *V2Address       `json:"return_to"`
	IsReturn           bool             `json:"is_return"`
	Confirmation       string           `json:"confirmation"`
	AdvancedOptions    map[string]any   `json:"advanced_options"`
	InsuranceProvider  string           `json:"insurance_provider"`
	Tags               []any            `json:"tags"`
	Packages           []V2Package      `json:"packages"`
	TotalWeight        V2Weight         `json:"total_weight"`
}

// V2LabelDownload holds a label's file links.
type V2LabelDownload struct {
	Href string `json:"href"`
	PDF  string `json:"pdf"`
	PNG  string `json:"png"`
	ZPL  string `json:"zpl"`
}

// V2LabelPackage is a parcel as a label lists it.
type V2LabelPackage struct {
	PackageID      int64           `json:"package_id"`
	PackageCode    string          `json:"package_code"`
	Weight         V2Weight        `json:"weight"`
	TrackingNumber string          `json:"tracking_number"`
	LabelDownload  V2LabelDownload `json:"label_download"`
}

// V2Label is a v2 label (outbound or return).
type V2Label struct {
	LabelID            string           `json:"label_id"`
	Status             string           `json:"status"`
	ShipmentID         string           `json:"shipment_id"`
	ExternalShipmentID *string          `json:"external_shipment_id"`
	ExternalOrderID    *string          `json:"external_order_id"`
	ShipDate           string           `json:"ship_date"`
	CreatedAt          V2Time           `json:"created_at"`
	ShipmentCost       V2Money          `json:"shipment_cost"`
	InsuranceCost      V2Money          `json:"insurance_cost"`
	TrackingNumber     string           `json:"tracking_number"`
	IsReturnLabel      bool             `json:"is_return_label"`
	RMANumber          *string          `json:"rma_number"`
	IsInternational    bool             `json:"is_international"`
	BatchID            string           `json:"batch_id"`
	CarrierID          string           `json:"carrier_id"`
	ChargeEvent        string           `json:"charge_event"`
	ServiceCode        string           `json:"service_code"`
	PackageCode        string           `json:"package_code"`
	Voided             bool             `json:"voided"`
	VoidedAt           *V2Time          `json:"voided_at"`
	LabelFormat        string           `json:"label_format"`
	DisplayScheme      string           `json:"display_scheme"`
	LabelLayout        string           `json:"label_layout"`
	Trackable          bool             `json:"trackable"`
	LabelImageID       *string          `json:"label_image_id"`
	CarrierCode        string           `json:"carrier_code"`
	Confirmation       string           `json:"confirmation"`
	TrackingStatus     string           `json:"tracking_status"`
	LabelDownload      V2LabelDownload  `json:"label_download"`
	FormDownload       *v2Link          `json:"form_download"`
	PaperlessDownload  *v2Link          `json:"paperless_download"`
	InsuranceClaim     *v2Link          `json:"insurance_claim"`
	Packages           []V2LabelPackage `json:"packages"`
	RateDetails        []any            `json:"rate_details"`
	TrackingURL        string           `json:"tracking_url"`
}

// V2TrackEvent is one carrier scan of a label.
type V2TrackEvent struct {
	OccurredAt               V2Time `json:"occurred_at"`
	CarrierOccurredAt        V2Time `json:"carrier_occurred_at"`
	Description              string `json:"description"`
	CityLocality             string `json:"city_locality"`
	StateProvince            string `json:"state_province"`
	PostalCode               string `json:"postal_code"`
	CountryCode              string `json:"country_code"`
	CompanyName              string `json:"company_name"`
	Signer                   string `json:"signer"`
	EventCode                string `json:"event_code"`
	CarrierDetailCode        string `json:"carrier_detail_code"`
	StatusCode               string `json:"status_code"`
	StatusDetailCode         string `json:"status_detail_code"`
	StatusDescription        string `json:"status_description"`
	CarrierStatusCode        string `json:"carrier_status_code"`
	CarrierStatusDescription string `json:"carrier_status_description"`
}

// V2Tracking is the answer of GET /v2/labels/{label_id}/track.
type V2Tracking struct {
	TrackingNumber           string         `json:"tracking_number"`
	TrackingURL              string         `json:"tracking_url"`
	StatusCode               string         `json:"status_code"`
	StatusDetailCode         string         `json:"status_detail_code"`
	CarrierCode              string         `json:"carrier_code"`
	CarrierID                int64          `json:"carrier_id"`
	StatusDescription        string         `json:"status_description"`
	StatusDetailDescription  string         `json:"status_detail_description"`
	CarrierStatusCode        string         `json:"carrier_status_code"`
	CarrierDetailCode        string         `json:"carrier_detail_code"`
	CarrierStatusDescription string         `json:"carrier_status_description"`
	ShipDate                 *V2Time        `json:"ship_date"`
	EstimatedDeliveryDate    *V2Time        `json:"estimated_delivery_date"`
	ActualDeliveryDate       *V2Time        `json:"actual_delivery_date"`
	ExceptionDescription     string         `json:"exception_description"`
	Events                   []V2TrackEvent `json:"events"`
}

// trackCodes are the standardized tracking status codes: description,
// default detail code, and the label-level tracking_status they give.
var trackCodes = map[string]struct{ description, detail, labelStatus string }{
	"UN": {"Unknown", "CARRIER_STATUS_NOT_MAPPED", "unknown"},
	"NY": {"Not Yet In System", "NOT_YET_RECEIVED_BY_CARRIER", "unknown"},
	"AC": {"Accepted", "RECEIVED_BY_CARRIER", "in_transit"},
	"IT": {"In Transit", "IN_TRANSIT", "in_transit"},
	"AT": {"Delivery Attempt", "ATTEMPTED_DELIVERY", "in_transit"},
	"EX": {"Exception", "CARRIER_DELAYS", "error"},
	"DE": {"Delivered", "DELIVERED", "delivered"},
	"SP": {"Delivered To Service Point", "DELIVERED_TO_LOCKER_COLLECTION_POINT", "delivered"},
}

// v2LabelRec is a label and the state kept beside it.
type v2LabelRec struct {
	label      V2Label
	tracking   V2Tracking
	modifiedAt time.Time
	// received is set once a delivered return label's units went back.
	received bool
	// mirror is the v1 shipment listing the label (V2ReturnLabelsInV1).
	mirror int64
}

// V2LabelRequest is the body of POST /v2/labels.
type V2LabelRequest struct {
	Shipment          *V2ShipmentRequest `json:"shipment"`
	IsReturnLabel     bool               `json:"is_return_label"`
	RMANumber         *string            `json:"rma_number"`
	ChargeEvent       string             `json:"charge_event"`
	OutboundLabelID   string             `json:"outbound_label_id"`
	LabelFormat       string             `json:"label_format"`
	LabelLayout       string             `json:"label_layout"`
	DisplayScheme     string             `json:"display_scheme"`
	LabelDownloadType string             `json:"label_download_type"`
	ValidateAddress   string             `json:"validate_address"`
	TestLabel         bool               `json:"test_label"`
}

// V2ShipmentRequest is the shipment a label is bought for.
type V2ShipmentRequest struct {
	CarrierID          string           `json:"carrier_id"`
	ServiceCode        string           `json:"service_code"`
	ExternalOrderID    *string          `json:"external_order_id"`
	ExternalShipmentID *string          `json:"external_shipment_id"`
	ShipmentNumber     *string          `json:"shipment_number"`
	ShipDate           *string          `json:"ship_date"`
	ShipTo             *V2Address       `json:"ship_to"`
	ShipFrom           *V2Address       `json:"ship_from"`
	WarehouseID        *string          `json:"warehouse_id"`
	ReturnTo           *V2Address       `json:"return_to"`
	IsReturn           *bool            `json:"is_return"`
	Confirmation       string           `json:"confirmation"`
	Items              []V2ShipmentItem `json:"items"`
	Packages           []V2Package      `json:"packages"`
}

// carrierIDOf is a v1 carrier's v2 carrier_id.
func carrierIDOf(c *Carrier) (string, int64) {
	n := 3000000 + c.ShippingProviderID
	return fmt.Sprintf("se-%d", n), n
}

// v2CarrierLocked finds the carrier of a label: by carrier_id, else the
// carrier offering the service.
func (s *Server) v2CarrierLocked(carrierID, service string) *Carrier {
	for _, c := range s.carriers {
		id, _ := carrierIDOf(c)
		if carrierID != "" && id != carrierID {
			continue
		}
		for _, sv := range c.Services {
			if sv.Code == service {
				return c
			}
		}
	}
	return nil
}

func v2Warehouse(id int64) string { return fmt.Sprintf("se-%d", id) }

// CreateV2Label buys a v2 label, as POST /v2/labels does.
func (s *Server) CreateV2Label(req V2LabelRequest) (V2Label, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, fail := s.createV2LabelLocked(&req)
	if fail != nil {
		return V2Label{}, fail
	}
	return rec.label, nil
}

func (s *Server) createV2LabelLocked(req *V2LabelRequest) (*v2LabelRec, *v2Fail) {
	sr := req.Shipment
	switch {
	case sr == nil:
		return nil, invalid("field_value_required", "shipment is required.")
	case sr.ServiceCode == "":
		return nil, invalid("field_value_required", "shipment.service_code is required.")
	case sr.ShipTo == nil || sr.ShipTo.AddressLine1 == "" || sr.ShipTo.CountryCode == "":
		return nil, invalid("field_value_required", "shipment.ship_to needs address_line1 and country_code.")
	case sr.ShipFrom == nil && sr.WarehouseID == nil:
		return nil, invalid("field_value_required", "shipment.ship_from or shipment.warehouse_id is required.")
	case len(sr.Packages) == 0:
		return nil, invalid("field_value_required", "shipment.packages needs at least one package.")
	case sr.ExternalShipmentID != nil && len(*sr.ExternalShipmentID) > 50:
		return nil, invalid("invalid_field_value", "external_shipment_id is longer than 50 characters.")
	}
	for _, p := range sr.Packages {
		if p.Weight.Value <= 0 || p.Weight.Unit == "" {
			return nil, invalid("invalid_field_value", "every package needs a weight with a value and a unit.")
		}
	}
	for _, it := range sr.Items {
		if it.Quantity < 0 {
			return nil, invalid("invalid_field_value", "item quantity must not be negative.")
		}
	}
	if ev := req.ChargeEvent; ev != "" && ev != "carrier_default" && ev != "on_creation" && ev != "on_carrier_acceptance" {
		return nil, invalid("invalid_field_value", "charge_event must be carrier_default, on_creation or on_carrier_acceptance.")
	}
	if sr.WarehouseID != nil && sr.ShipFrom == nil {
		var wh *Warehouse
		for _, w := range s.warehouses {
			if v2Warehouse(w.WarehouseID) == *sr.WarehouseID {
				wh = w
			}
		}
		if wh == nil {
			return nil, invalid("invalid_identifier", "warehouse_id %s was not found.", *sr.WarehouseID)
		}
		sr.ShipFrom = v2AddressOf(wh.OriginAddress)
	}
	if sr.ExternalShipmentID != nil {
		for _, sh := range s.v2Shipments {
			if sh.ExternalShipmentID != nil && *sh.ExternalShipmentID == *sr.ExternalShipmentID {
				return nil, &v2Fail{http.StatusBadRequest, v2TypeBusiness, "invalid_field_value",
					fmt.Sprintf("a shipment with external_shipment_id %s already exists.", *sr.ExternalShipmentID)}
			}
		}
	}
	carrier := s.v2CarrierLocked(sr.CarrierID, sr.ServiceCode)
	if carrier == nil {
		return nil, invalid("invalid_field_value", "service_code %s is not offered by carrier %q.", sr.ServiceCode, sr.CarrierID)
	}
	now := s.now()
	number := sr.ShipmentNumber
	if number == nil {
		number = sr.ExternalShipmentID // the spec: shipment_number defaults to it
	}
	isReturn := req.IsReturnLabel || (sr.IsReturn != nil && *sr.IsReturn)
	sh := &V2Shipment{
		ShipmentID: fmt.Sprintf("se-%d", next(&s.seq.v2)), ServiceCode: strPtr(sr.ServiceCode),
		ExternalOrderID: sr.ExternalOrderID, ExternalShipmentID: sr.ExternalShipmentID, ShipmentNumber: number,
		Items: slices.Clone(sr.Items), ShipDate: sr.ShipDate, CreatedAt: V2Time{now}, ModifiedAt: V2Time{now},
		ShipmentStatus: "label_purchased", ShipTo: sr.ShipTo, ShipFrom: sr.ShipFrom, WarehouseID: sr.WarehouseID,
		ReturnTo: cmp.Or(sr.ReturnTo, sr.ShipFrom), IsReturn: isReturn, Confirmation: cmp.Or(sr.Confirmation, "none"),
		AdvancedOptions: map[string]any{}, InsuranceProvider: "none", Tags: []any{}, Packages: slices.Clone(sr.Packages),
	}
	if sh.Items == nil {
		sh.Items = []V2ShipmentItem{}
	}
	cid, _ := carrierIDOf(carrier)
	sh.CarrierID = strPtr(cid)
	for _, p := range sh.Packages {
		sh.TotalWeight.Unit = p.Weight.Unit
		sh.TotalWeight.Value += p.Weight.Value
	}
	s.v2Shipments[sh.ShipmentID] = sh
	return s.newV2LabelLocked(sh, req, carrier, now), nil
}

// newV2LabelLocked records a label for a shipment.
func (s *Server) newV2LabelLocked(sh *V2Shipment, req *V2LabelRequest, carrier *Carrier, now time.Time) *v2LabelRec {
	cid, cnum := carrierIDOf(carrier)
	id := fmt.Sprintf("se-%d", next(&s.seq.v2))
	files := func(ext string) string {
		return fmt.Sprintf("%s/v2/downloads/10/%s/label-%s.%s", s.resourceBase(), id, id, ext)
	}
	tn := s.trackingNumberLocked(carrier.Code)
	format := cmp.Or(req.LabelFormat, "pdf")
	dl := V2LabelDownload{Href: files(format), PDF: files("pdf"), PNG: files("png"), ZPL: files("zpl")}
	pkgCode := "package"
	var pkgs []V2LabelPackage
	for i, p := range sh.Packages {
		pkgCode = cmp.Or(p.PackageCode, "package")
		pkgs = append(pkgs, V2LabelPackage{PackageID: int64(80000000 + int(s.seq.v2)*10 + i), PackageCode: pkgCode,
			Weight: p.Weight, TrackingNumber: tn, LabelDownload: dl})
	}
	international := sh.ShipTo != nil && sh.ShipFrom != nil && !strings.EqualFold(sh.ShipTo.CountryCode, sh.ShipFrom.CountryCode)
	url := "https://tools.usps.com/go/TrackConfirmAction.action?tLabels=" + tn
	switch {
	case strings.HasPrefix(carrier.Code, "ups"):
		url = "https://www.ups.com/track?tracknum=" + tn
	case carrier.Code == "fedex":
		url = "https://www.fedex.com/fedextrack/?trknbr=" + tn
	}
	rec := &v2LabelRec{modifiedAt: now}
	rec.label = V2Label{
		LabelID: id, Status: "completed", ShipmentID: sh.ShipmentID, ExternalShipmentID: sh.ExternalShipmentID,
		ExternalOrderID: sh.ExternalOrderID, ShipDate: pacificMidnight(now).Format("2006-01-02") + "T00:00:00Z",
		CreatedAt: V2Time{now}, ShipmentCost: V2Money{Amount: s.labelCostLocked(), Currency: "usd"},
		InsuranceCost: V2Money{Amount: Money{decimal.Zero}, Currency: "usd"}, TrackingNumber: tn,
		IsReturnLabel: sh.IsReturn, RMANumber: req.RMANumber, IsInternational: international, CarrierID: cid,
		ChargeEvent: cmp.Or(req.ChargeEvent, "carrier_default"), ServiceCode: deref(sh.ServiceCode), PackageCode: pkgCode,
		LabelFormat: format, DisplayScheme: cmp.Or(req.DisplayScheme, "label"), LabelLayout: cmp.Or(req.LabelLayout, "4x6"),
		Trackable: true, CarrierCode: carrier.Code, Confirmation: sh.Confirmation, TrackingStatus: "unknown",
		LabelDownload: dl, Packages: pkgs, RateDetails: []any{}, TrackingURL: url,
	}
	rec.tracking = V2Tracking{
		TrackingNumber: tn, TrackingURL: url, StatusCode: "NY", StatusDetailCode: trackCodes["NY"].detail,
		CarrierCode: carrier.Code, CarrierID: cnum, StatusDescription: trackCodes["NY"].description,
		StatusDetailDescription: "The carrier has not received the parcel yet.", CarrierStatusCode: "NY",
		CarrierDetailCode: "NY", CarrierStatusDescription: "Label created", ShipDate: &V2Time{pacificMidnight(now)},
		EstimatedDeliveryDate: &V2Time{pacificMidnight(now).AddDate(0, 0, 3)}, Events: []V2TrackEvent{},
	}
	s.v2Labels[id] = rec
	s.v2LabelIDs = append(s.v2LabelIDs, id)
	if s.opts.V2ReturnLabelsInV1 && sh.IsReturn {
		s.mirrorLocked(rec, sh, carrier, now)
	}
	return rec
}

// mirrorLocked lists a return label of a v1 order in v1 /shipments, with
// its tracking number and the order lines it returns.
func (s *Server) mirrorLocked(rec *v2LabelRec, sh *V2Shipment, carrier *Carrier, now time.Time) {
	o := s.v2OrderLocked(sh, &rec.label)
	if o == nil {
		return
	}
	var items []ShipmentItem
	for _, in := range sh.Items {
		if line := v2Line(&o.order, in); line != nil && in.Quantity > 0 {
			items = append(items, shipmentItem(line, in.Quantity))
		}
	}
	v1 := s.newShipmentLocked(&o.order, items, carrier.Code, rec.label.ServiceCode, rec.label.PackageCode, now)
	v1.TrackingNumber, v1.IsReturnLabel = rec.label.TrackingNumber, true
	v1.ShipmentCost = rec.label.ShipmentCost.Amount
	v1.ShipTo = normalized(&Address{Name: sh.ShipTo.Name, Company: sh.ShipTo.CompanyName, Street1: &sh.ShipTo.AddressLine1,
		City: &sh.ShipTo.CityLocality, State: &sh.ShipTo.StateProvince, PostalCode: &sh.ShipTo.PostalCode, Country: &sh.ShipTo.CountryCode})
	rec.mirror = v1.ShipmentID
}

// v2Line is the order line a v2 item names: by external_order_item_id (the
// lineItemKey), else the first line with its SKU.
func v2Line(o *Order, in V2ShipmentItem) *OrderItem {
	if in.ExternalOrderItemID != nil {
		if line := findLine(o, *in.ExternalOrderItemID); line != nil {
			return line
		}
	}
	for i := range o.Items {
		if in.SKU != nil && o.Items[i].SKU == *in.SKU && !o.Items[i].Adjustment {
			return &o.Items[i]
		}
	}
	return nil
}

// v2AddressOf converts a v1 address.
func v2AddressOf(a *Address) *V2Address {
	if a == nil {
		return nil
	}
	res := "unknown"
	if a.Residential != nil {
		res = map[bool]string{true: "yes", false: "no"}[*a.Residential]
	}
	return &V2Address{Name: a.Name, Phone: deref(a.Phone), CompanyName: a.Company, AddressLine1: deref(a.Street1),
		AddressLine2: a.Street2, AddressLine3: a.Street3, CityLocality: deref(a.City), StateProvince: deref(a.State),
		PostalCode: deref(a.PostalCode), CountryCode: deref(a.Country), AddressResidentialIndicator: res}
}

// CreateV2ReturnLabel makes a return label for an outbound v2 label, as
// POST /v2/labels/{label_id}/return does: the addresses swapped, every item.
func (s *Server) CreateV2ReturnLabel(labelID string) (V2Label, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, fail := s.returnLabelLocked(labelID, &V2LabelRequest{})
	if fail != nil {
		return V2Label{}, fail
	}
	return rec.label, nil
}

var errNoLabel = errors.New("no such label")

func (s *Server) returnLabelLocked(labelID string, req *V2LabelRequest) (*v2LabelRec, *v2Fail) {
	out := s.v2Labels[labelID]
	if out == nil {
		return nil, &v2Fail{status: http.StatusNotFound, text: errNoLabel.Error()}
	}
	switch {
	case out.label.IsReturnLabel:
		return nil, &v2Fail{http.StatusBadRequest, v2TypeBusiness, "invalid_field_value", "label " + labelID + " is a return label."}
	case out.label.Voided:
		return nil, &v2Fail{http.StatusBadRequest, v2TypeBusiness, "invalid_field_value", "label " + labelID + " is voided."}
	case out.label.IsInternational:
		return nil, &v2Fail{http.StatusBadRequest, v2TypeBusiness, "invalid_field_value", "return labels can only be made for domestic labels."}
	}
	if ev := req.ChargeEvent; ev != "" && ev != "carrier_default" && ev != "on_creation" && ev != "on_carrier_acceptance" {
		return nil, invalid("invalid_field_value", "charge_event must be carrier_default, on_creation or on_carrier_acceptance.")
	}
	src := s.v2Shipments[out.label.ShipmentID]
	now := s.now()
	sh := *src
	sh.ShipmentID = fmt.Sprintf("se-%d", next(&s.seq.v2))
	sh.ExternalShipmentID = nil // unique per shipment
	sh.ShipTo, sh.ShipFrom, sh.ReturnTo = src.ShipFrom, src.ShipTo, src.ShipTo
	sh.Items, sh.Packages = slices.Clone(src.Items), slices.Clone(src.Packages)
	sh.IsReturn, sh.CreatedAt, sh.ModifiedAt = true, V2Time{now}, V2Time{now}
	s.v2Shipments[sh.ShipmentID] = &sh
	var carrier *Carrier
	for _, c := range s.carriers {
		if c.Code == out.label.CarrierCode {
			carrier = c
		}
	}
	return s.newV2LabelLocked(&sh, req, carrier, now), nil
}

// TrackV2Label moves a label's tracking to a standardized status code (UN,
// NY, AC, IT, AT, EX, DE or SP), as the carrier's scans do; detail is an
// optional status_detail_code. A return label that reaches DE is received.
func (s *Server) TrackV2Label(labelID, code, detail string) (V2Tracking, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.v2Labels[labelID]
	if rec == nil {
		return V2Tracking{}, fmt.Errorf("label %s was not found", labelID)
	}
	tc, ok := trackCodes[code]
	if !ok {
		return V2Tracking{}, fmt.Errorf("status_code %q is not one of UN, NY, AC, IT, AT, EX, DE, SP", code)
	}
	now := s.now()
	t := &rec.tracking
	detail = cmp.Or(detail, tc.detail)
	t.StatusCode, t.StatusDetailCode, t.StatusDescription = code, detail, tc.description
	t.StatusDetailDescription = tc.description
	t.CarrierStatusCode, t.CarrierDetailCode, t.CarrierStatusDescription = code, code, tc.description
	t.ActualDeliveryDate, t.ExceptionDescription = nil, ""
	switch code {
	case "DE", "SP":
		t.ActualDeliveryDate = &V2Time{now}
	case "EX":
		t.ExceptionDescription = strings.ReplaceAll(strings.ToLower(detail), "_", " ")
	}
	ev := V2TrackEvent{OccurredAt: V2Time{now}, CarrierOccurredAt: V2Time{now}, Description: tc.description,
		CityLocality: "", StateProvince: "", PostalCode: "", CountryCode: "US", EventCode: code,
		CarrierDetailCode: code, StatusCode: code, StatusDetailCode: detail, StatusDescription: tc.description,
		CarrierStatusCode: code, CarrierStatusDescription: tc.description}
	if sh := s.v2Shipments[rec.label.ShipmentID]; sh != nil && sh.ShipTo != nil && (code == "DE" || code == "SP" || code == "AT") {
		ev.CityLocality, ev.StateProvince, ev.PostalCode = sh.ShipTo.CityLocality, sh.ShipTo.StateProvince, sh.ShipTo.PostalCode
	}
	t.Events = append([]V2TrackEvent{ev}, t.Events...) // newest first
	rec.label.TrackingStatus = tc.labelStatus
	rec.modifiedAt = now
	if code == "DE" && rec.label.IsReturnLabel && !rec.label.Voided && !rec.received {
		rec.received = true
		s.receiveV2ReturnLocked(rec)
	}
	return copyTracking(t), nil
}

// v2OrderLocked is the live v1 order a v2 shipment names: the order whose
// orderNumber is the shipment_number, else the label's rma_number.
func (s *Server) v2OrderLocked(sh *V2Shipment, l *V2Label) *orderRec {
	for _, number := range []*string{sh.ShipmentNumber, l.RMANumber} {
		if number == nil || *number == "" {
			continue
		}
		for _, id := range s.orderIDs {
			if rec := s.liveOrder(id); rec != nil && rec.order.OrderNumber == *number {
				return rec
			}
		}
	}
	return nil
}

// receiveV2ReturnLocked books a delivered return label's units as returned
// on its v1 order and, unless Options.V2ReturnsKeepStock, back on hand. No
// items means every shipped unit not yet returned.
func (s *Server) receiveV2ReturnLocked(rec *v2LabelRec) {
	sh := s.v2Shipments[rec.label.ShipmentID]
	o := s.v2OrderLocked(sh, &rec.label)
	if o == nil {
		return
	}
	returnable := func(it *OrderItem) int { return o.shipped[it.OrderItemID] - o.returned[it.OrderItemID] }
	book := func(it *OrderItem, n int) {
		n = min(n, returnable(it))
		if n <= 0 {
			return
		}
		o.returned[it.OrderItemID] += n
		if !s.opts.V2ReturnsKeepStock {
			s.changeStockLocked(it.SKU, n)
		}
	}
	if len(sh.Items) == 0 {
		for i := range o.order.Items {
			if it := &o.order.Items[i]; !it.Adjustment {
				book(it, returnable(it))
			}
		}
		return
	}
	for _, in := range sh.Items {
		if line := v2Line(&o.order, in); line != nil {
			book(line, in.Quantity)
		}
	}
}

// VoidV2Label voids a label, as PUT /v2/labels/{label_id}/void does.
func (s *Server) VoidV2Label(labelID string) (approved bool, message string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.v2Labels[labelID]
	if rec == nil {
		return false, "", fmt.Errorf("label %s was not found", labelID)
	}
	if rec.label.Voided {
		return false, "This label has already been voided.", nil
	}
	if rec.tracking.StatusCode != "NY" && rec.tracking.StatusCode != "UN" {
		return false, "The label was already used.", nil
	}
	now := s.now()
	rec.label.Voided, rec.label.VoidedAt, rec.label.Status = true, &V2Time{now}, "voided"
	rec.modifiedAt = now
	if v1 := s.shipments[rec.mirror]; v1 != nil && !v1.Voided {
		v1.Voided, v1.VoidDate = true, timePtr(now)
	}
	return true, "Request for refund submitted.  This label has been voided.", nil
}

// V2Labels returns every v2 label, oldest first.
func (s *Server) V2Labels() []V2Label {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]V2Label, 0, len(s.v2LabelIDs))
	for _, id := range s.v2LabelIDs {
		out = append(out, s.v2Labels[id].label)
	}
	return out
}

func copyTracking(t *V2Tracking) V2Tracking {
	c := *t
	c.Events = slices.Clone(t.Events)
	return c
}
