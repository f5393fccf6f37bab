package bigcommerce

import (
	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// subjects names the orders an event is about. Product and SKU events
// carry ids, not SKUs, so they name none.
func subjects(ev cty.Value) []connectors.Subject {
	if ev.IsNull() || !ev.Type().IsObjectType() || !ev.Type().HasAttribute("order_ids") {
		return nil
	}
	ids := ev.GetAttr("order_ids")
	if ids.IsNull() || !ids.IsKnown() || !ids.CanIterateElements() {
		return nil
	}
	var out []connectors.Subject
	for _, id := range ids.AsValueSlice() {
		if id.IsNull() || !id.IsKnown() || id.Type() != cty.Number {
			continue
		}
		out = append(out, connectors.Subject{Kind: connectors.SubjectOrder, Value: id.AsBigFloat().Text('f', -1)})
	}
	return out
}
