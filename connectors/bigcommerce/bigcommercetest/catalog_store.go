package bigcommercetest

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// NewProduct describes a product for AddProduct. Amounts are decimal strings.
type NewProduct struct {
	Name              string       `json:"name"`
	SKU               string       `json:"sku"`
	Type              string       `json:"type"`  // physical (default) or digital
	Price             string       `json:"price"` // default "10"
	CostPrice         string       `json:"cost_price"`
	Weight            string       `json:"weight"` // store weight units
	Width             string       `json:"width"`  // store dimension units
	Height            string       `json:"height"`
	Depth             string       `json:"depth"`
	InventoryTracking string       `json:"inventory_tracking"` // none, product or variant; default product (variant when Variants are given)
	InventoryLevel    int          `json:"inventory_level"`    // stock at location 1 when tracked by product
	BinPickingNumber  string       `json:"bin_picking_number"`
	UPC               string       `json:"upc"`
	Channels          []int        `json:"channels"` // default [1]
	Options           []NewOption  `json:"options"`
	Variants          []NewVariant `json:"variants"`
}

// NewOption is a variant option and its values, e.g. Size: S, M, L.
type NewOption struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// NewVariant is one variant: its SKU, stock at location 1 and one option
// value label per option, in option order.
type NewVariant struct {
	SKU            string   `json:"sku"`
	Price          string   `json:"price"`  // empty inherits the product's price
	Weight         string   `json:"weight"` // empty inherits the product's weight
	InventoryLevel int      `json:"inventory_level"`
	OptionValues   []string `json:"option_values"`
}

func decOr(s, def string) (decimal.Decimal, error) {
	if s == "" {
		s = def
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return d, fmt.Errorf("bad amount %q: %w", s, err)
	}
	return d, nil
}

// addProductLocked creates a product with its variants and stock.
func (s *Server) addProductLocked(np NewProduct) (*productRec, error) {
	st := s.st
	if np.Name == "" {
		return nil, fmt.Errorf("product name is required")
	}
	for _, pr := range st.products {
		if strings.EqualFold(pr.p.Name, np.Name) {
			return nil, fmt.Errorf("product name %q already exists", np.Name)
		}
	}
	skus := []string{np.SKU}
	for _, v := range np.Variants {
		skus = append(skus, v.SKU)
	}
	seen := map[string]bool{}
	for _, sku := range skus {
		if sku == "" {
			continue
		}
		l := strings.ToLower(sku)
		if _, dup := st.skuProduct[l]; dup || seen[l] {
			return nil, fmt.Errorf("sku %q already exists", sku)
		}
		seen[l] = true
	}
	var amounts [6]decimal.Decimal
	for i, a := range []struct{ v, def string }{{np.Price, "10"}, {np.CostPrice, "0"}, {np.Weight, "0"}, {np.Width, "0"}, {np.Height, "0"}, {np.Depth, "0"}} {
		d, err := decOr(a.v, a.def)
		if err != nil {
			return nil, err
		}
		amounts[i] = d
	}
	tracking := np.InventoryTracking
	if tracking == "" {
		tracking = "product"
		if len(np.Variants) > 0 {
			tracking = "variant"
		}
	}
	typ := np.Type
	if typ == "" {
		typ = "physical"
	}
	now := s.now()
	id := st.nextID("product")
	pr := &productRec{p: Product{
		ID: id, Name: np.Name, Type: typ, SKU: np.SKU, Price: number(amounts[0]), CostPrice: number(amounts[1]),
		Weight: number(amounts[2]), Width: number(amounts[3]), Height: number(amounts[4]), Depth: number(amounts[5]),
		CalculatedPrice: number(amounts[0]), InventoryTracking: tracking, IsVisible: true,
		BinPickingNumber: np.BinPickingNumber, UPC: np.UPC, Availability: "available", Condition: "New",
		Categories: []int{23}, DateCreated: DateISO{now}, DateModified: DateISO{now},
		CustomURL: CustomURL{URL: "/" + slug(np.Name) + "/"},
	}, channels: np.Channels}
	if len(pr.channels) == 0 {
		pr.channels = []int{1}
	}
	for _, o := range np.Options {
		def := &ProductOptDef{ID: st.nextID("option"), ProductID: id, Name: o.Name + fmt.Sprintf("-%d", id),
			DisplayName: o.Name, Type: "rectangles", SortOrder: len(pr.options)}
		for i, label := range o.Values {
			def.OptionValues = append(def.OptionValues, OptionValueDef{ID: st.nextID("option_value"), Label: label, SortOrder: i, IsDefault: i == 0})
		}
		pr.options = append(pr.options, def)
	}
	if len(np.Variants) == 0 {
		// Every product has at least its base variant.
		v := &Variant{ID: st.nextID("variant"), ProductID: id, SKU: np.SKU, OptionValues: []OptionValue{}}
		pr.variants = append(pr.variants, v)
		base := v.ID
		pr.p.BaseVariantID = &base
	}
	for _, nv := range np.Variants {
		v := &Variant{ID: st.nextID("variant"), ProductID: id, SKU: nv.SKU, OptionValues: []OptionValue{}}
		skuID := st.nextID("sku")
		v.SKUID = &skuID
		if nv.Price != "" {
			d, err := decimal.NewFromString(nv.Price)
			if err != nil {
				return nil, fmt.Errorf("variant %s price: %w", nv.SKU, err)
			}
			v.Price = &Number{d}
		}
		if nv.Weight != "" {
			d, err := decimal.NewFromString(nv.Weight)
			if err != nil {
				return nil, fmt.Errorf("variant %s weight: %w", nv.SKU, err)
			}
			v.Weight = &Number{d}
		}
		if len(nv.OptionValues) != len(pr.options) {
			return nil, fmt.Errorf("variant %s needs one option value per option", nv.SKU)
		}
		for i, label := range nv.OptionValues {
			opt := pr.options[i]
			found := false
			for _, ov := range opt.OptionValues {
				if ov.Label == label {
					v.OptionValues = append(v.OptionValues, OptionValue{ID: ov.ID, Label: label, OptionID: opt.ID, OptionDisplayName: opt.DisplayName})
					found = true
				}
			}
			if !found {
				return nil, fmt.Errorf("variant %s: option %s has no value %q", nv.SKU, opt.DisplayName, label)
			}
		}
		pr.variants = append(pr.variants, v)
	}
	st.products[id] = pr
	st.productIDs = append(st.productIDs, id)
	if np.SKU != "" {
		st.skuProduct[strings.ToLower(np.SKU)] = id
	}
	for i, v := range pr.variants {
		st.variants[v.ID] = v
		st.variantOf[v.ID] = pr
		if v.SKU != "" {
			st.skus[strings.ToLower(v.SKU)] = v.ID
			st.skuProduct[strings.ToLower(v.SKU)] = id
		}
		if tracking == "variant" {
			level := np.InventoryLevel
			if i < len(np.Variants) {
				level = np.Variants[i].InventoryLevel
			}
			st.stock[stockKey{id, v.ID, 1}] = &stockRec{onhand: level, settings: ItemSettings{IsInStock: true}}
		}
	}
	if tracking != "variant" {
		st.stock[stockKey{id, 0, 1}] = &stockRec{onhand: np.InventoryLevel, settings: ItemSettings{IsInStock: true}}
	}
	return pr, nil
}

