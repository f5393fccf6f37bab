package shipstation

import (
	"sort"
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// Each store's part holds its own shipments; other channels' shipments
// (no BigCommerce orderKey) are in no part's shipments, and in every
// part's other_shipments, stores without records of their own included.
func TestRouteGivesOtherChannelsShipmentsToEveryStore(t *testing.T) {
	ship := func(id int64, key string) Shipment {
		s := Shipment{ShipmentID: &id, OrderID: &id, OrderKey: &key}
		s.BigCommerce = refOfKey(&key)
		return s
	}
	ev := eventOf("SHIP_NOTIFY", "", nil, []Shipment{
		ship(1, "bc:aaa:100"), ship(2, "amazon-113-55"), ship(3, "bc:bbb:100"), ship(4, "bc:aaa:101"),
	}, nil, nil)
	if got := ids(ev.GetAttr("other_shipments")); got != "2" {
		t.Errorf("whole event's other_shipments = %s, want 2", got)
	}
	parts := route(ev)
	var got []string
	for k, p := range parts {
		got = append(got, k+"="+ids(p.GetAttr("shipments"))+"/"+ids(p.GetAttr("other_shipments")))
	}
	sort.Strings(got)
	want := connectors.EveryInstance + "=/2 bigcommerce:aaa=1,4/2 bigcommerce:bbb=3/2"
	if strings.Join(got, " ") != want {
		t.Errorf("parts %v, want %s", got, want)
	}

	// Without other channels' shipments, no part is for every store.
	parts = route(eventOf("SHIP_NOTIFY", "", nil, []Shipment{ship(1, "bc:aaa:100")}, nil, nil))
	if _, ok := parts[connectors.EveryInstance]; ok || len(parts) != 1 {
		t.Errorf("parts %v, want bigcommerce:aaa only", parts)
	}
}

func ids(list cty.Value) string {
	var out []string
	for _, r := range elems(list) {
		out = append(out, r.GetAttr("shipmentId").AsBigFloat().String())
	}
	return strings.Join(out, ",")
}
