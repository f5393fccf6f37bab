package shipstation

import (
	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// subjects names the BigCommerce orders (through the orderKey tote wrote:
// other channels' orders have none) and the SKUs an event's records
// concern.
func subjects(ev cty.Value) []connectors.Subject {
	var out []connectors.Subject
	seen := map[connectors.Subject]bool{}
	add := func(kind string, v cty.Value) {
		if v.IsNull() || !v.IsKnown() {
			return
		}
		var s string
		switch v.Type() {
		case cty.String:
			s = v.AsString()
		case cty.Number:
			s = v.AsBigFloat().Text('f', -1)
		default:
			return
		}
		sub := connectors.Subject{Kind: kind, Value: s}
		if s != "" && !seen[sub] {
			seen[sub] = true
			out = append(out, sub)
		}
	}
	for _, list := range routedLists {
		for _, rec := range elems(attrOf(ev, list)) {
			if bc := attrOf(rec, "bigcommerce"); !bc.IsNull() {
				add(connectors.SubjectOrder, attrOf(bc, "order_id"))
			}
			for _, items := range []string{"items", "shipmentItems"} {
				for _, it := range elems(attrOf(rec, items)) {
					add(connectors.SubjectSKU, attrOf(it, "sku"))
				}
			}
		}
	}
	return out
}

// attrOf is v's attribute name, null when v is null or has none.
func attrOf(v cty.Value, name string) cty.Value {
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(name) {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return v.GetAttr(name)
}

// elems are the elements of a known list, set or tuple; none otherwise.
func elems(v cty.Value) []cty.Value {
	if v.IsNull() || !v.IsKnown() || !(v.Type().IsListType() || v.Type().IsSetType() || v.Type().IsTupleType()) {
		return nil
	}
	return v.AsValueSlice()
}
