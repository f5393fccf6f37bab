package bigcommercetest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// OrderInput is the body of POST /v2/orders (and POST /_sim/orders).
type OrderInput struct {
	StatusID              *int                   `json:"status_id,omitempty"`
	CustomerID            int                    `json:"customer_id,omitempty"`
	BillingAddress        *Address               `json:"billing_address,omitempty"`
	ShippingAddresses     []ShippingAddressInput `json:"shipping_addresses,omitempty"`
	Products              []OrderProductInput    `json:"products,omitempty"`
	ShippingCostExTax     *Money                 `json:"shipping_cost_ex_tax,omitempty"`
	ShippingCostIncTax    *Money                 `json:"shipping_cost_inc_tax,omitempty"`
	HandlingCostExTax     *Money                 `json:"handling_cost_ex_tax,omitempty"`
	HandlingCostIncTax    *Money                 `json:"handling_cost_inc_tax,omitempty"`
	WrappingCostExTax     *Money                 `json:"wrapping_cost_ex_tax,omitempty"`
	WrappingCostIncTax    *Money                 `json:"wrapping_cost_inc_tax,omitempty"`
	SubtotalExTax         *Money                 `json:"subtotal_ex_tax,omitempty"`
	SubtotalIncTax        *Money                 `json:"subtotal_inc_tax,omitempty"`
	TotalExTax            *Money                 `json:"total_ex_tax,omitempty"`
	TotalIncTax           *Money                 `json:"total_inc_tax,omitempty"`
	DiscountAmount        *Money                 `json:"discount_amount,omitempty"`
	StaffNotes            string                 `json:"staff_notes,omitempty"`
	CustomerMessage       string                 `json:"customer_message,omitempty"`
	PaymentMethod         string                 `json:"payment_method,omitempty"`
	ExternalSource        *string                `json:"external_source,omitempty"`
	ExternalID            *string                `json:"external_id,omitempty"`
	ExternalMerchantID    *string                `json:"external_merchant_id,omitempty"`
	ExternalOrderID       string                 `json:"external_order_id,omitempty"`
	ChannelID             *int                   `json:"channel_id,omitempty"`
	DateCreated           *Date2822              `json:"date_created,omitempty"`
	IsTaxInclusivePricing bool                   `json:"is_tax_inclusive_pricing,omitempty"`
	CustomerLocale        string                 `json:"customer_locale,omitempty"`
	IPAddress             string                 `json:"ip_address,omitempty"`
	DefaultCurrencyCode   string                 `json:"default_currency_code,omitempty"`
}

// ShippingAddressInput is a ship-to address on order creation.
type ShippingAddressInput struct {
	AddressFields
	ShippingMethod string      `json:"shipping_method,omitempty"`
	FormFields     []FormField `json:"form_fields,omitempty"`
}

// OrderProductOptionInput picks an option value on order creation.
type OrderProductOptionInput struct {
	ID    int    `json:"id"`
	Value string `json:"value"`
}

// OrderProductInput is an order line on creation: a catalog product
// (product_id, optionally variant_id or product_options) or a custom line
// (name and prices).
type OrderProductInput struct {
	ProductID          int                       `json:"product_id,omitempty"`
	VariantID          int                       `json:"variant_id,omitempty"`
	Name               string                    `json:"name,omitempty"`
	NameCustomer       string                    `json:"name_customer,omitempty"`
	NameMerchant       string                    `json:"name_merchant,omitempty"`
	SKU                string                    `json:"sku,omitempty"`
	UPC                string                    `json:"upc,omitempty"`
	Quantity           int                       `json:"quantity"`
	PriceIncTax        *Money                    `json:"price_inc_tax,omitempty"`
	PriceExTax         *Money                    `json:"price_ex_tax,omitempty"`
	ProductOptions     []OrderProductOptionInput `json:"product_options,omitempty"`
	WrappingName       string                    `json:"wrapping_name,omitempty"`
	WrappingMessage    string                    `json:"wrapping_message,omitempty"`
	WrappingCostExTax  *Money                    `json:"wrapping_cost_ex_tax,omitempty"`
	WrappingCostIncTax *Money                    `json:"wrapping_cost_inc_tax,omitempty"`
	// ShipToIndex is a simulation extension, honoured for orders placed as
	// a shopper does (/_sim/orders, PlaceOrder): the 0-based shipping
	// address this line ships to, as a checkout with several addresses
	// assigns lines. POST /v2/orders ignores it, and lines ship to the
	// first address.
	ShipToIndex int `json:"sim_ship_to_index,omitempty"`
}

