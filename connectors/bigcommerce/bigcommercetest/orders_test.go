package bigcommercetest

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

var orderShape = map[string]string{
	"id": "int", "customer_id": "int", "date_created": "rfc2822", "date_modified": "rfc2822", "date_shipped": "rfc2822",
	"status_id": "int", "status": "string", "custom_status": "string", "cart_id": "string",
	"subtotal_ex_tax": "money4", "subtotal_inc_tax": "money4", "subtotal_tax": "money4",
	"base_shipping_cost": "money4", "shipping_cost_ex_tax": "money4", "shipping_cost_inc_tax": "money4",
	"shipping_cost_tax": "money4", "shipping_cost_tax_class_id": "int", "base_handling_cost": "money4",
	"handling_cost_ex_tax": "money4", "wrapping_cost_ex_tax": "money4", "total_ex_tax": "money4",
	"total_inc_tax": "money4", "total_tax": "money4", "is_tax_inclusive_pricing": "bool", "items_total": "int",
	"items_shipped": "int", "payment_method": "string", "payment_provider_id": "string|number", "payment_status": "string",
	"refunded_amount": "money4", "order_is_digital": "bool", "store_credit_amount": "money4",
	"gift_certificate_amount": "money4", "ip_address": "string", "geoip_country_iso2": "string",
	"currency_id": "int", "currency_code": "string", "currency_exchange_rate": "string", "default_currency_code": "string",
	"staff_notes": "string", "customer_message": "string", "discount_amount": "money4", "coupon_discount": "money4",
	"shipping_address_count": "int", "is_deleted": "bool", "ebay_order_id": "string", "billing_address": "object",
	"is_email_opt_in": "bool", "credit_card_type": "null|string", "order_source": "string", "channel_id": "int",
	"external_source": "null|string", "external_id": "null|string", "external_merchant_id": "null|string",
	"external_order_id": "string", "tax_provider_id": "string", "customer_locale": "string",
	"products": "object", "shipping_addresses": "object", "coupons": "object",
}

var lineShape = map[string]string{
	"id": "int", "order_id": "int", "product_id": "int", "variant_id": "int", "order_address_id": "int",
	"name": "string", "name_customer": "string", "name_merchant": "string", "sku": "string", "upc": "string", "type": "string",
	"base_price": "money4", "price_ex_tax": "money4", "price_inc_tax": "money4", "price_tax": "money4",
	"base_total": "money4", "total_ex_tax": "money4", "total_inc_tax": "money4", "total_tax": "money4",
	"weight": "money4", "width": "money4", "height": "money4", "depth": "money4", "quantity": "int",
	"quantity_shipped": "int", "is_refunded": "bool", "quantity_refunded": "int", "refund_amount": "money4",
	"return_id": "int", "parent_order_product_id": "null|int", "is_bundled_product": "bool",
	"bin_picking_number": "string", "applied_discounts": "array", "discounted_total_inc_tax": "money4",
	"product_options": "array", "order_pickup_method_id": "int",
}

var addressShape = map[string]string{
	"id": "int", "order_id": "int", "first_name": "string", "last_name": "string", "company": "string",
	"street_1": "string", "street_2": "string", "city": "string", "zip": "string", "country": "string",
	"country_iso2": "string", "state": "string", "email": "string", "phone": "string", "items_total": "int",
	"items_shipped": "int", "shipping_method": "string", "base_cost": "money4", "cost_ex_tax": "money4",
	"cost_inc_tax": "money4", "cost_tax": "money4", "cost_tax_class_id": "int", "handling_cost_ex_tax": "money4",
	"shipping_zone_id": "int", "shipping_zone_name": "string", "shipping_quotes": "object", "form_fields": "array",
}

