package bigcommercetest

import (
	"fmt"
	"net/http"
	"testing"
)

var shipmentShape = map[string]string{
	"id": "int", "order_id": "int", "customer_id": "int", "order_address_id": "int", "date_created": "rfc2822",
	"tracking_number": "string", "merchant_shipping_cost": "money4", "shipping_method": "string", "comments": "string",
	"shipping_provider": "string", "shipping_provider_display_name": "string", "tracking_carrier": "string",
	"tracking_link": "string", "generated_tracking_link": "string", "billing_address": "object",
	"shipping_address": "object", "items": "array",
}

func TestShipmentsSideEffects(t *testing.T) {
	s := newTestServer(t, Options{})
	id, lines := createOrder(t, s)
	addr := s.ShippingAddresses(id)[0].ID
	base := fmt.Sprintf("/v2/orders/%d/shipments", id)

	// Partial shipment; order_address_id as a string, as the docs' examples send it.
	r := call(t, s, "POST", base, map[string]any{"order_address_id": fmt.Sprint(addr), "tracking_number": "9400111202555842761040",
		"shipping_provider": "usps", "shipping_method": "USPS Ground Advantage", "comments": "Shipped via ShipStation",
		"items": []map[string]any{{"order_product_id": lines[0].ID, "quantity": 1}}})
	wantStatus(t, r, http.StatusCreated)
	sh := r.object(t)
	checkShape(t, "shipment", sh, shipmentShape)
	if sh["generated_tracking_link"] != "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111202555842761040" ||
		sh["tracking_link"] != "" || sh["shipping_provider_display_name"] != "USPS" {
		t.Errorf("tracking fields: %v %v %v", sh["generated_tracking_link"], sh["tracking_link"], sh["shipping_provider_display_name"])
	}
	if _, hasForms := sh["billing_address"].(map[string]any)["form_fields"]; hasForms {
		t.Error("shipment billing_address carries form_fields")
	}
	item := sh["items"].([]any)[0].(map[string]any)
	checkShape(t, "shipment item", item, map[string]string{"order_product_id": "int", "product_id": "int", "quantity": "int"})
	o, _ := s.Order(id)
	if o.StatusID != StatusPartiallyShipped || o.ItemsShipped != 1 || !o.DateShipped.IsZero() {
		t.Errorf("after partial: status %d shipped %d date_shipped %v", o.StatusID, o.ItemsShipped, o.DateShipped)
	}
	if l := s.OrderProducts(id)[0]; l.QuantityShipped != 1 {
		t.Errorf("quantity_shipped %d", l.QuantityShipped)
	}

	// Over-shipping is refused and changes nothing.
	r = call(t, s, "POST", base, map[string]any{"order_address_id": addr, "items": []map[string]any{{"order_product_id": lines[0].ID, "quantity": 2}}})
	wantStatus(t, r, http.StatusBadRequest)
	checkShape(t, "overship error", r.array(t)[0], map[string]string{"status": "int", "message": "string", "details": "object"})
	r = call(t, s, "POST", base, map[string]any{"order_address_id": 999999, "items": []map[string]any{{"order_product_id": lines[0].ID, "quantity": 1}}})
	wantStatus(t, r, http.StatusBadRequest)
	r = call(t, s, "POST", base, map[string]any{"order_address_id": addr, "shipping_provider": "pigeon", "items": []map[string]any{{"order_product_id": lines[0].ID, "quantity": 1}}})
	wantStatus(t, r, http.StatusBadRequest)

	// The rest ships: Shipped, date_shipped set; explicit tracking_link echoed.
	r = call(t, s, "POST", base, map[string]any{"order_address_id": addr, "tracking_number": "1Z999", "tracking_link": "https://example.com/t/1Z999",
		"items": []map[string]any{{"order_product_id": lines[0].ID, "quantity": 1}, {"order_product_id": lines[1].ID, "quantity": 1}}})
	wantStatus(t, r, http.StatusCreated)
	sh2 := r.object(t)
	if sh2["tracking_link"] != "https://example.com/t/1Z999" || sh2["generated_tracking_link"] != "" {
		t.Errorf("explicit link: %v / %v", sh2["tracking_link"], sh2["generated_tracking_link"])
	}
	o, _ = s.Order(id)
	if o.StatusID != StatusShipped || o.DateShipped.IsZero() || o.ItemsShipped != 3 {
		t.Errorf("after full: status %d date_shipped %v items_shipped %d", o.StatusID, o.DateShipped, o.ItemsShipped)
	}

	// Reads.
	r = call(t, s, "GET", base, nil)
	wantStatus(t, r, http.StatusOK)
	if n := len(r.array(t)); n != 2 {
		t.Errorf("%d shipments listed", n)
	}
	r = call(t, s, "GET", base+"/count", nil)
	wantStatus(t, r, http.StatusOK)
	if r.object(t)["count"].(float64) != 2 {
		t.Errorf("count %s", r.body)
	}
	sid := int(sh["id"].(float64))
	wantStatus(t, call(t, s, "GET", fmt.Sprintf("%s/%d", base, sid), nil), http.StatusOK)
	wantStatus(t, call(t, s, "GET", base+"/999999", nil), http.StatusNotFound)

	// Update tracking; items cannot be changed.
	r = call(t, s, "PUT", fmt.Sprintf("%s/%d", base, sid), map[string]any{"tracking_number": "1Z0001", "shipping_provider": "ups"})
	wantStatus(t, r, http.StatusOK)
	if got := r.object(t); got["tracking_number"] != "1Z0001" || got["shipping_provider_display_name"] != "UPS" {
		t.Errorf("after PUT %v", got)
	}
	wantStatus(t, call(t, s, "PUT", fmt.Sprintf("%s/%d", base, sid), map[string]any{"items": []any{}}), http.StatusBadRequest)

	// Delete: quantities given back, status stays Shipped.
	wantStatus(t, call(t, s, "DELETE", fmt.Sprintf("%s/%d", base, sid), nil), http.StatusNoContent)
	o, _ = s.Order(id)
	if o.StatusID != StatusShipped || o.ItemsShipped != 2 {
		t.Errorf("after delete: status %d items_shipped %d", o.StatusID, o.ItemsShipped)
	}
	wantStatus(t, call(t, s, "DELETE", base, nil), http.StatusNoContent)
	wantStatus(t, call(t, s, "GET", base, nil), http.StatusNoContent)
}