// inputError is a rejected order body, answered as a v2 400.
type inputError struct {
	field, reason string
}

func (e *inputError) Error() string { return fmt.Sprintf("field %s: %s", e.field, e.reason) }

func (e *inputError) write(w http.ResponseWriter) { writeV2Invalid(w, e.field, e.reason) }

// orderSource says who placed an order: the Orders API or a shopper.
type orderSource struct {
	source        string // order_source
	defaultStatus int
	payment       string
	provider      string
	// history marks orders seeded as the store's past (SeedOrders): their
	// stock was taken long ago, so none is checked or taken now.
	history bool
}

var (
	apiSource      = orderSource{source: "external", defaultStatus: StatusPending, payment: "Manual", provider: "custom"}
	checkoutSource = orderSource{source: "www", defaultStatus: StatusAwaitingFulfillment, payment: "Credit Card", provider: "testgateway"}
)

// createOrderLocked builds, validates and stores an order, takes its stock and
// returns the webhook events it causes.
func (s *Server) createOrderLocked(in OrderInput, src orderSource) (*orderRec, []event, error) {
	st := s.st
	if in.BillingAddress == nil {
		return nil, nil, &inputError{"billing_address", "The billing address is required."}
	}
	if len(strings.TrimSpace(in.BillingAddress.Zip)) < 2 && in.BillingAddress.Zip != "" {
		return nil, nil, &inputError{"billing_address.zip", "The zip must have at least 2 characters."}
	}
	if len(in.Products) == 0 {
		return nil, nil, &inputError{"products", "At least one product is required."}
	}
	status := src.defaultStatus
	if in.StatusID != nil {
		status = *in.StatusID
	}
	if _, ok := statusByID(status); !ok {
		return nil, nil, &inputError{"status_id", fmt.Sprintf("Status %d does not exist.", status)}
	}
	channelID := 1
	if in.ChannelID != nil {
		channelID = *in.ChannelID
	}
	if c := st.channel(channelID); c == nil || c.Status != "active" {
		return nil, nil, &inputError{"channel_id", fmt.Sprintf("Channel %d is not a valid enabled channel.", channelID)}
	}

	now := s.now()
	id := st.next["order"]
	rec := &orderRec{providerID: src.provider}
	var lines []*OrderProduct
	shipTo := map[*OrderProduct]int{}
	need := map[stockKey]int{}
	physical := false
	for i, p := range in.Products {
		line, key, err := s.buildLineLocked(id, p, i)
		if err != nil {
			return nil, nil, err
		}
		if line.Type == "physical" {
			physical = true
		}
		if key != nil {
			need[*key] += line.Quantity
		}
		shipTo[line] = p.ShipToIndex
		lines = append(lines, line)
	}
	takeStock := status != StatusIncomplete && !src.history
	if takeStock && !s.opts.AllowOversell {
		for k, q := range need {
			if have := st.onhand(k); have < q {
				return nil, nil, &inputError{"quantity", fmt.Sprintf("Only %d in stock for product %d (variant %d); %d requested.", have, k.product, k.variant, q)}
			}
		}
	}

	// The order is valid: hand out ids and store it.
	st.nextID("order")
	o := &rec.o
	o.ID = id
	o.CustomerID = in.CustomerID
	o.DateCreated = Date2822{now}
	if in.DateCreated != nil && !in.DateCreated.IsZero() {
		o.DateCreated = *in.DateCreated
	}
	o.DateModified = Date2822{now}
	rec.setStatus(status)
	o.CartID = ""
	if src.source == "www" {
		o.CartID = fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", s.rng.Uint32(), s.rng.Uint32()&0xffff, s.rng.Uint32()&0xfff, s.rng.Uint32()&0xfff, s.rng.Uint64()&0xffffffffffff)
	}
	o.BillingAddress = *in.BillingAddress
	if o.BillingAddress.FormFields == nil {
		o.BillingAddress.FormFields = []FormField{}
	}
	o.PaymentMethod = in.PaymentMethod
	if o.PaymentMethod == "" {
		o.PaymentMethod = src.payment
	}
	o.StaffNotes, o.CustomerMessage = in.StaffNotes, in.CustomerMessage
	o.ExternalSource, o.ExternalID, o.ExternalMerchantID, o.ExternalOrderID = in.ExternalSource, in.ExternalID, in.ExternalMerchantID, in.ExternalOrderID
	o.ChannelID = channelID
	o.IsTaxInclusivePricing = in.IsTaxInclusivePricing
	o.CustomerLocale = in.CustomerLocale
	if o.CustomerLocale == "" {
		o.CustomerLocale = "en"
	}
	o.IPAddress = in.IPAddress
	o.GeoipCountry, o.GeoipCountryISO2 = in.BillingAddress.Country, in.BillingAddress.CountryISO2
	o.CurrencyID, o.DefaultCurrencyID = 1, 1
	o.CurrencyCode, o.DefaultCurrencyCode, o.StoreDefaultCurrencyCode = "USD", "USD", "USD"
	if in.DefaultCurrencyCode != "" {
		o.CurrencyCode, o.DefaultCurrencyCode = in.DefaultCurrencyCode, in.DefaultCurrencyCode
	}
	o.CurrencyExchangeRate, o.StoreDefaultToTransactionalExchangeRate = "1.0000000000", "1.0000000000"
	o.EbayOrderID = "0"
	o.OrderSource = src.source
	o.TaxProviderID = "BasicTaxProvider"
	o.ShippingCostTaxClassID, o.HandlingCostTaxClassID, o.WrappingCostTaxClassID = 2, 2, 3
	o.OrderIsDigital = !physical

	// Addresses: without any, a physical order ships to the billing address.
	addrs := in.ShippingAddresses
	if len(addrs) == 0 && physical {
		addrs = []ShippingAddressInput{{AddressFields: in.BillingAddress.AddressFields}}
	}
	shipEx, shipInc := pair(in.ShippingCostExTax, in.ShippingCostIncTax)
	handEx, handInc := pair(in.HandlingCostExTax, in.HandlingCostIncTax)
	for i, a := range addrs {
		sa := &ShippingAddress{ID: st.nextID("address"), OrderID: id, AddressFields: a.AddressFields,
			ShippingMethod: a.ShippingMethod, CostTaxClassID: 2, HandlingCostTaxClassID: 2,
			ShippingZoneID: 1, ShippingZoneName: a.Country, FormFields: a.FormFields}
		if sa.ShippingMethod == "" {
			sa.ShippingMethod = "Flat Rate"
		}
		if sa.FormFields == nil {
			sa.FormFields = []FormField{}
		}
		if i == 0 { // the order's shipping and handling are charged on its first address
			sa.BaseCost, sa.CostExTax, sa.CostIncTax, sa.CostTax = money(shipEx), money(shipEx), money(shipInc), money(shipInc.Sub(shipEx))
			sa.BaseHandlingCost, sa.HandlingCostExTax, sa.HandlingCostIncTax, sa.HandlingCostTax = money(handEx), money(handEx), money(handInc), money(handInc.Sub(handEx))
		}
		rec.addrs = append(rec.addrs, sa)
	}

	var subEx, subInc, wrapEx, wrapInc decimal.Decimal
	items := 0
	for _, l := range lines {
		l.ID = st.nextID("line")
		for j := range l.ProductOptions {
			l.ProductOptions[j].ID = st.nextID("product_option")
			l.ProductOptions[j].OrderProductID = l.ID
		}
		if l.Type == "physical" && len(rec.addrs) > 0 {
			a := 0
			if idx := shipTo[l]; src == checkoutSource && idx > 0 && idx < len(rec.addrs) {
				a = idx
			}
			l.OrderAddressID = rec.addrs[a].ID
			rec.addrs[a].ItemsTotal += l.Quantity
		}
		subEx = subEx.Add(l.TotalExTax.Decimal)
		subInc = subInc.Add(l.TotalIncTax.Decimal)
		wrapEx = wrapEx.Add(l.WrappingCostExTax.Decimal)
		wrapInc = wrapInc.Add(l.WrappingCostIncTax.Decimal)
		items += l.Quantity
	}
	rec.lines = lines
	if in.WrappingCostExTax != nil || in.WrappingCostIncTax != nil {
		wrapEx, wrapInc = pair(in.WrappingCostExTax, in.WrappingCostIncTax)
	}
	if in.SubtotalExTax != nil || in.SubtotalIncTax != nil {
		subEx, subInc = pair(in.SubtotalExTax, in.SubtotalIncTax)
	}
	discount := decimal.Zero
	if in.DiscountAmount != nil {
		discount = in.DiscountAmount.Decimal
	}
	o.SubtotalExTax, o.SubtotalIncTax, o.SubtotalTax = money(subEx), money(subInc), money(subInc.Sub(subEx))
	o.BaseShippingCost, o.ShippingCostExTax, o.ShippingCostIncTax, o.ShippingCostTax = money(shipEx), money(shipEx), money(shipInc), money(shipInc.Sub(shipEx))
	o.BaseHandlingCost, o.HandlingCostExTax, o.HandlingCostIncTax, o.HandlingCostTax = money(handEx), money(handEx), money(handInc), money(handInc.Sub(handEx))
	o.BaseWrappingCost, o.WrappingCostExTax, o.WrappingCostIncTax, o.WrappingCostTax = money(wrapEx), money(wrapEx), money(wrapInc), money(wrapInc.Sub(wrapEx))
	totEx := subEx.Add(shipEx).Add(handEx).Add(wrapEx).Sub(discount)
	totInc := subInc.Add(shipInc).Add(handInc).Add(wrapInc).Sub(discount)
	if in.TotalExTax != nil || in.TotalIncTax != nil {
		totEx, totInc = pair(in.TotalExTax, in.TotalIncTax)
	}
	o.TotalExTax, o.TotalIncTax, o.TotalTax = money(totEx), money(totInc), money(totInc.Sub(totEx))
	o.DiscountAmount = money(discount)
	o.ItemsTotal = items
	o.ShippingAddressCount = len(rec.addrs)

	st.orders[id] = rec
	st.orderIDs = append(st.orderIDs, id)

	events := []event{orderEvent("store/order/created", o)}
	events = append(events, channelOrderEvent("created", o))
	if takeStock {
		for k, q := range need {
			rec.stockDue = append(rec.stockDue, stockMove{k, q})
		}
		events = append(events, s.takeStockLocked(rec, StatusIncomplete)...)
		for _, l := range lines {
			if pr := st.products[l.ProductID]; pr != nil {
				pr.p.TotalSold += l.Quantity
			}
		}
	}
	return rec, events, nil
}