func TestCreateOrderShapeTotalsAndStock(t *testing.T) {
	s := newTestServer(t, Options{})
	in, variant, simple := sampleOrder(t, s)
	beforeV, _ := s.Stock(variant.SKU, 1)
	beforeP, _ := s.Stock(simple.SKU, 1)

	r := call(t, s, "POST", "/v2/orders", in)
	wantStatus(t, r, http.StatusOK) // the spec answers 200, not 201
	o := r.object(t)
	checkShape(t, "order", o, orderShape)
	checkShape(t, "billing_address", o["billing_address"].(map[string]any), map[string]string{"first_name": "string", "zip": "string", "form_fields": "array"})

	unitV := variant.CalculatedPrice.Decimal
	unitP := simple.CalculatedPrice.Decimal
	wantSub := unitV.Mul(dec(2)).Add(unitP)
	if got := o["subtotal_ex_tax"]; got != wantSub.StringFixed(4) {
		t.Errorf("subtotal_ex_tax = %v, want %s", got, wantSub.StringFixed(4))
	}
	if got := o["total_inc_tax"]; got != wantSub.Add(MoneyOf("9.95").Decimal).StringFixed(4) {
		t.Errorf("total_inc_tax = %v", got)
	}
	if o["items_total"].(float64) != 3 || o["status_id"].(float64) != 11 || o["status"] != "Awaiting Fulfillment" {
		t.Errorf("items_total/status = %v/%v/%v", o["items_total"], o["status_id"], o["status"])
	}
	if o["order_source"] != "external" || o["date_shipped"] != "" {
		t.Errorf("order_source %v date_shipped %q", o["order_source"], o["date_shipped"])
	}
	id := int(o["id"].(float64))
	links := o["shipping_addresses"].(map[string]any)
	if links["resource"] != fmt.Sprintf("/orders/%d/shippingaddresses", id) {
		t.Errorf("shipping_addresses link %v (the real API spells it without underscore)", links)
	}

	afterV, _ := s.Stock(variant.SKU, 1)
	afterP, _ := s.Stock(simple.SKU, 1)
	if beforeV-afterV != 2 || beforeP-afterP != 1 {
		t.Errorf("stock not decremented: variant %d->%d, product %d->%d", beforeV, afterV, beforeP, afterP)
	}

	// Order products and shipping addresses, under both spellings.
	lines := call(t, s, "GET", fmt.Sprintf("/v2/orders/%d/products", id), nil)
	wantStatus(t, lines, http.StatusOK)
	ls := lines.array(t)
	if len(ls) != 2 {
		t.Fatalf("%d lines", len(ls))
	}
	checkShape(t, "order product", ls[0], lineShape)
	if ls[0]["sku"] != variant.SKU || ls[0]["variant_id"].(float64) != float64(variant.ID) {
		t.Errorf("line 0 sku %v variant %v, want %s %d", ls[0]["sku"], ls[0]["variant_id"], variant.SKU, variant.ID)
	}
	opts := ls[0]["product_options"].([]any)
	if len(opts) == 0 {
		t.Fatal("variant line has no product_options")
	}
	checkShape(t, "product option", opts[0].(map[string]any), map[string]string{"display_name": "string", "display_value": "string", "value": "string", "product_option_id": "int", "type": "string"})
	one := call(t, s, "GET", fmt.Sprintf("/v2/orders/%d/products/%v", id, ls[1]["id"]), nil)
	wantStatus(t, one, http.StatusOK)
	if one.object(t)["product_id"].(float64) != float64(simple.ID) {
		t.Errorf("single line get: %s", one.body)
	}

	for _, path := range []string{"shipping_addresses", "shippingaddresses"} {
		a := call(t, s, "GET", fmt.Sprintf("/v2/orders/%d/%s", id, path), nil)
		wantStatus(t, a, http.StatusOK)
		as := a.array(t)
		if len(as) != 1 {
			t.Fatalf("%s: %d addresses", path, len(as))
		}
		checkShape(t, "shipping address", as[0], addressShape)
		if as[0]["shipping_method"] != "Standard Ground" || as[0]["items_total"].(float64) != 3 || as[0]["cost_inc_tax"] != "9.9500" {
			t.Errorf("address %v", as[0])
		}
	}
	addrID := int(s.ShippingAddresses(id)[0].ID)
	wantStatus(t, call(t, s, "GET", fmt.Sprintf("/v2/orders/%d/shipping_addresses/%d", id, addrID), nil), http.StatusOK)
	wantStatus(t, call(t, s, "GET", fmt.Sprintf("/v2/orders/%d/shipping_addresses/999999", id), nil), http.StatusNotFound)
}

