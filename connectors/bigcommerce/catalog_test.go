package bigcommerce

import (
	"strings"
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

// skus is what a warehouse stocks: a product with variants gives each
// variant, named with its option values and with the product's measures
// where its own are null; a simple product gives itself.
func TestGetProductsSKUs(t *testing.T) {
	e := newEnv(t, envConfig{})
	simple, multi := seeded(t, e)
	out := e.read("get_products", map[string]cty.Value{"ids": ids(multi.ID, simple.ID)})
	byID := map[int64]cty.Value{}
	for _, p := range out.AsValueSlice() {
		byID[num64(p.GetAttr("id"))] = p
	}
	skus := byID[int64(multi.ID)].GetAttr("skus").AsValueSlice()
	if len(skus) != len(multi.Variants) {
		t.Fatalf("%d skus for %d variants", len(skus), len(multi.Variants))
	}
	for i, v := range multi.Variants {
		s := skus[i]
		var labels []string
		for _, o := range v.OptionValues {
			labels = append(labels, o.Label)
		}
		if got, want := s.GetAttr("sku").AsString(), v.SKU; got != want {
			t.Errorf("sku %d = %q, want %q", i, got, want)
		}
		if got, want := s.GetAttr("name").AsString(), multi.Name+" ("+strings.Join(labels, ", ")+")"; got != want {
			t.Errorf("name = %q, want %q", got, want)
		}
		weight := v.CalculatedWeight.String()
		if v.Weight != nil {
			weight = v.Weight.String()
		}
		if !s.GetAttr("weight").RawEquals(cty.MustParseNumberVal(weight)) {
			t.Errorf("%s weight = %#v, want %s", v.SKU, s.GetAttr("weight"), weight)
		}
		depth := multi.Depth.String()
		if v.Depth != nil {
			depth = v.Depth.String()
		}
		if !s.GetAttr("depth").RawEquals(cty.MustParseNumberVal(depth)) {
			t.Errorf("%s depth = %#v, want %s", v.SKU, s.GetAttr("depth"), depth)
		}
	}
	one := byID[int64(simple.ID)].GetAttr("skus").AsValueSlice()
	if len(one) != 1 || one[0].GetAttr("sku").AsString() != simple.SKU || one[0].GetAttr("name").AsString() != simple.Name ||
		one[0].GetAttr("bin_picking_number").AsString() != simple.BinPickingNumber {
		t.Errorf("simple product's skus = %#v", one)
	}
}
