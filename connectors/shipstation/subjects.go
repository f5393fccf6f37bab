package shipstation

import (
	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// subjects names the BigCommerce orders (through the orderKey tote wrote:
// other channels' orders have none) and the SKUs an event's records
// concern.
func subjects(ev cty.Value) []connectors.Subject {
	var out connectors.SubjectSet
	for _, list := range routedLists {
		for _, rec := range elems(attrOf(ev, list)) {
			if bc := attrOf(rec, "bigcommerce"); !bc.IsNull() {
				out.Add(connectors.SubjectOrder, attrOf(bc, "order_id"))
			}
			for _, items := range []string{"items", "shipmentItems"} {
				for _, it := range elems(attrOf(rec, items)) {
					out.Add(connectors.SubjectSKU, attrOf(it, "sku"))
				}
			}
		}
	}
	return out.List()
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