func TestCreateOrderValidation(t *testing.T) {
	s := newTestServer(t, Options{})
	in, variant, _ := sampleOrder(t, s)

	noBilling := in
	noBilling.BillingAddress = nil
	r := call(t, s, "POST", "/v2/orders", noBilling)
	wantStatus(t, r, http.StatusBadRequest)
	errs := r.array(t)
	checkShape(t, "v2 error", errs[0], map[string]string{"status": "int", "message": "string", "details": "object"})

	over := in
	stock, _ := s.Stock(variant.SKU, 1)
	over.Products = []OrderProductInput{{ProductID: variant.ProductID, VariantID: variant.ID, Quantity: stock + 1}}
	wantStatus(t, call(t, s, "POST", "/v2/orders", over), http.StatusBadRequest)
	if after, _ := s.Stock(variant.SKU, 1); after != stock {
		t.Errorf("refused order changed stock %d -> %d", stock, after)
	}

	unknown := in
	unknown.Products = []OrderProductInput{{ProductID: 999999, Quantity: 1}}
	wantStatus(t, call(t, s, "POST", "/v2/orders", unknown), http.StatusBadRequest)

	custom := in
	custom.Products = []OrderProductInput{{Name: "Gift note", Quantity: 1, PriceExTax: ptr(MoneyOf("2")), PriceIncTax: ptr(MoneyOf("2.2"))}}
	r = call(t, s, "POST", "/v2/orders", custom)
	wantStatus(t, r, http.StatusOK)
	id := int(r.object(t)["id"].(float64))
	if l := s.OrderProducts(id)[0]; l.ProductID != 0 || l.PriceTax.StringFixed(4) != "0.2000" {
		t.Errorf("custom line %+v", l)
	}

	r = callWith(t, s, "POST", s.APIBase()+"/v2/orders", "{}", map[string]string{"X-Auth-Token": "sandbox-token", "Content-Type": "text/plain"})
	wantStatus(t, r, http.StatusUnsupportedMediaType)
	wantStatus(t, call(t, s, "POST", "/v2/orders", "{not json"), http.StatusBadRequest)
}

func ptr[T any](v T) *T { return &v }

func TestListOrdersFiltersSortAndPaging(t *testing.T) {
	clock := &Clock{}
	start := time.Date(2025, 3, 4, 18, 2, 11, 0, time.UTC)
	clock.Set(start)
	s := newTestServer(t, Options{Clock: clock})

	// Empty store: 204 with no body.
	r := call(t, s, "GET", "/v2/orders", nil)
	wantStatus(t, r, http.StatusNoContent)
	if len(r.body) != 0 {
		t.Errorf("204 with body %q", r.body)
	}

	var ids []int
	for i := range 7 {
		in, _, _ := sampleOrder(t, s)
		if i == 3 {
			in.ChannelID = ptr(2)
			in.CustomerID = 42
		}
		r := call(t, s, "POST", "/v2/orders", in)
		wantStatus(t, r, http.StatusOK)
		ids = append(ids, int(r.object(t)["id"].(float64)))
		clock.Advance(time.Hour)
	}
	incomplete, _, _ := sampleOrder(t, s)
	incomplete.StatusID = ptr(StatusIncomplete)
	wantStatus(t, call(t, s, "POST", "/v2/orders", incomplete), http.StatusOK)

	list := func(q string) []map[string]any {
		r := call(t, s, "GET", "/v2/orders?"+q, nil)
		if r.status == http.StatusNoContent {
			return nil
		}
		wantStatus(t, r, http.StatusOK)
		return r.array(t)
	}
	if got := list(""); len(got) != 7 {
		t.Errorf("default list has %d orders, want 7 (incomplete excluded)", len(got))
	}
	if got := list("status_id=0"); len(got) != 1 {
		t.Errorf("status_id=0 gives %d", len(got))
	}
	if got := list(fmt.Sprintf("min_id=%d&max_id=%d", ids[2], ids[4])); len(got) != 3 {
		t.Errorf("min/max id gives %d", len(got))
	}
	if got := list("channel_id=2"); len(got) != 1 || got[0]["customer_id"].(float64) != 42 {
		t.Errorf("channel_id=2 gives %v", got)
	}
	if got := list("customer_id=42"); len(got) != 1 {
		t.Errorf("customer_id gives %d", len(got))
	}
	if got := list("email=ANA@example.com"); len(got) != 7 {
		t.Errorf("email gives %d", len(got))
	}
	// Date filters in both accepted formats, with + url-encoded.
	cut := start.Add(3 * time.Hour)
	if got := list("min_date_created=" + url.QueryEscape(cut.Format(time.RFC1123Z))); len(got) != 4 {
		t.Errorf("min_date_created (RFC 2822) gives %d, want 4", len(got))
	}
	if got := list("max_date_created=" + url.QueryEscape(cut.Format("2006-01-02T15:04:05.000-07:00"))); len(got) != 4 {
		t.Errorf("max_date_created (ISO 8601) gives %d, want 4", len(got))
	}

	// A later status change makes the first order the most recently modified.
	wantStatus(t, call(t, s, "PUT", fmt.Sprintf("/v2/orders/%d", ids[0]), map[string]any{"status_id": 9}), http.StatusOK)
	got := list("min_date_modified=" + url.QueryEscape(clock.Now().Format(time.RFC1123Z)) + "&sort=date_modified:asc")
	if len(got) != 1 || got[0]["id"].(float64) != float64(ids[0]) {
		t.Errorf("min_date_modified after update gives %v", got)
	}
	desc := list("sort=id:desc")
	if desc[0]["id"].(float64) != float64(ids[6]) {
		t.Errorf("sort=id:desc starts with %v", desc[0]["id"])
	}
	wantStatus(t, call(t, s, "GET", "/v2/orders?sort=bogus", nil), http.StatusBadRequest)

	// Paging: limit and page, past the end is 204.
	p1, p2 := list("limit=3&page=1"), list("limit=3&page=3")
	if len(p1) != 3 || len(p2) != 1 || p1[0]["id"].(float64) != float64(ids[0]) {
		t.Errorf("paging: %d then %d", len(p1), len(p2))
	}
	if got := list("limit=3&page=9"); got != nil {
		t.Errorf("page past the end gave %d orders", len(got))
	}

	// Count: total plus per-status counts.
	c := call(t, s, "GET", "/v2/orders/count", nil)
	wantStatus(t, c, http.StatusOK)
	cm := c.object(t)
	if cm["count"].(float64) != 7 {
		t.Errorf("count %v", cm["count"])
	}
	for _, st := range cm["statuses"].([]any) {
		m := st.(map[string]any)
		checkShape(t, "count status", m, map[string]string{"id": "int", "name": "string", "count": "int", "custom_label": "string"})
		if m["id"].(float64) == 9 && m["count"].(float64) != 1 {
			t.Errorf("status 9 count %v", m["count"])
		}
	}
}

