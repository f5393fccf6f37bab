package bigcommercetest

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

var productShape = map[string]string{
	"id": "int", "name": "string", "type": "string", "sku": "string", "weight": "number", "width": "number",
	"depth": "number", "height": "number", "price": "number", "cost_price": "number", "calculated_price": "number",
	"inventory_level": "int", "inventory_warning_level": "int", "inventory_tracking": "string", "is_visible": "bool",
	"bin_picking_number": "string", "upc": "string", "availability": "string", "categories": "array",
	"base_variant_id": "int|null", "date_created": "iso", "date_modified": "iso", "total_sold": "int",
}

// variantShape follows productVariant_Full (specs/bigcommerce/
// product-variants_catalog.v3.yml) as BigCommerce fills it: the prices and
// dimensions a variant inherits from its product are null, cost_price is
// a number (0 when never set), the calculated values always numbers.
var variantShape = map[string]string{
	"id": "int", "product_id": "int", "sku": "string", "sku_id": "int|null", "price": "number|null",
	"sale_price": "number|null", "retail_price": "number|null", "map_price": "number|null", "cost_price": "number",
	"weight": "number|null", "width": "number|null", "height": "number|null", "depth": "number|null",
	"fixed_cost_shipping_price": "number|null", "is_free_shipping": "bool",
	"calculated_price": "number", "calculated_weight": "number", "inventory_level": "int",
	"inventory_warning_level": "int", "bin_picking_number": "string", "upc": "string", "mpn": "string", "gtin": "string",
	"purchasing_disabled": "bool", "purchasing_disabled_message": "string", "image_url": "string",
	"option_values": "array",
}

func TestSeedDefaultCatalog(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	if err := s.SeedDefault(); err != nil {
		t.Fatal(err)
	}
	ps := s.Products()
	if len(ps) < 50 {
		t.Fatalf("%d products", len(ps))
	}
	withVariants, stocked := 0, 0
	for _, p := range ps {
		if len(p.Variants) > 1 {
			withVariants++
		}
		if p.SKU == "" || !p.Weight.IsPositive() || !p.Width.IsPositive() {
			t.Errorf("product %d lacks sku/weight/dims", p.ID)
		}
		if p.InventoryLevel > 0 {
			stocked++
		}
	}
	if withVariants < 20 || stocked < 40 {
		t.Errorf("%d products with variants, %d stocked", withVariants, stocked)
	}
	r := call(t, s, "GET", "/v3/channels", nil)
	data, _ := r.v3list(t)
	if len(data) != 2 {
		t.Errorf("%d channels", len(data))
	}
}

