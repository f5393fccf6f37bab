package bigcommerce

import (
	"strconv"

	"github.com/toteworks/tote/connectors/orderkey"
	"github.com/zclconf/go-cty/cty"
)

// The output types of order reads and their conversions.

var addressAttrs = map[string]cty.Type{
	"first_name": cty.String, "last_name": cty.String, "company": cty.String, "street_1": cty.String,
	"street_2": cty.String, "city": cty.String, "state": cty.String, "zip": cty.String, "country": cty.String,
	"country_iso2": cty.String, "phone": cty.String, "email": cty.String,
}

var addressType = obj(addressAttrs)

var shippingAddressType = obj(withAttrs(addressAttrs, map[string]cty.Type{
	"id": cty.Number, "items_total": cty.Number, "items_shipped": cty.Number, "shipping_method": cty.String,
	"base_cost": cty.String, "cost_ex_tax": cty.String, "cost_inc_tax": cty.String, "cost_tax": cty.String,
	"handling_cost_ex_tax": cty.String, "handling_cost_inc_tax": cty.String, "shipping_zone_name": cty.String,
}))

var productOptionType = obj(map[string]cty.Type{
	"name": cty.String, "display_name": cty.String, "display_value": cty.String, "value": cty.String, "type": cty.String,
})

var lineType = obj(map[string]cty.Type{
	"id": cty.Number, "order_id": cty.Number, "product_id": cty.Number, "variant_id": cty.Number,
	"order_address_id": cty.Number, "name": cty.String, "name_merchant": cty.String, "sku": cty.String,
	"upc": cty.String, "type": cty.String, "quantity": cty.Number, "quantity_shipped": cty.Number,
	"quantity_refunded": cty.Number, "base_price": cty.String, "price_ex_tax": cty.String,
	"price_inc_tax": cty.String, "price_tax": cty.String, "total_ex_tax": cty.String, "total_inc_tax": cty.String,
	"total_tax": cty.String, "discounted_total_inc_tax": cty.String, "base_cost_price": cty.String,
	"weight": cty.String, "width": cty.String, "height": cty.String, "depth": cty.String,
	"wrapping_name": cty.String, "wrapping_message": cty.String, "wrapping_cost_inc_tax": cty.String,
	"parent_order_product_id": cty.Number, "is_bundled_product": cty.Bool, "bin_picking_number": cty.String,
	"product_options": cty.List(productOptionType),
})

var orderType = obj(map[string]cty.Type{
	"id": cty.Number, "store_hash": cty.String, "customer_id": cty.Number, "status_id": cty.Number,
	"status": cty.String, "custom_status": cty.String, "date_created": cty.String, "date_modified": cty.String,
	"date_shipped": cty.String, "channel_id": cty.Number, "currency_code": cty.String,
	"payment_method": cty.String, "payment_status": cty.String, "payment_provider_id": cty.String,
	"subtotal_ex_tax": cty.String, "subtotal_inc_tax": cty.String, "subtotal_tax": cty.String,
	"shipping_cost_ex_tax": cty.String, "shipping_cost_inc_tax": cty.String,
	"handling_cost_ex_tax": cty.String, "handling_cost_inc_tax": cty.String,
	"wrapping_cost_ex_tax": cty.String, "wrapping_cost_inc_tax": cty.String,
	"total_ex_tax": cty.String, "total_inc_tax": cty.String, "total_tax": cty.String,
	"discount_amount": cty.String, "coupon_discount": cty.String, "store_credit_amount": cty.String,
	"gift_certificate_amount": cty.String, "items_total": cty.Number, "items_shipped": cty.Number,
	"staff_notes": cty.String, "customer_message": cty.String, "external_order_id": cty.String,
	"order_source": cty.String, "customer_locale": cty.String, "billing_address": addressType,
	"shipping_addresses": cty.List(shippingAddressType), "lines": cty.List(lineType),
	"consignments": cty.List(consignmentType),
})