func TestShipmentDeleteKeepsQuantityKnob(t *testing.T) {
	s := newTestServer(t, Options{KeepShippedOnShipmentDelete: true})
	id, lines := createOrder(t, s)
	addr := s.ShippingAddresses(id)[0].ID
	r := call(t, s, "POST", fmt.Sprintf("/v2/orders/%d/shipments", id), map[string]any{"order_address_id": addr,
		"items": []map[string]any{{"order_product_id": lines[1].ID, "quantity": 1}}})
	wantStatus(t, r, http.StatusCreated)
	wantStatus(t, call(t, s, "DELETE", fmt.Sprintf("/v2/orders/%d/shipments/%v", id, r.object(t)["id"]), nil), http.StatusNoContent)
	if l := s.OrderProducts(id)[1]; l.QuantityShipped != 1 {
		t.Errorf("quantity_shipped %d, want kept at 1", l.QuantityShipped)
	}
}

// shipping_provider takes only BigCommerce's enum; tracking_carrier only
// AfterShip slugs (a ShipStation carrier code is neither), unless the fake
// is told to accept any slug. A refused shipment changes nothing.
func TestShipmentProviderAndCarrierValues(t *testing.T) {
	cases := []struct {
		name     string
		opts     Options
		field    string
		value    string
		accepted bool
	}{
		{"provider in the enum", Options{}, "shipping_provider", "canadapost", true},
		{"third-party provider", Options{}, "shipping_provider", "carrier_1234567", true},
		{"provider not in the enum", Options{}, "shipping_provider", "dhlexpress", false},
		{"AfterShip slug", Options{}, "tracking_carrier", "dhl", true},
		{"AfterShip slug with a dash", Options{}, "tracking_carrier", "dhl-global-mail", true},
		{"ShipStation carrier code as slug", Options{}, "tracking_carrier", "dhl_express", false},
		{"walleted code as slug", Options{}, "tracking_carrier", "ups_walleted", false},
		{"custom slug list", Options{TrackingCarriers: []string{"pigeon-post"}}, "tracking_carrier", "pigeon-post", true},
		{"custom slug list replaces the default", Options{TrackingCarriers: []string{"pigeon-post"}}, "tracking_carrier", "dhl", false},
		{"any slug", Options{AnyTrackingCarrier: true}, "tracking_carrier", "dhl_express", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestServer(t, c.opts)
			id, lines := createOrder(t, s)
			addr := s.ShippingAddresses(id)[0].ID
			r := call(t, s, "POST", fmt.Sprintf("/v2/orders/%d/shipments", id), map[string]any{"order_address_id": addr,
				"tracking_number": "1234567890", c.field: c.value,
				"items": []map[string]any{{"order_product_id": lines[0].ID, "quantity": 1}}})
			if c.accepted {
				wantStatus(t, r, http.StatusCreated)
				if got := r.object(t)[c.field]; got != c.value {
					t.Errorf("%s = %v, want %q", c.field, got, c.value)
				}
				return
			}
			wantStatus(t, r, http.StatusBadRequest)
			e := r.array(t)[0]
			checkShape(t, "error", e, map[string]string{"status": "int", "message": "string", "details": "object"})
			if e["message"] != fmt.Sprintf("The field '%s' is invalid.", c.field) {
				t.Errorf("message %v", e["message"])
			}
			if n := len(s.Shipments(id)); n != 0 {
				t.Errorf("%d shipments after a refused one", n)
			}
		})
	}
}
