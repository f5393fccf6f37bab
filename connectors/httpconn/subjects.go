package httpconn

import (
	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// subjectFields are the body fields, at any depth, that name the orders
// and SKUs a generic event concerns: the names BigCommerce and ShipStation
// give them.
var subjectFields = map[string]string{
	"order_id": connectors.SubjectOrder, "order_ids": connectors.SubjectOrder, "orderNumber": connectors.SubjectOrder,
	"sku": connectors.SubjectSKU, "skus": connectors.SubjectSKU,
}

// subjects names the orders and SKUs an event's body carries in
// subjectFields; numbers are written in full, as integers when they are.
func subjects(ev cty.Value) []connectors.Subject {
	var out connectors.SubjectSet
	var walk func(v cty.Value, kind string)
	walk = func(v cty.Value, kind string) {
		if v.IsNull() || !v.IsKnown() {
			return
		}
		t := v.Type()
		switch {
		case t.IsObjectType() || t.IsMapType():
			for it := v.ElementIterator(); it.Next(); {
				k, x := it.Element()
				walk(x, subjectFields[k.AsString()])
			}
		case t.IsListType() || t.IsSetType() || t.IsTupleType():
			for it := v.ElementIterator(); it.Next(); {
				_, x := it.Element()
				walk(x, kind)
			}
		case kind == "":
		default:
			out.Add(kind, v)
		}
	}
	walk(ev, "")
	return out.List()
}
