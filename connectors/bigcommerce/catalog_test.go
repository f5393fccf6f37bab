package bigcommerce

import (
	"testing"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/zclconf/go-cty/cty"
)

// seeded finds a seeded product with and one without variants.
func seeded(t *testing.T, e *env) (simple, withVariants bigcommercetest.Product) {
	t.Helper()
	for _, p := range e.fake.Products() {
		switch {
		case len(p.Variants) == 1 && p.InventoryTracking == "product" && simple.ID == 0:
			simple = p
		case len(p.Variants) > 1 && withVariants.ID == 0:
			withVariants = p
		}
	}
	if simple.ID == 0 || withVariants.ID == 0 {
		t.Fatal("the seeded catalog lacks a simple or a variant product")
	}
	return simple, withVariants
}

func TestGetProductsByIDAndSKU(t *testing.T) {
	e := newEnv(t, envConfig{})
	simple, multi := seeded(t, e)
	out := e.read("get_products", map[string]cty.Value{"ids": ids(multi.ID), "skus": cty.ListVal([]cty.Value{cty.StringVal(simple.SKU)})})
	if out.LengthInt() != 2 {
		t.Fatalf("got %d products, want 2", out.LengthInt())
	}
	p := out.Index(cty.NumberIntVal(0))
	if num64(p.GetAttr("id")) != int64(multi.ID) || p.GetAttr("variants").LengthInt() != len(multi.Variants) {
		t.Fatalf("first product = %#v", p)
	}
	if !p.GetAttr("weight").RawEquals(cty.MustParseNumberVal(multi.Weight.String())) {
		t.Errorf("weight = %#v, want %s", p.GetAttr("weight"), multi.Weight)
	}
	if s := out.Index(cty.NumberIntVal(1)); s.GetAttr("sku").AsString() != simple.SKU || !s.GetAttr("base_variant_id").IsKnown() {
		t.Errorf("second product = %#v", s)
	}
}

func TestGetVariantsBySKUIDAndProduct(t *testing.T) {
	e := newEnv(t, envConfig{})
	_, multi := seeded(t, e)
	v := multi.Variants[1]
	out := e.read("get_variants", map[string]cty.Value{"skus": cty.ListVal([]cty.Value{cty.StringVal(v.SKU)})})
	if out.LengthInt() != 1 || num64(out.Index(cty.NumberIntVal(0)).GetAttr("id")) != int64(v.ID) {
		t.Fatalf("by sku = %#v", out)
	}
	got := out.Index(cty.NumberIntVal(0))
	if got.GetAttr("option_values").LengthInt() == 0 || !got.GetAttr("calculated_weight").IsKnown() {
		t.Errorf("variant = %#v", got)
	}
	if out := e.read("get_variants", map[string]cty.Value{"ids": ids(v.ID)}); out.LengthInt() != 1 {
		t.Fatalf("by id = %#v", out)
	}
	if out := e.read("get_variants", map[string]cty.Value{"product_ids": ids(multi.ID)}); out.LengthInt() != len(multi.Variants) {
		t.Fatalf("by product = %d variants, want %d", out.LengthInt(), len(multi.Variants))
	}
}