func TestOrderDatesAreRFC2822(t *testing.T) {
	clock := &Clock{}
	clock.Set(time.Date(2025, 3, 4, 18, 2, 11, 0, time.FixedZone("x", -5*3600)))
	s := newTestServer(t, Options{Clock: clock})
	id, _ := createOrder(t, s)
	o := call(t, s, "GET", fmt.Sprintf("/v2/orders/%d", id), nil).object(t)
	if o["date_created"] != "Tue, 04 Mar 2025 23:02:11 +0000" {
		t.Errorf("date_created %q", o["date_created"])
	}
}

func TestUpdateOrder(t *testing.T) {
	s := newTestServer(t, Options{})
	id, _ := createOrder(t, s)
	path := fmt.Sprintf("/v2/orders/%d", id)
	r := call(t, s, "PUT", path, map[string]any{"status_id": 9, "staff_notes": "Sent to ShipStation", "customer_message": "ring twice"})
	wantStatus(t, r, http.StatusOK)
	o := r.object(t)
	if o["status_id"].(float64) != 9 || o["status"] != "Awaiting Shipment" || o["staff_notes"] != "Sent to ShipStation" || o["customer_message"] != "ring twice" {
		t.Errorf("after PUT: %v %v %v", o["status_id"], o["status"], o["staff_notes"])
	}
	if len(s.Shipments(id)) != 0 {
		t.Error("status change created a shipment")
	}

	r = call(t, s, "PUT", path, map[string]any{"date_shipped": "x"})
	wantStatus(t, r, http.StatusBadRequest)
	if msg := r.array(t)[0]["message"].(string); msg != "The field 'date_shipped' cannot be written to. Please remove it from your request before trying again." {
		t.Errorf("read-only message %q", msg)
	}
	wantStatus(t, call(t, s, "PUT", path, map[string]any{"shipping_cost_ex_tax": 5}), http.StatusBadRequest)
	wantStatus(t, call(t, s, "PUT", path, map[string]any{"status_id": 99}), http.StatusBadRequest)
	wantStatus(t, call(t, s, "PUT", "/v2/orders/999999", map[string]any{"status_id": 9}), http.StatusNotFound)

	// Archive: gone from lists and gets.
	wantStatus(t, call(t, s, "DELETE", path, nil), http.StatusNoContent)
	wantStatus(t, call(t, s, "GET", path, nil), http.StatusNotFound)
	wantStatus(t, call(t, s, "GET", "/v2/orders", nil), http.StatusNoContent)
}

