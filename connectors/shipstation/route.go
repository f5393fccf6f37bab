package shipstation

import (
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/orderkey"
	"github.com/zclconf/go-cty/cty"
)

// routedLists are the event's record lists; each record names its
// BigCommerce store and order in its bigcommerce attribute (parsed from its
// orderKey). Routing and subjects read the same lists.
var routedLists = []string{"orders", "shipments", "fulfillments", "return_labels"}

// storeHash is the BigCommerce store a record names in its orderKey, or "".
func storeHash(rec cty.Value) string {
	h := attrOf(attrOf(rec, "bigcommerce"), "store_hash")
	if h.IsNull() || !h.IsKnown() || h.Type() != cty.String {
		return ""
	}
	return h.AsString()
}

// otherChannels are the shipments of list whose orders are no BigCommerce
// store's: other sales channels'.
func otherChannels(list cty.Value) cty.Value {
	var out []cty.Value
	for _, rec := range elems(list) {
		if storeHash(rec) == "" {
			out = append(out, rec)
		}
	}
	if len(out) == 0 {
		return cty.ListValEmpty(list.Type().ElementType())
	}
	return cty.ListVal(out)
}

// route splits an event by the BigCommerce store of its records, for a
// pipeline with one instance per store: each part has only the records of
// one store, and order_ids only their orders. Records with no BigCommerce
// orderKey (other channels') belong to no store: they are left out of the
// lists, and their shipments go to every store's part as other_shipments
// (to the stores without records of their own through EveryInstance).
func route(ev cty.Value) map[string]cty.Value {
	if ev.IsNull() || !ev.IsKnown() || !ev.Type().IsObjectType() {
		return nil
	}
	byKey := map[string]map[string][]cty.Value{}
	others := cty.NilVal
	if ev.Type().HasAttribute("other_shipments") && ev.Type().HasAttribute("shipments") {
		if others = otherChannels(ev.GetAttr("shipments")); others.LengthInt() > 0 {
			byKey[connectors.EveryInstance] = map[string][]cty.Value{}
		}
	}
	for _, list := range routedLists {
		for _, rec := range elems(attrOf(ev, list)) {
			h := storeHash(rec)
			if h == "" {
				continue
			}
			key := orderkey.RouteKey(h)
			if byKey[key] == nil {
				byKey[key] = map[string][]cty.Value{}
			}
			byKey[key][list] = append(byKey[key][list], rec)
		}
	}
	out := make(map[string]cty.Value, len(byKey))
	for key, lists := range byKey {
		attrs := ev.AsValueMap()
		ids := map[string]bool{}
		var idVals []cty.Value
		for _, list := range routedLists {
			if !ev.Type().HasAttribute(list) {
				continue
			}
			lt := ev.Type().AttributeType(list)
			recs := lists[list]
			if len(recs) == 0 {
				attrs[list] = cty.ListValEmpty(lt.ElementType())
				continue
			}
			attrs[list] = cty.ListVal(recs)
			for _, r := range recs {
				if id := attrOf(r, "orderId"); !id.IsNull() && id.IsKnown() && id.Type() == cty.Number {
					if s := id.AsBigFloat().Text('f', -1); !ids[s] {
						ids[s] = true
						idVals = append(idVals, id)
					}
				}
			}
		}
		if ev.Type().HasAttribute("order_ids") {
			attrs["order_ids"] = cty.ListValEmpty(cty.Number)
			if len(idVals) > 0 {
				attrs["order_ids"] = cty.ListVal(idVals)
			}
		}
		if others != cty.NilVal {
			attrs["other_shipments"] = others
		}
		out[key] = cty.ObjectVal(attrs)
	}
	return out
}
