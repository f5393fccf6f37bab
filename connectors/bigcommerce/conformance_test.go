package bigcommerce

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/conformance"
	"github.com/zclconf/go-cty/cty"
)

// Distinctive credentials the suite looks for in errors, outputs and logs.
const (
	conformanceToken        = "conformance-access-token-5d81"
	conformanceClientSecret = "conformance-client-secret-a9e0"
	conformanceHeaderSecret = "conformance-header-secret-77c4"
)

// quickRetries is the connector with its waits between attempts cut to
// nothing, so that the failing check, whose calls are all retried against
// a closed server, does not sit through real backoff. Everything else is
// the connector as Open builds it.
type quickRetries struct{ connectors.Connector }

func (quickRetries) Open(_ context.Context, cfg connectors.Config) (connectors.Conn, error) {
	o := defaultOptions()
	o.after = func(time.Duration) <-chan time.Time {
		ch := make(chan time.Time, 1)
		ch <- time.Now()
		return ch
	}
	return open(cfg, o)
}

func TestConformance(t *testing.T) {
	fake := bigcommercetest.NewServer(bigcommercetest.Options{
		AccessToken: conformanceToken, ClientSecret: conformanceClientSecret,
		RateLimit: bigcommercetest.RateLimit{Quota: 100000}, AllowHTTPWebhooks: true, WebhookTimeFactor: 1e-6,
	})
	t.Cleanup(fake.Close)
	if err := fake.SeedCatalog(3); err != nil {
		t.Fatal(err)
	}
	// Where the sample hook points; nothing the suite does fires its scope,
	// but a delivery would be answered.
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(receiver.Close)
	price := bigcommercetest.MoneyOf("12.50")
	order, err := fake.PlaceOrder(bigcommercetest.OrderInput{
		BillingAddress: &bigcommercetest.Address{AddressFields: bigcommercetest.AddressFields{
			FirstName: "Ana", LastName: "Ruiz", Street1: "12 Elm Rd", City: "Denver", State: "Colorado", Zip: "80203",
			Country: "United States", CountryISO2: "US", Email: "ana@example.com"}},
		Products: []bigcommercetest.OrderProductInput{{Name: "Trail Sock", SKU: "SOCK-1", Quantity: 2, PriceExTax: &price, PriceIncTax: &price}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// SKU-0003 is the seed's first simple product, stocked at location 1.
	stock, ok := fake.Stock("SKU-0003", 1)
	if !ok {
		t.Fatal("the seed has no stock of SKU-0003 at location 1")
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	config := func(apiURL string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"store_hash":            cty.StringVal(fake.Options().StoreHash),
			"access_token":          cty.StringVal(conformanceToken),
			"client_secret":         cty.StringVal(conformanceClientSecret),
			"webhook_header_secret": cty.StringVal(conformanceHeaderSecret),
			"api_url":               cty.StringVal(apiURL),
			"rate_quota":            cty.NumberIntVal(100000),
			"timeout":               cty.StringVal("5s"),
		})
	}
	orderID := cty.NumberIntVal(int64(order.ID))
	since := order.DateCreated.Time.Add(-time.Hour).UTC().Format(time.RFC3339)
	conformance.Run(t, quickRetries{New()}, conformance.Harness{
		Config:  config(fake.URL),
		Failing: config(closed.URL),
		Reads: []conformance.Sample{
			{Action: "get_orders", Args: cty.ObjectVal(map[string]cty.Value{"ids": cty.ListVal([]cty.Value{orderID})})},
			{Action: "list_orders", Args: cty.ObjectVal(map[string]cty.Value{"modified_from": cty.StringVal(since)})},
			{Action: "get_store"},
			{Action: "list_hooks"},
		},
		Writes: []conformance.Sample{
			{Action: "update_order", Args: cty.ObjectVal(map[string]cty.Value{
				"order_id": orderID, "staff_notes": cty.StringVal("Checked by the conformance suite.")})},
			{Action: "upsert_order_metafield", Args: cty.ObjectVal(map[string]cty.Value{
				"order_id": orderID, "key": cty.StringVal("shipstation_order_id"), "value": cty.StringVal("424242")})},
			{Action: "ensure_hook", Args: cty.ObjectVal(map[string]cty.Value{
				"scope": cty.StringVal("store/app/uninstalled"), "destination": cty.StringVal(receiver.URL + "/hooks/app/uninstalled")})},
			{Action: "set_stock", Args: cty.ObjectVal(map[string]cty.Value{
				"sku": cty.StringVal("SKU-0003"), "location_id": cty.NumberIntVal(1), "quantity": cty.NumberIntVal(int64(stock + 5))})},
		},
	})

	// The writes landed in the store, not just in the connector's answers.
	got, _ := fake.Order(order.ID)
	if got.StaffNotes != "Checked by the conformance suite." {
		t.Errorf("staff notes = %q", got.StaffNotes)
	}
	if now, _ := fake.Stock("SKU-0003", 1); now != stock+5 {
		t.Errorf("stock of SKU-0003 = %d, want %d", now, stock+5)
	}
	if ms := fake.Metafields(order.ID); len(ms) != 1 || ms[0].Value != "424242" {
		t.Errorf("metafields = %+v", ms)
	}
	if hs := fake.Hooks(); len(hs) != 1 || !hs[0].IsActive || hs[0].Headers[tokenHeader] == "" || hs[0].Headers[tokenHeader] == conformanceHeaderSecret {
		t.Errorf("hooks = %+v", hs)
	}
}
