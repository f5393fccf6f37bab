package bigcommerce

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

var optionValueType = obj(map[string]cty.Type{"label": cty.String, "option_display_name": cty.String})

var variantType = obj(map[string]cty.Type{
	"id": cty.Number, "product_id": cty.Number, "sku": cty.String, "price": cty.Number, "weight": cty.Number,
	"width": cty.Number, "height": cty.Number, "depth": cty.Number, "calculated_price": cty.Number,
	"calculated_weight": cty.Number, "inventory_level": cty.Number, "bin_picking_number": cty.String,
	"upc": cty.String, "mpn": cty.String, "gtin": cty.String, "option_values": cty.List(optionValueType),
})

var productType = obj(map[string]cty.Type{
	"id": cty.Number, "name": cty.String, "type": cty.String, "sku": cty.String, "weight": cty.Number,
	"width": cty.Number, "height": cty.Number, "depth": cty.Number, "price": cty.Number, "cost_price": cty.Number,
	"inventory_level": cty.Number, "inventory_tracking": cty.String, "is_visible": cty.Bool,
	"bin_picking_number": cty.String, "upc": cty.String, "mpn": cty.String, "gtin": cty.String,
	"base_variant_id": cty.Number, "date_modified": cty.String, "variants": cty.List(variantType),
	"skus": cty.List(skuType),
})

// skuType is one SKU of a product as ShipStation and stock levels know it.
var skuType = obj(map[string]cty.Type{
	"sku": cty.String, "name": cty.String, "weight": cty.Number, "width": cty.Number, "height": cty.Number,
	"depth": cty.Number, "bin_picking_number": cty.String,
})

func catalogActions() []action {
	return []action{
		{
			Spec: connectors.ActionSpec{
				Name: "get_products", Kind: connectors.Read, Output: cty.List(productType),
				Doc: "Catalog products with their variants, by id and/or product (base) SKU; weights and dimensions " +
					"in the store's units (see get_store). Variant SKUs are found with get_variants. skus lists what a " +
					"warehouse stocks: each variant with a SKU of a product with several variants (named \"<product> " +
					"(<option values>)\", its null measures the product's, its weight else its calculated weight), " +
					"else the product itself when it has a SKU.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "ids", Type: cty.List(cty.Number), Doc: "Product ids."},
					{Name: "skus", Type: cty.List(cty.String), Doc: "Product (base) SKUs."},
					{Name: "all", Type: cty.Bool, Doc: "Every product in the catalog, page by page (for exports and full sweeps)."},
				}},
			},
			Read: readArgs(readProducts),
		},
		{
			Spec: connectors.ActionSpec{
				Name: "get_variants", Kind: connectors.Read, Output: cty.List(variantType),
				Doc: "Catalog variants by id, SKU and/or product id. A null price or measure inherits the product's; " +
					"calculated_price and calculated_weight are what applies.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "ids", Type: cty.List(cty.Number), Doc: "Variant ids."},
					{Name: "skus", Type: cty.List(cty.String), Doc: "Variant SKUs (one call each: the API matches one SKU at a time)."},
					{Name: "product_ids", Type: cty.List(cty.Number), Doc: "Every variant of these products."},
				}},
			},
			Read: readArgs(readVariants),
		},
	}
}

func variantVal(v variant) cty.Value {
	opts := make([]cty.Value, 0, len(v.OptionValues))
	for _, o := range v.OptionValues {
		opts = append(opts, cty.ObjectVal(map[string]cty.Value{"label": str(o.Label), "option_display_name": str(o.OptionDisplayName)}))
	}
	return cty.ObjectVal(map[string]cty.Value{
		"id": num(v.ID), "product_id": num(v.ProductID), "sku": str(v.SKU), "price": optDec(v.Price),
		"weight": optDec(v.Weight), "width": optDec(v.Width), "height": optDec(v.Height), "depth": optDec(v.Depth),
		"calculated_price": dec(v.CalculatedPrice), "calculated_weight": dec(v.CalculatedWeight),
		"inventory_level": num(v.InventoryLevel), "bin_picking_number": str(v.BinPickingNumber),
		"upc": str(v.UPC), "mpn": str(v.MPN), "gtin": str(v.GTIN), "option_values": listOf(optionValueType, opts),
	})
}

func productVal(p product) cty.Value {
	vs := make([]cty.Value, 0, len(p.Variants))
	for _, v := range p.Variants {
		vs = append(vs, variantVal(v))
	}
	return cty.ObjectVal(map[string]cty.Value{
		"id": num(p.ID), "name": str(p.Name), "type": str(p.Type), "sku": str(p.SKU), "weight": dec(p.Weight),
		"width": dec(p.Width), "height": dec(p.Height), "depth": dec(p.Depth), "price": dec(p.Price),
		"cost_price": dec(p.CostPrice), "inventory_level": num(p.InventoryLevel),
		"inventory_tracking": str(p.InventoryTracking), "is_visible": cty.BoolVal(p.IsVisible),
		"bin_picking_number": str(p.BinPickingNumber), "upc": str(p.UPC), "mpn": str(p.MPN), "gtin": str(p.GTIN),
		"base_variant_id": optNum(p.BaseVariantID), "date_modified": str(formatTime(p.DateModified.Time)),
		"variants": listOf(variantType, vs),
		"skus":     listOf(skuType, productSKUs(p)),
	})
}