func TestOrderNotFoundAndStatuses(t *testing.T) {
	s := newTestServer(t, Options{})
	r := call(t, s, "GET", "/v2/orders/424242", nil)
	wantStatus(t, r, http.StatusNotFound)
	if e := r.array(t)[0]; e["status"].(float64) != 404 || e["message"] != "The requested resource was not found." {
		t.Errorf("404 body %s", r.body)
	}
	r = call(t, s, "GET", "/v2/order_statuses", nil)
	wantStatus(t, r, http.StatusOK)
	st := r.array(t)
	if len(st) != 15 {
		t.Errorf("%d statuses", len(st))
	}
	checkShape(t, "status", st[0], map[string]string{"id": "int", "name": "string", "system_label": "string", "custom_label": "string", "system_description": "string", "order": "int"})
	r = call(t, s, "GET", "/v2/order_statuses/11", nil)
	wantStatus(t, r, http.StatusOK)
	if r.object(t)["name"] != "Awaiting Fulfillment" {
		t.Errorf("status 11: %s", r.body)
	}
}

func TestSubListsEmptyAndPaged(t *testing.T) {
	s := newTestServer(t, Options{})
	in, variant, _ := sampleOrder(t, s)
	in.Products = nil
	for range 3 {
		in.Products = append(in.Products, OrderProductInput{ProductID: variant.ProductID, VariantID: variant.ID, Quantity: 1})
	}
	r := call(t, s, "POST", "/v2/orders", in)
	wantStatus(t, r, http.StatusOK)
	id := int(r.object(t)["id"].(float64))
	page := call(t, s, "GET", fmt.Sprintf("/v2/orders/%d/products?limit=2&page=2", id), nil)
	wantStatus(t, page, http.StatusOK)
	if n := len(page.array(t)); n != 1 {
		t.Errorf("page 2 of 3 lines at limit 2 has %d", n)
	}
	wantStatus(t, call(t, s, "GET", fmt.Sprintf("/v2/orders/%d/products?limit=2&page=3", id), nil), http.StatusNoContent)
	wantStatus(t, call(t, s, "GET", fmt.Sprintf("/v2/orders/%d/shipments", id), nil), http.StatusNoContent)

	// A digital-only order has no shipping addresses: 204, or [] with the knob.
	for _, asArray := range []bool{false, true} {
		s := newTestServer(t, Options{EmptySubListsAsArray: asArray})
		digital, err := s.AddProduct(NewProduct{Name: "E-book", SKU: "EBOOK", Type: "digital", InventoryTracking: "none"})
		if err != nil {
			t.Fatal(err)
		}
		in.Products = []OrderProductInput{{ProductID: digital.ID, Quantity: 1}}
		in.ShippingAddresses = nil
		r = call(t, s, "POST", "/v2/orders", in)
		wantStatus(t, r, http.StatusOK)
		did := int(r.object(t)["id"].(float64))
		r = call(t, s, "GET", fmt.Sprintf("/v2/orders/%d/shipping_addresses", did), nil)
		if !asArray {
			wantStatus(t, r, http.StatusNoContent)
			continue
		}
		wantStatus(t, r, http.StatusOK)
		if string(r.body) != "[]\n" {
			t.Errorf("knob body %q", r.body)
		}
	}
}

func TestConsignmentsInclude(t *testing.T) {
	s := newTestServer(t, Options{})
	id, _ := createOrder(t, s)
	r := call(t, s, "GET", fmt.Sprintf("/v2/orders/%d?include=consignments.line_items&consignment_structure=object", id), nil)
	wantStatus(t, r, http.StatusOK)
	c := r.object(t)["consignments"].(map[string]any)
	ship := c["shipping"].([]any)[0].(map[string]any)
	checkShape(t, "consignment", ship, map[string]string{"id": "int", "base_cost": "number", "cost_inc_tax": "number", "line_items": "array", "shipping_method": "string"})
	if n := len(ship["line_items"].([]any)); n != 2 {
		t.Errorf("%d consignment lines", n)
	}
	r = call(t, s, "GET", fmt.Sprintf("/v2/orders/%d?include=consignments", id), nil)
	checkShape(t, "legacy consignments", r.object(t), map[string]string{"consignments": "object"})
}