func TestCatalogProductsAndVariants(t *testing.T) {
	clock := &Clock{}
	clock.Set(time.Date(2025, 1, 15, 0, 3, 17, 0, time.UTC))
	s := newTestServer(t, Options{Clock: clock})

	r := call(t, s, "GET", "/v3/catalog/products?limit=5&page=2", nil)
	wantStatus(t, r, http.StatusOK)
	data, meta := r.v3list(t)
	pg := meta["pagination"].(map[string]any)
	if len(data) != 5 || pg["total"].(float64) != 12 || pg["total_pages"].(float64) != 3 || pg["current_page"].(float64) != 2 {
		t.Errorf("paging: %d items, %v", len(data), pg)
	}
	links := pg["links"].(map[string]any)
	if links["previous"] != "?page=1&limit=5" || links["next"] != "?page=3&limit=5" || links["current"] != "?page=2&limit=5" {
		t.Errorf("links %v", links)
	}
	checkShape(t, "product", data[0], productShape)

	// Variant-tracked product: include=variants, sku filter matches the base SKU only.
	var vp Product
	for _, p := range s.Products() {
		if p.InventoryTracking == "variant" {
			vp = p
			break
		}
	}
	r = call(t, s, "GET", "/v3/catalog/products?include=variants&sku="+vp.SKU, nil)
	data, _ = r.v3list(t)
	if len(data) != 1 {
		t.Fatalf("sku filter gave %d", len(data))
	}
	vs := data[0]["variants"].([]any)
	for _, v := range vs {
		checkShape(t, "variant", v.(map[string]any), variantShape)
		if cost := v.(map[string]any)["cost_price"]; cost != 0.0 {
			t.Errorf("variant cost_price = %#v, want 0", cost)
		}
	}
	if data[0]["base_variant_id"] != nil {
		t.Errorf("multi-variant product has base_variant_id %v", data[0]["base_variant_id"])
	}
	sum := 0
	for _, v := range vs {
		sum += int(v.(map[string]any)["inventory_level"].(float64))
	}
	if int(data[0]["inventory_level"].(float64)) != sum {
		t.Errorf("product inventory_level %v, variants sum %d", data[0]["inventory_level"], sum)
	}
	if d, _ := call(t, s, "GET", "/v3/catalog/products?sku="+vp.Variants[0].SKU, nil).v3list(t); len(d) != 0 {
		t.Errorf("product sku filter matched a variant SKU")
	}
	if d, _ := call(t, s, "GET", "/v3/catalog/variants?sku="+vp.Variants[0].SKU, nil).v3list(t); len(d) != 1 {
		t.Errorf("variants sku filter gave %d", len(d))
	}
	if d, _ := call(t, s, "GET", fmt.Sprintf("/v3/catalog/products?id:in=%d,%d", vp.ID, vp.ID+1), nil).v3list(t); len(d) != 2 {
		t.Errorf("id:in gave %d", len(d))
	}
	r = call(t, s, "GET", fmt.Sprintf("/v3/catalog/products/%d?include_fields=name,sku", vp.ID), nil)
	if p := r.v3data(t); len(p) != 3 || p["name"] == nil || p["id"] == nil {
		t.Errorf("include_fields gave %v", p)
	}

	// date_modified:min sees only what changed since.
	clock.Advance(time.Hour)
	since := clock.Now()
	var simple Product
	for _, p := range s.Products() {
		if p.InventoryTracking == "product" {
			simple = p
			break
		}
	}
	r = call(t, s, "PUT", fmt.Sprintf("/v3/catalog/products/%d", simple.ID), map[string]any{"weight": 2.5, "inventory_level": 40, "bin_picking_number": "Z-9"})
	wantStatus(t, r, http.StatusOK)
	up := r.v3data(t)
	if up["weight"].(float64) != 2.5 || up["inventory_level"].(float64) != 40 || up["bin_picking_number"] != "Z-9" {
		t.Errorf("after PUT %v", up)
	}
	if n, _ := s.Stock(simple.SKU, 1); n != 40 {
		t.Errorf("catalog inventory_level did not set location 1: %d", n)
	}
	d, _ := call(t, s, "GET", "/v3/catalog/products?date_modified:min="+url.QueryEscape(since.Format(time.RFC3339)), nil).v3list(t)
	if len(d) != 1 || d[0]["id"].(float64) != float64(simple.ID) {
		t.Errorf("date_modified:min gave %d products", len(d))
	}
	// inventory_level on a variant-tracked product is refused; name clash is 409.
	wantStatus(t, call(t, s, "PUT", fmt.Sprintf("/v3/catalog/products/%d", vp.ID), map[string]any{"inventory_level": 3}), http.StatusUnprocessableEntity)
	wantStatus(t, call(t, s, "PUT", fmt.Sprintf("/v3/catalog/products/%d", vp.ID), map[string]any{"name": simple.Name}), http.StatusConflict)
	r = call(t, s, "GET", "/v3/catalog/products/999999", nil)
	wantStatus(t, r, http.StatusNotFound)
	checkShape(t, "product 404", r.object(t), map[string]string{"status": "int", "title": "string", "type": "string", "instance": "string"})

	// Single variant update and the batch endpoint with its limits.
	v := vp.Variants[0]
	r = call(t, s, "PUT", fmt.Sprintf("/v3/catalog/products/%d/variants/%d", vp.ID, v.ID), map[string]any{"inventory_level": 31, "weight": 0.2})
	wantStatus(t, r, http.StatusOK)
	if got := r.v3data(t); got["inventory_level"].(float64) != 31 || got["calculated_weight"].(float64) != 0.2 {
		t.Errorf("variant after PUT %v", got)
	}
	r = call(t, s, "PUT", "/v3/catalog/variants", []map[string]any{{"id": vp.Variants[0].ID, "inventory_level": 5}, {"id": vp.Variants[1].ID, "inventory_level": 6}})
	wantStatus(t, r, http.StatusOK)
	if n, _ := s.Stock(vp.Variants[1].SKU, 1); n != 6 {
		t.Errorf("batch set stock %d", n)
	}
	r = call(t, s, "PUT", "/v3/catalog/variants", []map[string]any{{"id": vp.Variants[0].ID, "inventory_level": 7}, {"id": 999999}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	checkShape(t, "batch 422", r.object(t), map[string]string{"batch_errors": "array"})
	if n, _ := s.Stock(vp.Variants[0].SKU, 1); n != 5 {
		t.Errorf("failed batch changed stock to %d", n)
	}
	big := make([]map[string]any, 51)
	for i := range big {
		big[i] = map[string]any{"id": v.ID}
	}
	wantStatus(t, call(t, s, "PUT", "/v3/catalog/variants", big), http.StatusRequestEntityTooLarge)
	wantStatus(t, call(t, s, "PUT", "/v3/catalog/products", big[:11]), http.StatusRequestEntityTooLarge)
	r = call(t, s, "PUT", "/v3/catalog/products", []map[string]any{{"id": simple.ID, "is_visible": false}})
	wantStatus(t, r, http.StatusOK)

	r = call(t, s, "GET", fmt.Sprintf("/v3/catalog/products/%d/variants", vp.ID), nil)
	if d, _ := r.v3list(t); len(d) != len(vp.Variants) {
		t.Errorf("product variants list %d", len(d))
	}
	r = call(t, s, "GET", fmt.Sprintf("/v3/catalog/products/%d/options", vp.ID), nil)
	if d, _ := r.v3list(t); len(d) == 0 {
		t.Error("no options listed")
	}
}
