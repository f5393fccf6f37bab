package shipstation

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors/conformance"
	"github.com/toteworks/tote/connectors/internal/fakekit"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
)

func TestConformance(t *testing.T) {
	// Distinctive credentials the suite looks for in errors, outputs and
	// logs; fresh ones each run, since rate budgets are per credential and
	// per process.
	n := credSeq.Add(1)
	key, secret := fmt.Sprintf("conformance-api-key-%d", n), fmt.Sprintf("conformance-api-secret-%d", n)
	v2Key, token := fmt.Sprintf("conformance-v2-key-%d", n), fmt.Sprintf("conformance-webhook-token-%d", n)
	// Time is virtual, as in the package's other tests: the rate budget
	// (40 calls a minute) and the waits between retries move the fake's
	// clock instead of sleeping.
	clk := new(fakekit.Clock)
	clk.Set(t0)
	fake := shipstationtest.NewServer(shipstationtest.Options{
		APIKey: key, APISecret: secret, V2APIKey: v2Key, Clock: clk,
	})
	t.Cleanup(fake.Close)
	// Where the sample webhook points; nothing the suite does fires it.
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(receiver.Close)
	name := "Jane Roe"
	street, city, state, zip, country := "42 Elm St", "Denver", "CO", "80202", "US"
	seeded, err := fake.UpsertOrder(shipstationtest.Order{
		OrderNumber: "C-1", OrderKey: "conformance-1", OrderStatus: "awaiting_shipment",
		OrderDate: &shipstationtest.OrderTime{Time: time.Date(2024, 6, 5, 16, 30, 0, 0, time.UTC)},
		BillTo:    &shipstationtest.Address{Name: name},
		ShipTo:    &shipstationtest.Address{Name: name, Street1: &street, City: &city, State: &state, PostalCode: &zip, Country: &country},
		Items: []shipstationtest.OrderItem{{SKU: "MUG-BLK-12", Name: "Black Mug", Quantity: 2,
			UnitPrice: shipstationtest.NewMoney("18.50")}},
		AmountPaid: shipstationtest.NewMoney("37.00"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.TagOrder(seeded.OrderID, shipstationtest.TagPriority); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.AddProduct(shipstationtest.Product{SKU: "TEE-GRN-M", Name: "Green Tee"}); err != nil {
		t.Fatal(err)
	}
	if err := fake.SetStock("TEE-GRN-M", 12); err != nil {
		t.Fatal(err)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	config := func(apiURL string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"api_key": cty.StringVal(key), "api_secret": cty.StringVal(secret),
			"v2_api_key": cty.StringVal(v2Key), "webhook_token": cty.StringVal(token),
			"api_url": cty.StringVal(apiURL), "v2_api_url": cty.StringVal(apiURL), "timeout": cty.StringVal("5s"),
		})
	}
	orderID := cty.NumberIntVal(seeded.OrderID)
	obj := func(m map[string]cty.Value) cty.Value { return cty.ObjectVal(m) }
	conformance.Run(t, connector{opts: options{clock: clock{now: clk.Now, after: virtualAfter(clk)}}}, conformance.Harness{
		Config:  config(fake.URL),
		Failing: config(closed.URL),
		Reads: []conformance.Sample{
			{Action: "get_order", Args: obj(map[string]cty.Value{"orderId": orderID})},
			{Action: "get_order", Args: obj(map[string]cty.Value{"orderKey": cty.StringVal("conformance-1"), "orderNumber": cty.StringVal("C-1")})},
			{Action: "list_orders", Args: obj(map[string]cty.Value{"tag": cty.StringVal(shipstationtest.TagPriority)})},
			{Action: "list_tags"},
			{Action: "list_stores"},
			{Action: "get_product", Args: obj(map[string]cty.Value{"sku": cty.StringVal("TEE-GRN-M")})},
			{Action: "get_inventory", Args: obj(map[string]cty.Value{"skus": cty.ListVal([]cty.Value{cty.StringVal("TEE-GRN-M")})})},
			{Action: "list_return_labels", Args: obj(map[string]cty.Value{"orderId": orderID, "orderNumber": cty.StringVal("C-1")})},
			{Action: "get_stock_levels", Args: obj(map[string]cty.Value{"skus": cty.ListVal([]cty.Value{cty.StringVal("TEE-GRN-M")})})},
			{Action: "return_parcels", Args: obj(map[string]cty.Value{"orderId": orderID, "orderNumber": cty.StringVal("C-1"),
				"order":   obj(map[string]cty.Value{"id": cty.NumberIntVal(1), "lines": cty.ListValEmpty(inType[ParcelLine]())}),
				"refunds": cty.NullVal(cty.List(inType[ParcelRefund]())), "delivered": cty.NullVal(cty.List(inType[DeliveredLabel]()))})},
		},
		Writes: []conformance.Sample{
			{Action: "upsert_order", Args: obj(map[string]cty.Value{
				"orderKey": cty.StringVal("conformance-2"), "order": orderVal("C-2", nil),
				"tags": cty.ListVal([]cty.Value{cty.StringVal(shipstationtest.TagStandard)})})},
			{Action: "add_tag", Args: obj(map[string]cty.Value{"orderId": orderID, "tag": cty.StringVal(shipstationtest.TagBackorder)})},
			{Action: "update_product", Args: obj(map[string]cty.Value{"sku": cty.StringVal("TEE-GRN-M"),
				"product": obj(map[string]cty.Value{"name": cty.StringVal("Green Tee (organic)")})})},
			{Action: "ensure_webhook", Args: obj(map[string]cty.Value{"event": cty.StringVal("SHIP_NOTIFY"),
				"url": cty.StringVal(receiver.URL + "/hooks/shipments/shipped")})},
		},
	})

	// The writes landed in the account, not just in the connector's answers.
	if o, ok := fake.OrderByKey("conformance-2"); !ok || o.OrderNumber != "C-2" {
		t.Errorf("the upserted order is missing: %+v", o)
	}
	if tags := fake.OrderTags(seeded.OrderID); len(tags) != 2 {
		t.Errorf("tags of the seeded order = %v, want Priority and Backorder", tags)
	}
	if p, _ := fake.ProductBySKU("TEE-GRN-M"); p.Name != "Green Tee (organic)" {
		t.Errorf("product name = %q", p.Name)
	}
	if hs := fake.Webhooks(); len(hs) != 1 {
		t.Errorf("webhooks = %+v", hs)
	}
}
