package shipstation

import (
	"context"
	"fmt"
	"testing"

	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
)

// TestInventorySweepFitsInURLs reads the stock of a 10,000-SKU catalog,
// as the hourly inventory sweep does: every request URI fits the gateway's
// 8 KiB, every SKU's row comes back, and the read costs one v2 call per
// 100 SKUs. `go test -run TestInventorySweepFitsInURLs -v` prints the figure
// docs/operations.md quotes.
func TestInventorySweepFitsInURLs(t *testing.T) {
	const catalog = 10000
	e := newEnv(t, envOpts{fake: shipstationtest.Options{V2RateLimit: 100000}})
	skus := make([]cty.Value, catalog)
	for i := range skus {
		sku := fmt.Sprintf("TEE-%05d-BLK-XL", i)
		if _, err := e.fake.AddProduct(shipstationtest.Product{SKU: sku, Name: sku}); err != nil {
			t.Fatal(err)
		}
		if err := e.fake.SetStock(sku, i%7); err != nil {
			t.Fatal(err)
		}
		skus[i] = cty.StringVal(sku)
	}
	before := e.fake.Stats()
	rows, err := e.conn.Read(context.Background(), "get_inventory", args(t, "get_inventory", map[string]cty.Value{"skus": cty.ListVal(skus)}))
	if err != nil {
		t.Fatal(err)
	}
	after := e.fake.Stats()
	if n := rows.LengthInt(); n != catalog {
		t.Fatalf("%d rows, want %d", n, catalog)
	}
	if after.URITooLong != before.URITooLong {
		t.Fatalf("%d requests refused 414", after.URITooLong-before.URITooLong)
	}
	calls := after.V2Calls - before.V2Calls
	t.Logf("inventory sweep of %d SKUs: %d v2 calls", catalog, calls)
	if want := int64(catalog / inventorySKUsPerCall); calls != want {
		t.Fatalf("%d v2 calls, want %d", calls, want)
	}
}

func TestSKUChunksFitTheirBounds(t *testing.T) {
	long := string(make([]byte, 300))
	got := skuChunks([]string{"a", "b", "c", long, "d"}, 2, 100)
	want := [][]string{{"a", "b"}, {"c"}, {long}, {"d"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("chunks = %q, want %q", got, want)
	}
	if got := skuChunks(nil, 2, 100); len(got) != 0 {
		t.Fatalf("no SKUs: %q", got)
	}
}

// TestStockLevelsSumLocations: get_stock_levels is each SKU's available
// stock (on hand less allocated) summed over its locations; a SKU without
// stock rows is absent.
func TestStockLevelsSumLocations(t *testing.T) {
	e := newEnv(t, envOpts{})
	wh := e.fake.AddInventoryWarehouse("Back room")
	loc, err := e.fake.AddInventoryLocation(wh.InventoryWarehouseID, "Shelf B")
	if err != nil {
		t.Fatal(err)
	}
	for _, sku := range []string{"MUG-1", "CAP-1"} {
		if _, err := e.fake.AddProduct(shipstationtest.Product{SKU: sku, Name: sku}); err != nil {
			t.Fatal(err)
		}
	}
	for _, err := range []error{
		e.fake.SetStock("MUG-1", 5), e.fake.SetStockAt("MUG-1", loc.InventoryLocationID, 4),
		e.fake.SetAllocatedAt("MUG-1", loc.InventoryLocationID, 1), e.fake.SetStock("CAP-1", 0),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	skus := cty.ListVal([]cty.Value{cty.StringVal("MUG-1"), cty.StringVal("CAP-1"), cty.StringVal("NONE")})
	got, err := e.conn.Read(context.Background(), "get_stock_levels", args(t, "get_stock_levels", map[string]cty.Value{"skus": skus}))
	if err != nil {
		t.Fatal(err)
	}
	want := cty.MapVal(map[string]cty.Value{"MUG-1": cty.NumberIntVal(8), "CAP-1": cty.NumberIntVal(0)})
	if !got.RawEquals(want) {
		t.Fatalf("get_stock_levels = %#v, want %#v", got, want)
	}
}