// productSKUs are the SKUs a warehouse stocks of p: each variant with a SKU
// when there are several (a lone variant is the product itself), else the
// product when it has a SKU.
func productSKUs(p product) []cty.Value {
	if len(p.Variants) <= 1 {
		if p.SKU == "" {
			return nil
		}
		return []cty.Value{skuVal(p.SKU, p.Name, dec(p.Weight), dec(p.Width), dec(p.Height), dec(p.Depth), p.BinPickingNumber)}
	}
	or := func(v optAmount, fallback amount) cty.Value {
		if v.Valid {
			return dec(v.amount)
		}
		return dec(fallback)
	}
	var out []cty.Value
	for _, v := range p.Variants {
		if v.SKU == "" {
			continue
		}
		labels := make([]string, 0, len(v.OptionValues))
		for _, o := range v.OptionValues {
			labels = append(labels, o.Label)
		}
		name := p.Name + " (" + strings.Join(labels, ", ") + ")"
		out = append(out, skuVal(v.SKU, name, or(v.Weight, v.CalculatedWeight), or(v.Width, p.Width), or(v.Height, p.Height),
			or(v.Depth, p.Depth), v.BinPickingNumber))
	}
	return out
}

func skuVal(sku, name string, weight, width, height, depth cty.Value, bin string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"sku": str(sku), "name": str(name), "weight": weight, "width": width,
		"height": height, "depth": depth, "bin_picking_number": str(bin)})
}

// chunks splits a list into pieces of at most n.
func chunks[T any](xs []T, n int) [][]T {
	var out [][]T
	for len(xs) > n {
		out = append(out, xs[:n])
		xs = xs[n:]
	}
	if len(xs) > 0 {
		out = append(out, xs)
	}
	return out
}

// products lists products with their variants under a filter.
func (c *conn) products(ctx context.Context, q url.Values) ([]product, error) {
	q.Set("include", "variants")
	return v3List[product](ctx, c.api, call{method: http.MethodGet, path: "/v3/catalog/products", query: q, prio: budget.Products})
}

// idFilters returns one "key in ids" filter per page of ids.
func idFilters(key string, ids []int64) []url.Values {
	var out []url.Values
	for _, part := range chunks(ids, pageLimit) {
		out = append(out, url.Values{key: {joinInts(part)}})
	}
	return out
}

// readDistinct lists under each filter in turn and returns the records as one
// list of typ, each id once, in the order first seen.
func readDistinct[T any](ctx context.Context, filters []url.Values, list func(context.Context, url.Values) ([]T, error),
	id func(T) int64, val func(T) cty.Value, typ cty.Type) (cty.Value, error) {
	seen := map[int64]bool{}
	var vals []cty.Value
	for _, q := range filters {
		xs, err := list(ctx, q)
		if err != nil {
			return cty.NilVal, err
		}
		for _, x := range xs {
			if !seen[id(x)] {
				seen[id(x)] = true
				vals = append(vals, val(x))
			}
		}
	}
	return listOf(typ, vals), nil
}

func readProducts(c *conn, ctx context.Context, a *args) (cty.Value, error) {
	ids, skus := a.ints("ids"), a.strs("skus")
	if a.err != nil {
		return cty.NilVal, a.err
	}
	var filters []url.Values
	if all := a.get("all"); !all.IsNull() && all.True() {
		filters = append(filters, url.Values{})
	}
	filters = append(filters, idFilters("id:in", ids)...)
	for _, part := range chunks(skus, 50) {
		filters = append(filters, url.Values{"sku:in": {strings.Join(part, ",")}})
	}
	return readDistinct(ctx, filters, c.products, func(p product) int64 { return p.ID }, productVal, productType)
}

func (c *conn) variants(ctx context.Context, q url.Values) ([]variant, error) {
	return v3List[variant](ctx, c.api, call{method: http.MethodGet, path: "/v3/catalog/variants", query: q, prio: budget.Products})
}

func readVariants(c *conn, ctx context.Context, a *args) (cty.Value, error) {
	ids, skus, pids := a.ints("ids"), a.strs("skus"), a.ints("product_ids")
	if a.err != nil {
		return cty.NilVal, a.err
	}
	filters := idFilters("id:in", ids)
	for _, sku := range skus {
		filters = append(filters, url.Values{"sku": {sku}})
	}
	filters = append(filters, idFilters("product_id:in", pids)...)
	return readDistinct(ctx, filters, c.variants, func(v variant) int64 { return v.ID }, variantVal, variantType)
}