// consignmentType is one ship-to address of an order with the lines that
// go there: one ShipStation order each.
var consignmentType = obj(map[string]cty.Type{
	"key": cty.String, "number": cty.String, "index": cty.Number, "address": shippingAddressType, "lines": cty.List(lineType),
})

// fullOrder is an order with its lines and ship-to addresses.
type fullOrder struct {
	order
	lines []orderProduct
	addrs []shippingAddress
	// odd, when set, says why the order cannot be read; it is left out of
	// outputs and named in the read's error.
	odd error
}

func addressAttrVals(a addressFields) map[string]cty.Value {
	return map[string]cty.Value{
		"first_name": str(a.FirstName), "last_name": str(a.LastName), "company": str(a.Company),
		"street_1": str(a.Street1), "street_2": str(a.Street2), "city": str(a.City), "state": str(a.State),
		"zip": str(a.Zip), "country": str(a.Country), "country_iso2": str(a.CountryISO2),
		"phone": str(a.Phone), "email": str(a.Email),
	}
}

func shippingAddressVal(a shippingAddress) cty.Value {
	m := addressAttrVals(a.addressFields)
	m["id"] = num(a.ID)
	m["items_total"] = num(a.ItemsTotal)
	m["items_shipped"] = num(a.ItemsShipped)
	m["shipping_method"] = str(a.ShippingMethod)
	m["base_cost"] = money(a.BaseCost)
	m["cost_ex_tax"] = money(a.CostExTax)
	m["cost_inc_tax"] = money(a.CostIncTax)
	m["cost_tax"] = money(a.CostTax)
	m["handling_cost_ex_tax"] = money(a.HandlingCostExTax)
	m["handling_cost_inc_tax"] = money(a.HandlingCostIncTax)
	m["shipping_zone_name"] = str(a.ShippingZoneName)
	return cty.ObjectVal(m)
}

func lineVal(l orderProduct) cty.Value {
	opts := make([]cty.Value, 0, len(l.ProductOptions))
	for _, o := range l.ProductOptions {
		opts = append(opts, cty.ObjectVal(map[string]cty.Value{
			"name": str(o.Name), "display_name": str(o.DisplayName), "display_value": str(o.DisplayValue),
			"value": str(o.Value), "type": str(o.Type),
		}))
	}
	return cty.ObjectVal(map[string]cty.Value{
		"id": num(l.ID), "order_id": num(l.OrderID), "product_id": num(l.ProductID), "variant_id": num(l.VariantID),
		"order_address_id": num(l.OrderAddressID), "name": str(l.Name), "name_merchant": str(l.NameMerchant),
		"sku": str(l.SKU), "upc": str(l.UPC), "type": str(l.Type), "quantity": num(l.Quantity),
		"quantity_shipped": num(l.QuantityShipped), "quantity_refunded": num(l.QuantityRefunded),
		"base_price": money(l.BasePrice), "price_ex_tax": money(l.PriceExTax), "price_inc_tax": money(l.PriceIncTax),
		"price_tax": money(l.PriceTax), "total_ex_tax": money(l.TotalExTax), "total_inc_tax": money(l.TotalIncTax),
		"total_tax": money(l.TotalTax), "discounted_total_inc_tax": money(l.DiscountedTotalIncTax),
		"base_cost_price": money(l.BaseCostPrice), "weight": money(l.Weight), "width": money(l.Width),
		"height": money(l.Height), "depth": money(l.Depth), "wrapping_name": str(l.WrappingName),
		"wrapping_message": str(l.WrappingMessage), "wrapping_cost_inc_tax": money(l.WrappingCostIncTax),
		"parent_order_product_id": optNum(l.ParentOrderProductID), "is_bundled_product": cty.BoolVal(l.IsBundledProduct),
		"bin_picking_number": str(l.BinPickingNumber), "product_options": listOf(productOptionType, opts),
	})
}