// pair fills in whichever of an ex-tax/inc-tax pair is missing from the other.
func pair(ex, inc *Money) (decimal.Decimal, decimal.Decimal) {
	switch {
	case ex != nil && inc != nil:
		return ex.Decimal, inc.Decimal
	case ex != nil:
		return ex.Decimal, ex.Decimal
	case inc != nil:
		return inc.Decimal, inc.Decimal
	}
	return decimal.Zero, decimal.Zero
}

// buildLineLocked turns one input line into an order line and names the
// stock it takes (nil for custom or untracked lines).
func (s *Server) buildLineLocked(orderID int, p OrderProductInput, i int) (*OrderProduct, *stockKey, error) {
	field := func(f string) string { return fmt.Sprintf("products[%d].%s", i, f) }
	if p.Quantity <= 0 {
		return nil, nil, &inputError{field("quantity"), "The quantity must be at least 1."}
	}
	l := &OrderProduct{OrderID: orderID, Quantity: p.Quantity, Type: "physical",
		AppliedDiscounts: []AppliedDiscount{}, ProductOptions: []ProductOption{}, ConfigurableFields: []FormField{},
		EbayItemID: "", EbayTransactionID: "", UPC: p.UPC, WrappingName: p.WrappingName, WrappingMessage: p.WrappingMessage}
	var key *stockKey
	var ex, inc decimal.Decimal
	if p.ProductID == 0 {
		name := firstNonEmpty(p.Name, p.NameCustomer, p.NameMerchant)
		if name == "" {
			return nil, nil, &inputError{field("name"), "A custom product needs a name."}
		}
		if p.PriceExTax == nil && p.PriceIncTax == nil {
			return nil, nil, &inputError{field("price_ex_tax"), "A custom product needs price_ex_tax and price_inc_tax."}
		}
		ex, inc = pair(p.PriceExTax, p.PriceIncTax)
		l.Name, l.SKU = name, p.SKU
		l.NameCustomer, l.NameMerchant = name, firstNonEmpty(p.NameMerchant, name)
	} else {
		pr := s.st.products[p.ProductID]
		if pr == nil {
			return nil, nil, &inputError{field("product_id"), fmt.Sprintf("Product %d does not exist.", p.ProductID)}
		}
		v, err := pickVariant(pr, p, field)
		if err != nil {
			return nil, nil, err
		}
		rv := s.st.renderVariant(pr, v)
		ex, inc = rv.CalculatedPrice.Decimal, rv.CalculatedPrice.Decimal
		if p.PriceExTax != nil || p.PriceIncTax != nil {
			ex, inc = pair(p.PriceExTax, p.PriceIncTax)
		}
		l.ProductID, l.VariantID = pr.p.ID, v.ID
		l.Name = firstNonEmpty(p.Name, p.NameCustomer, pr.p.Name)
		l.NameCustomer, l.NameMerchant = l.Name, firstNonEmpty(p.NameMerchant, pr.p.Name)
		l.SKU = firstNonEmpty(v.SKU, pr.p.SKU)
		l.UPC = firstNonEmpty(p.UPC, v.UPC, pr.p.UPC)
		l.Type = pr.p.Type
		l.BinPickingNumber = firstNonEmpty(v.BinPickingNumber, pr.p.BinPickingNumber)
		l.Weight = money(rv.CalculatedWeight.Decimal)
		l.Width, l.Height, l.Depth = money(orDec(v.Width, pr.p.Width)), money(orDec(v.Height, pr.p.Height)), money(orDec(v.Depth, pr.p.Depth))
		l.BaseCostPrice = money(orDec(v.CostPrice, pr.p.CostPrice))
		l.CostPriceExTax, l.CostPriceIncTax = l.BaseCostPrice, l.BaseCostPrice
		for _, ov := range v.OptionValues {
			name := ov.OptionDisplayName
			for _, def := range pr.options {
				if def.ID == ov.OptionID {
					name = def.Name
				}
			}
			l.ProductOptions = append(l.ProductOptions, ProductOption{
				OptionID: ov.OptionID, ProductOptionID: ov.OptionID,
				DisplayName: ov.OptionDisplayName, DisplayNameCustomer: ov.OptionDisplayName, DisplayNameMerchant: ov.OptionDisplayName,
				DisplayValue: ov.Label, DisplayValueCustomer: ov.Label, DisplayValueMerchant: ov.Label,
				Value: strconv.Itoa(ov.ID), Type: "Multiple choice", Name: name, DisplayStyle: "Rectangle"})
		}
		if pr.p.InventoryTracking != "none" && pr.p.Type == "physical" {
			k := stockKeyOf(pr, v.ID, 1)
			key = &k
		}
	}
	q := dec(p.Quantity)
	l.BasePrice, l.PriceExTax, l.PriceIncTax, l.PriceTax = money(ex), money(ex), money(inc), money(inc.Sub(ex))
	l.BaseTotal, l.TotalExTax, l.TotalIncTax, l.TotalTax = money(ex.Mul(q)), money(ex.Mul(q)), money(inc.Mul(q)), money(inc.Sub(ex).Mul(q))
	l.DiscountedTotalIncTax = l.TotalIncTax
	wEx, wInc := pair(p.WrappingCostExTax, p.WrappingCostIncTax)
	l.BaseWrappingCost, l.WrappingCostExTax, l.WrappingCostIncTax, l.WrappingCostTax = money(wEx), money(wEx), money(wInc), money(wInc.Sub(wEx))
	return l, key, nil
}

