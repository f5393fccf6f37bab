package bigcommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// The v2 models, written from the BigCommerce reference (orders, lines,
// addresses, consignments, shipments). Only the fields tote uses are kept.

// addressFields are the fields every v2 address has.
type addressFields struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Company     string `json:"company"`
	Street1     string `json:"street_1"`
	Street2     string `json:"street_2"`
	City        string `json:"city"`
	State       string `json:"state"`
	Zip         string `json:"zip"`
	Country     string `json:"country"`
	CountryISO2 string `json:"country_iso2"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
}

// order is a v2 order.
type order struct {
	ID                    int64         `json:"id"`
	CustomerID            flexInt       `json:"customer_id"`
	DateCreated           date2822      `json:"date_created"`
	DateModified          date2822      `json:"date_modified"`
	DateShipped           date2822      `json:"date_shipped"`
	StatusID              int64         `json:"status_id"`
	Status                string        `json:"status"`
	CustomStatus          string        `json:"custom_status"`
	SubtotalExTax         amount        `json:"subtotal_ex_tax"`
	SubtotalIncTax        amount        `json:"subtotal_inc_tax"`
	SubtotalTax           amount        `json:"subtotal_tax"`
	ShippingCostExTax     amount        `json:"shipping_cost_ex_tax"`
	ShippingCostIncTax    amount        `json:"shipping_cost_inc_tax"`
	HandlingCostExTax     amount        `json:"handling_cost_ex_tax"`
	HandlingCostIncTax    amount        `json:"handling_cost_inc_tax"`
	WrappingCostExTax     amount        `json:"wrapping_cost_ex_tax"`
	WrappingCostIncTax    amount        `json:"wrapping_cost_inc_tax"`
	TotalExTax            amount        `json:"total_ex_tax"`
	TotalIncTax           amount        `json:"total_inc_tax"`
	TotalTax              amount        `json:"total_tax"`
	DiscountAmount        amount        `json:"discount_amount"`
	CouponDiscount        amount        `json:"coupon_discount"`
	StoreCreditAmount     amount        `json:"store_credit_amount"`
	GiftCertificateAmount amount        `json:"gift_certificate_amount"`
	ItemsTotal            int64         `json:"items_total"`
	ItemsShipped          int64         `json:"items_shipped"`
	PaymentMethod         string        `json:"payment_method"`
	PaymentProviderID     flexString    `json:"payment_provider_id"`
	PaymentStatus         string        `json:"payment_status"`
	CurrencyCode          string        `json:"currency_code"`
	StaffNotes            string        `json:"staff_notes"`
	CustomerMessage       string        `json:"customer_message"`
	IsDeleted             bool          `json:"is_deleted"`
	BillingAddress        addressFields `json:"billing_address"`
	OrderSource           string        `json:"order_source"`
	ChannelID             int64         `json:"channel_id"`
	ExternalOrderID       string        `json:"external_order_id"`
	CustomerLocale        string        `json:"customer_locale"`
	// Consignments is present with include=consignments...&consignment_structure=object.
	Consignments *consignments `json:"consignments"`
}

// productOption is an option chosen on an order line.
type productOption struct {
	Name         string `json:"name"`
	DisplayName  string `json:"display_name"`
	DisplayValue string `json:"display_value"`
	Value        string `json:"value"`
	Type         string `json:"type"`
}

// orderProduct is an order line (GET /v2/orders/{id}/products).
type orderProduct struct {
	ID                    int64           `json:"id"`
	OrderID               int64           `json:"order_id"`
	ProductID             int64           `json:"product_id"`
	VariantID             int64           `json:"variant_id"`
	OrderAddressID        int64           `json:"order_address_id"`
	Name                  string          `json:"name"`
	NameMerchant          string          `json:"name_merchant"`
	SKU                   string          `json:"sku"`
	UPC                   string          `json:"upc"`
	Type                  string          `json:"type"`
	BasePrice             amount          `json:"base_price"`
	PriceExTax            amount          `json:"price_ex_tax"`
	PriceIncTax           amount          `json:"price_inc_tax"`
	PriceTax              amount          `json:"price_tax"`
	TotalExTax            amount          `json:"total_ex_tax"`
	TotalIncTax           amount          `json:"total_inc_tax"`
	TotalTax              amount          `json:"total_tax"`
	DiscountedTotalIncTax amount          `json:"discounted_total_inc_tax"`
	BaseCostPrice         amount          `json:"base_cost_price"`
	Weight                amount          `json:"weight"`
	Width                 amount          `json:"width"`
	Height                amount          `json:"height"`
	Depth                 amount          `json:"depth"`
	Quantity              int64           `json:"quantity"`
	QuantityShipped       int64           `json:"quantity_shipped"`
	QuantityRefunded      int64           `json:"quantity_refunded"`
	WrappingName          string          `json:"wrapping_name"`
	WrappingMessage       string          `json:"wrapping_message"`
	WrappingCostIncTax    amount          `json:"wrapping_cost_inc_tax"`
	ParentOrderProductID  *int64          `json:"parent_order_product_id"`
	IsBundledProduct      bool            `json:"is_bundled_product"`
	BinPickingNumber      string          `json:"bin_picking_number"`
	ProductOptions        []productOption `json:"product_options"`
}

// shippingAddress is a ship-to address (GET /v2/orders/{id}/shipping_addresses).
// Its money fields are strings there and numbers in consignments; amount
// reads both.
type shippingAddress struct {
	ID      int64 `json:"id"`
	OrderID int64 `json:"order_id"`
	addressFields
	ItemsTotal         int64  `json:"items_total"`
	ItemsShipped       int64  `json:"items_shipped"`
	ShippingMethod     string `json:"shipping_method"`
	BaseCost           amount `json:"base_cost"`
	CostExTax          amount `json:"cost_ex_tax"`
	CostIncTax         amount `json:"cost_inc_tax"`
	CostTax            amount `json:"cost_tax"`
	HandlingCostExTax  amount `json:"handling_cost_ex_tax"`
	HandlingCostIncTax amount `json:"handling_cost_inc_tax"`
	ShippingZoneName   string `json:"shipping_zone_name"`
}

// consignments is the object form of an order's consignments. A shape
// tote cannot read is kept in odd instead of failing the decode of the
// page the order came in; completeOrder then refuses that one order.
type consignments struct {
	Shipping  []consignment `json:"shipping"`
	Pickups   []consignment `json:"pickups"`
	Downloads []consignment `json:"downloads"`
	odd       error
}

func (cs *consignments) UnmarshalJSON(b []byte) error {
	*cs = consignments{}
	var groups map[string]json.RawMessage
	if err := json.Unmarshal(b, &groups); err != nil {
		cs.odd = fmt.Errorf("consignments is %s, not an object", jsonKind(b))
		return nil
	}
	found := false
	for _, g := range []struct {
		name string
		dst  *[]consignment
	}{{"shipping", &cs.Shipping}, {"pickups", &cs.Pickups}, {"downloads", &cs.Downloads}} {
		raw, ok := groups[g.name]
		if !ok || string(raw) == "null" {
			continue
		}
		found = true
		if err := json.Unmarshal(raw, g.dst); err != nil {
			why := fmt.Sprintf("is %s where a list is expected", jsonKind(raw))
			if jsonKind(raw) == "a list" {
				why = fmt.Sprintf("holds something other than consignments (%v)", err)
			}
			*cs = consignments{odd: fmt.Errorf("consignments.%s %s", g.name, why)}
			return nil
		}
	}
	if !found {
		// The legacy shape (a link) or something new: no addresses to trust.
		cs.odd = errors.New("consignments has none of shipping, pickups and downloads")
	}
	return nil
}

// jsonKind names the kind of a JSON value for messages.
func jsonKind(raw []byte) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "empty"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// consignment is one shipping (or pickup, or download) consignment. Its
// line_items are order product objects with include=consignments.line_items,
// and {url, resource} links without it.
type consignment struct {
	shippingAddress
	LineItems []json.RawMessage `json:"line_items"`
}

// shipmentItem is one line of a shipment.
type shipmentItem struct {
	OrderProductID int64 `json:"order_product_id"`
	ProductID      int64 `json:"product_id,omitempty"`
	Quantity       int64 `json:"quantity"`
}

// shipment is a v2 order shipment.
type shipment struct {
	ID                    int64          `json:"id"`
	OrderID               int64          `json:"order_id"`
	OrderAddressID        flexInt        `json:"order_address_id"`
	DateCreated           date2822       `json:"date_created"`
	TrackingNumber        string         `json:"tracking_number"`
	ShippingMethod        string         `json:"shipping_method"`
	ShippingProvider      string         `json:"shipping_provider"`
	TrackingCarrier       string         `json:"tracking_carrier"`
	TrackingLink          string         `json:"tracking_link"`
	GeneratedTrackingLink string         `json:"generated_tracking_link"`
	Comments              string         `json:"comments"`
	Items                 []shipmentItem `json:"items"`
}

// shipmentInput is the body of POST /v2/orders/{id}/shipments.
type shipmentInput struct {
	OrderAddressID   int64          `json:"order_address_id"`
	Items            []shipmentItem `json:"items"`
	TrackingNumber   string         `json:"tracking_number"`
	ShippingProvider string         `json:"shipping_provider,omitempty"`
	TrackingCarrier  string         `json:"tracking_carrier,omitempty"`
	TrackingLink     string         `json:"tracking_link,omitempty"`
	ShippingMethod   string         `json:"shipping_method,omitempty"`
	Comments         string         `json:"comments,omitempty"`
}

// storeInfo is GET /v2/store.
type storeInfo struct {
	ID               string  `json:"id"`
	StoreID          flexInt `json:"store_id"`
	Name             string  `json:"name"`
	Domain           string  `json:"domain"`
	Currency         string  `json:"currency"`
	WeightUnits      string  `json:"weight_units"`
	DimensionUnits   string  `json:"dimension_units"`
	PlanName         string  `json:"plan_name"`
	DefaultChannelID int64   `json:"default_channel_id"`
	Timezone         struct {
		Name string `json:"name"`
	} `json:"timezone"`
}