// orderVal renders an order; store is the connection's store hash.
func orderVal(o fullOrder, store string) cty.Value {
	lines := make([]cty.Value, 0, len(o.lines))
	for _, l := range o.lines {
		lines = append(lines, lineVal(l))
	}
	addrs := make([]cty.Value, 0, len(o.addrs))
	for _, a := range o.addrs {
		addrs = append(addrs, shippingAddressVal(a))
	}
	return cty.ObjectVal(map[string]cty.Value{
		"id": num(o.ID), "store_hash": str(store), "customer_id": num(int64(o.CustomerID)),
		"status_id": num(o.StatusID), "status": str(o.Status), "custom_status": str(o.CustomStatus),
		"date_created": str(formatTime(o.DateCreated.Time)), "date_modified": str(formatTime(o.DateModified.Time)),
		"date_shipped": str(formatTime(o.DateShipped.Time)), "channel_id": num(o.ChannelID),
		"currency_code": str(o.CurrencyCode), "payment_method": str(o.PaymentMethod),
		"payment_status": str(o.PaymentStatus), "payment_provider_id": str(string(o.PaymentProviderID)),
		"subtotal_ex_tax": money(o.SubtotalExTax), "subtotal_inc_tax": money(o.SubtotalIncTax),
		"subtotal_tax": money(o.SubtotalTax), "shipping_cost_ex_tax": money(o.ShippingCostExTax),
		"shipping_cost_inc_tax": money(o.ShippingCostIncTax), "handling_cost_ex_tax": money(o.HandlingCostExTax),
		"handling_cost_inc_tax": money(o.HandlingCostIncTax), "wrapping_cost_ex_tax": money(o.WrappingCostExTax),
		"wrapping_cost_inc_tax": money(o.WrappingCostIncTax), "total_ex_tax": money(o.TotalExTax),
		"total_inc_tax": money(o.TotalIncTax), "total_tax": money(o.TotalTax),
		"discount_amount": money(o.DiscountAmount), "coupon_discount": money(o.CouponDiscount),
		"store_credit_amount": money(o.StoreCreditAmount), "gift_certificate_amount": money(o.GiftCertificateAmount),
		"items_total": num(o.ItemsTotal), "items_shipped": num(o.ItemsShipped), "staff_notes": str(o.StaffNotes),
		"customer_message": str(o.CustomerMessage), "external_order_id": str(o.ExternalOrderID),
		"order_source": str(o.OrderSource), "customer_locale": str(o.CustomerLocale),
		"billing_address":    cty.ObjectVal(addressAttrVals(o.BillingAddress)),
		"shipping_addresses": listOf(shippingAddressType, addrs), "lines": listOf(lineType, lines),
		"consignments": listOf(consignmentType, consignmentVals(o, store, lines, addrs)),
	})
}

// consignmentVals splits an order by ship-to address: the first keeps the
// order's number and the key bc:<store>:<id>, each further one is
// "<id>-<n>" under bc:<store>:<id>:<address id>; each has the lines of its
// address (all of them when there is one address). lines and addrs are
// o's lines and addresses as orderVal rendered them, reused rather than
// rendered again.
func consignmentVals(o fullOrder, store string, lines, addrs []cty.Value) []cty.Value {
	out := make([]cty.Value, 0, len(o.addrs))
	for i, a := range o.addrs {
		k := orderkey.Key{StoreHash: store, OrderID: o.ID}
		number := strconv.FormatInt(o.ID, 10)
		if i > 0 {
			id := a.ID
			k.AddressID = &id
			number += "-" + strconv.Itoa(i+1)
		}
		var its []cty.Value
		for j, l := range o.lines {
			if len(o.addrs) == 1 || l.OrderAddressID == a.ID {
				its = append(its, lines[j])
			}
		}
		out = append(out, cty.ObjectVal(map[string]cty.Value{
			"key": str(k.String()), "number": str(number), "index": cty.NumberIntVal(int64(i)),
			"address": addrs[i], "lines": listOf(lineType, its),
		}))
	}
	return out
}
