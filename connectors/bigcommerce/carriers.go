package bigcommerce

import "strings"

// carrierTracking is how a carrier is named on a BigCommerce shipment:
// provider is one of BigCommerce's shipping_provider values ("" when
// BigCommerce has none for the carrier) and slug an AfterShip courier slug
// for tracking_carrier.
type carrierTracking struct{ provider, slug string }

// carriers maps ShipStation carrier codes to BigCommerce's shipment
// fields. shipping_provider accepts only "", auspost, canadapost, endicia,
// usps, fedex, royalmail, ups, upsready, upsonline, shipperhq and
// carrier_{id} (orders.v2 spec, shipping_provider_standard); every other
// carrier is named by its AfterShip slug. See docs/vendor-notes.md.
var carriers = map[string]carrierTracking{
	"stamps_com":            {"usps", "usps"},
	"usps":                  {"usps", "usps"},
	"endicia":               {"usps", "usps"},
	"express_1":             {"usps", "usps"},
	"ups":                   {"ups", "ups"},
	"ups_walleted":          {"ups", "ups"},
	"fedex":                 {"fedex", "fedex"},
	"fedex_walleted":        {"fedex", "fedex"},
	"dhl_express":           {"", "dhl"},
	"dhl_express_walleted":  {"", "dhl"},
	"dhl_express_worldwide": {"", "dhl"},
	"dhl_global_mail":       {"", "dhl-global-mail"},
	"dhl_ecommerce":         {"", "dhl-global-mail"},
	"canada_post":           {"canadapost", "canada-post"},
	"purolator_ca":          {"", "purolator"},
	"ontrac":                {"", "ontrac"},
	"lasership":             {"", "lasership"},
	"asendia":               {"", "asendia-usa"},
	"apc":                   {"", "apc"},
	"globegistics":          {"", "globegistics"},
	"royal_mail":            {"royalmail", "royal-mail"},
	"australia_post":        {"auspost", "australia-post"},
	"sendle":                {"", "sendle"},
}

// shipmentCarrier returns the shipping_provider and tracking_carrier a
// shipment by a ShipStation carrier sends: the provider when BigCommerce
// has one (it links to the carrier's own tracking page), else the slug.
// known is false for a code tote does not know; it then sends neither, as
// an unknown value would have the shipment refused.
func shipmentCarrier(code string) (provider, slug string, known bool) {
	c, ok := carriers[strings.ToLower(strings.TrimSpace(code))]
	if !ok {
		return "", "", false
	}
	if c.provider != "" {
		return c.provider, "", true
	}
	return "", c.slug, true
}