func slug(s string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, s), "-")
}

// stockKeyOf is where the stock of one variant lives at a location: on the
// variant when the product tracks variants, else on the product.
func stockKeyOf(pr *productRec, variantID, location int) stockKey {
	if pr.p.InventoryTracking == "variant" {
		return stockKey{pr.p.ID, variantID, location}
	}
	return stockKey{pr.p.ID, 0, location}
}

func (st *state) onhand(k stockKey) int {
	if r := st.stock[k]; r != nil {
		return r.onhand
	}
	return 0
}

// renderVariant returns a copy of v with computed fields filled in.
func (st *state) renderVariant(pr *productRec, v *Variant) Variant {
	out := *v
	out.OptionValues = append([]OptionValue{}, v.OptionValues...)
	price := pr.p.Price.Decimal
	if v.Price != nil {
		price = v.Price.Decimal
	}
	out.CalculatedPrice = number(price)
	weight := pr.p.Weight.Decimal
	if v.Weight != nil {
		weight = v.Weight.Decimal
	}
	out.CalculatedWeight = number(weight)
	// cost_price is not inherited from the product: BigCommerce answers 0
	// for a cost never set (and for one set to null), never null.
	if out.CostPrice == nil {
		zero := number(decimal.Zero)
		out.CostPrice = &zero
	}
	switch {
	case pr.p.InventoryTracking == "variant":
		out.InventoryLevel = st.onhand(stockKey{pr.p.ID, v.ID, 1})
	case len(pr.variants) == 1:
		out.InventoryLevel = st.onhand(stockKey{pr.p.ID, 0, 1})
	default:
		out.InventoryLevel = 0
	}
	return out
}

// renderProduct returns a copy of the product with its default-location
// stock and the requested sub-resources.
func (st *state) renderProduct(pr *productRec, include map[string]bool) Product {
	out := pr.p
	out.Categories = append([]int{}, pr.p.Categories...)
	out.Variants, out.Options, out.Channels = nil, nil, nil
	if pr.p.InventoryTracking == "variant" {
		sum := 0
		for _, v := range pr.variants {
			sum += st.onhand(stockKey{pr.p.ID, v.ID, 1})
		}
		out.InventoryLevel = sum
	} else {
		out.InventoryLevel = st.onhand(stockKey{pr.p.ID, 0, 1})
	}
	if include["variants"] {
		out.Variants = []Variant{}
		for _, v := range pr.variants {
			out.Variants = append(out.Variants, st.renderVariant(pr, v))
		}
	}
	if include["options"] {
		out.Options = []ProductOptDef{}
		for _, o := range pr.options {
			c := *o
			c.OptionValues = append([]OptionValueDef{}, o.OptionValues...)
			out.Options = append(out.Options, c)
		}
	}
	if include["channels"] {
		out.Channels = append([]int{}, pr.channels...)
	}
	return out
}

// sortedProducts returns products in id order (ids only grow).
func (st *state) sortedProducts() []*productRec {
	out := make([]*productRec, 0, len(st.productIDs))
	for _, id := range st.productIDs {
		if pr := st.products[id]; pr != nil {
			out = append(out, pr)
		}
	}
	return out
}