// pickVariant finds the variant an input line bought.
func pickVariant(pr *productRec, p OrderProductInput, field func(string) string) (*Variant, error) {
	if p.VariantID != 0 {
		for _, v := range pr.variants {
			if v.ID == p.VariantID {
				return v, nil
			}
		}
		return nil, &inputError{field("variant_id"), fmt.Sprintf("Variant %d does not belong to product %d.", p.VariantID, pr.p.ID)}
	}
	if len(pr.variants) == 1 && len(pr.options) == 0 {
		return pr.variants[0], nil
	}
	chosen := map[int]string{}
	for _, po := range p.ProductOptions {
		chosen[po.ID] = po.Value
	}
	for _, v := range pr.variants {
		match := len(v.OptionValues) > 0
		for _, ov := range v.OptionValues {
			if chosen[ov.OptionID] != strconv.Itoa(ov.ID) {
				match = false
			}
		}
		if match {
			return v, nil
		}
	}
	return nil, &inputError{field("product_options"), fmt.Sprintf("Product %d needs a variant_id or a value for each of its options.", pr.p.ID)}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func orDec(v *Number, def Number) decimal.Decimal {
	if v != nil {
		return v.Decimal
	}
	return def.Decimal
}

// orderEvent is a store/order/* event with the thin {type, id} payload.
func orderEvent(scope string, o *Order) event {
	return event{scope: scope, data: map[string]any{"type": "order", "id": o.ID}}
}

// channelOrderEvent is the channel-scoped twin of an order event.
func channelOrderEvent(suffix string, o *Order) event {
	return event{scope: fmt.Sprintf("store/channel/%d/order/%s", o.ChannelID, suffix), data: map[string]any{"order_id": o.ID}}
}

// statusEvents are the events a status change fires.
func statusEvents(o *Order, prev int) []event {
	return []event{
		{scope: "store/order/statusUpdated", data: map[string]any{"type": "order", "id": o.ID,
			"status": map[string]int{"previous_status_id": prev, "new_status_id": o.StatusID}}},
		channelOrderEvent("statusUpdated", o),
	}
}
