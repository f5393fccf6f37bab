package bigcommerce

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// Every ShipStation carrier reaches BigCommerce: the fake, strict about
// shipping_provider and tracking_carrier as BigCommerce is, stores the
// shipment with the expected provider or AfterShip slug. An unknown code
// ships with neither and is kept in comments; explicit arguments win.
func TestCreateShipmentCarrierCodes(t *testing.T) {
	cases := []struct {
		code, provider, slug string
		extra                map[string]cty.Value
		comments             string
	}{
		{code: "stamps_com", provider: "usps"},
		{code: "usps", provider: "usps"},
		{code: "endicia", provider: "usps"},
		{code: "ups", provider: "ups"},
		{code: "ups_walleted", provider: "ups"},
		{code: "fedex", provider: "fedex"},
		{code: "fedex_walleted", provider: "fedex"},
		{code: "dhl_express", slug: "dhl"},
		{code: "dhl_express_worldwide", slug: "dhl"},
		{code: "dhl_global_mail", slug: "dhl-global-mail"},
		{code: "canada_post", provider: "canadapost"},
		{code: "purolator_ca", slug: "purolator"},
		{code: "ontrac", slug: "ontrac"},
		{code: "lasership", slug: "lasership"},
		{code: "asendia", slug: "asendia-usa"},
		{code: "apc", slug: "apc"},
		{code: "globegistics", slug: "globegistics"},
		{code: "royal_mail", provider: "royalmail"},
		{code: "australia_post", provider: "auspost"},
		{code: "sendle", slug: "sendle"},
		{code: " DHL_Express ", slug: "dhl"},
		{code: "pigeon_post", comments: "Carrier: pigeon_post"},
		{code: "pigeon_post", comments: "left by the warehouse", extra: map[string]cty.Value{"comments": cty.StringVal("left by the warehouse")}},
		{code: "dhl_express", provider: "carrier_42", extra: map[string]cty.Value{"shipping_provider": cty.StringVal("carrier_42")}},
		{code: "pigeon_post", slug: "royal-mail", extra: map[string]cty.Value{"tracking_carrier": cty.StringVal("royal-mail")}},
	}
	e := newEnv(t, envConfig{})
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			o := e.placeOrder()
			line := e.fake.OrderProducts(o.ID)[0]
			args := map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)), "tracking_number": cty.StringVal("TN-" + c.code),
				"items": shipItems(line.ID, 1), "carrier_code": cty.StringVal(c.code)}
			for k, v := range c.extra {
				args[k] = v
			}
			e.write("create_shipment", args)
			ss := e.fake.Shipments(o.ID)
			if len(ss) != 1 {
				t.Fatalf("%d shipments", len(ss))
			}
			sh := ss[0]
			if sh.ShippingProvider != c.provider || sh.TrackingCarrier != c.slug || sh.Comments != c.comments || sh.TrackingNumber != "TN-"+c.code {
				t.Errorf("shipment provider %q carrier %q comments %q tracking %q; want %q %q %q", sh.ShippingProvider,
					sh.TrackingCarrier, sh.Comments, sh.TrackingNumber, c.provider, c.slug, c.comments)
			}
		})
	}
}

// Every carrier in the table names a provider BigCommerce accepts and an
// AfterShip slug, never a ShipStation code.
func TestCarrierTableValues(t *testing.T) {
	enum := map[string]bool{"": true, "auspost": true, "canadapost": true, "endicia": true, "usps": true, "fedex": true,
		"royalmail": true, "ups": true, "upsready": true, "upsonline": true, "shipperhq": true}
	for code, c := range carriers {
		if !enum[c.provider] {
			t.Errorf("%s: provider %q is not in BigCommerce's enum", code, c.provider)
		}
		if c.slug == "" || c.slug != strings.ToLower(c.slug) || strings.Contains(c.slug, "_") {
			t.Errorf("%s: slug %q is not an AfterShip slug", code, c.slug)
		}
	}
}
