package shipstation

import (
	"context"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
)

// write plans and applies one write; it returns the two plans' ops.
func (e *env) write(action string, vals map[string]cty.Value) (connectors.Op, cty.Value) {
	e.t.Helper()
	a := args(e.t, action, vals)
	ctx := context.Background()
	ch, err := e.conn.PlanWrite(ctx, action, a)
	if err != nil {
		e.t.Fatalf("plan %s: %v", action, err)
	}
	out, err := e.conn.ApplyWrite(ctx, connectors.WriteRequest{Action: action, Args: a, Change: ch})
	if err != nil {
		e.t.Fatalf("apply %s: %v", action, err)
	}
	return ch.Op, out
}

func (e *env) read(action string, vals map[string]cty.Value) cty.Value {
	e.t.Helper()
	v, err := e.conn.Read(context.Background(), action, args(e.t, action, vals))
	if err != nil {
		e.t.Fatalf("%s: %v", action, err)
	}
	return v
}

func TestOrderWrites(t *testing.T) {
	e := newEnv(t, envOpts{})
	_, out := e.upsert("k", "H-1", nil)
	id := out.GetAttr("id")
	hold := map[string]cty.Value{"orderId": id, "holdUntilDate": cty.StringVal("2024-06-20")}
	for i, want := range []connectors.Op{connectors.OpUpdate, connectors.OpNoop} {
		op, out := e.write("hold_order", hold)
		if op != want || out.GetAttr("orderStatus").AsString() != "on_hold" {
			t.Errorf("hold %d: %s %#v", i, op, out.GetAttr("orderStatus"))
		}
	}
	n, _ := id.AsBigFloat().Int64()
	if o, _ := e.fake.Order(n); o.OrderStatus != "on_hold" || o.HoldUntilDate.Format("2006-01-02") != "2024-06-20" {
		t.Errorf("order %s until %v", o.OrderStatus, o.HoldUntilDate)
	}
	for i, want := range []connectors.Op{connectors.OpUpdate, connectors.OpNoop} {
		if op, _ := e.write("restore_order", map[string]cty.Value{"orderId": id}); op != want {
			t.Errorf("restore %d: %s", i, op)
		}
	}
	tag := map[string]cty.Value{"orderId": id, "tag": cty.StringVal("Backorder")}
	for i, want := range []connectors.Op{connectors.OpUpdate, connectors.OpNoop} {
		if op, _ := e.write("add_tag", tag); op != want {
			t.Errorf("add_tag %d: %s", i, op)
		}
	}
	if tags := e.fake.OrderTags(n); len(tags) != 1 || tags[0] != "Backorder" {
		t.Errorf("tags %v", tags)
	}
	for i, want := range []connectors.Op{connectors.OpUpdate, connectors.OpNoop} {
		if op, _ := e.write("remove_tag", tag); op != want {
			t.Errorf("remove_tag %d: %s", i, op)
		}
	}
	if _, err := e.fake.Ship(n, shipstationtest.ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.conn.PlanWrite(context.Background(), "hold_order", args(t, "hold_order", hold)); !connectors.IsPermanent(err) {
		t.Errorf("holding a shipped order: %v", err)
	}
}

// An order action makes tote forget what it knew of the order: asking
// again for the order as saved before is planned on a fresh read.
func TestAnOrderActionForgetsTheSavedOrder(t *testing.T) {
	e := newEnv(t, envOpts{})
	_, out := e.upsert("k", "F-1", nil)
	a := upsertArgs(t, "k", "F-1", nil)
	ch, err := e.conn.PlanWrite(context.Background(), "upsert_order", a)
	if err != nil || ch.Op != connectors.OpNoop || ch.Output.GetAttr("orderStatus").AsString() != "awaiting_shipment" {
		t.Fatalf("before the hold: %v %s %#v", err, ch.Op, ch.Output)
	}
	e.write("hold_order", map[string]cty.Value{"orderId": out.GetAttr("id"), "holdUntilDate": cty.StringVal("2024-06-20")})
	ch, err = e.conn.PlanWrite(context.Background(), "upsert_order", a)
	if err != nil || ch.Output.GetAttr("orderStatus").AsString() != "on_hold" {
		t.Errorf("after the hold: %v %s %#v", err, ch.Op, ch.Output)
	}
}

func TestOrderReads(t *testing.T) {
	e := newEnv(t, envOpts{})
	_, out := e.upsert("k1", "R-10", nil)
	e.upsert("k2", "R-100", map[string]cty.Value{"orderStatus": cty.StringVal("awaiting_payment")})
	id := out.GetAttr("id")
	for name, vals := range map[string]map[string]cty.Value{
		"id":     {"orderId": id},
		"key":    {"orderKey": cty.StringVal("k1"), "orderNumber": cty.StringVal("R-10")},
		"number": {"orderNumber": cty.StringVal("R-10")},
	} {
		o := e.read("get_order", vals)
		if o.IsNull() || o.GetAttr("orderKey").AsString() != "k1" || o.GetAttr("orderDate").AsString() != "2024-06-05T16:30:00Z" {
			t.Errorf("get_order by %s: %#v", name, o)
		}
	}
	if o := e.read("get_order", map[string]cty.Value{"orderId": cty.NumberIntVal(1)}); !o.IsNull() {
		t.Error("a missing order is not null")
	}
	if l := e.read("list_orders", map[string]cty.Value{"status": cty.StringVal("awaiting_payment")}); l.LengthInt() != 1 {
		t.Errorf("list_orders by status: %d", l.LengthInt())
	}
	n, _ := id.AsBigFloat().Int64()
	_ = e.fake.TagOrder(n, "Priority")
	if l := e.read("list_orders", map[string]cty.Value{"tag": cty.StringVal("Priority")}); l.LengthInt() != 1 {
		t.Errorf("list_orders by tag: %d", l.LengthInt())
	}
	if l := e.read("list_orders", map[string]cty.Value{"modifiedAfter": cty.StringVal("2024-06-05T18:00:00Z")}); l.LengthInt() != 0 {
		t.Errorf("list_orders modified later: %d", l.LengthInt())
	}
	if _, err := e.fake.Ship(n, shipstationtest.ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	window := map[string]cty.Value{"from": cty.StringVal("2024-06-05T16:00:00Z"), "to": cty.StringVal("2024-06-05T18:00:00Z")}
	s := e.read("list_shipments", window)
	if s.LengthInt() != 1 || s.Index(cty.NumberIntVal(0)).GetAttr("shipmentItems").LengthInt() != 1 {
		t.Errorf("list_shipments: %#v", s)
	}
	if f := e.read("list_fulfillments", window); f.LengthInt() != 0 {
		t.Errorf("list_fulfillments: %d", f.LengthInt())
	}
}

func TestProductsInventoryAndAccountLists(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.upsert("k", "P-1", nil) // makes the product record for MUG-BLK-12
	sku := cty.StringVal("MUG-BLK-12")
	if p := e.read("get_product", map[string]cty.Value{"sku": sku}); p.IsNull() || p.GetAttr("weightOz").AsBigFloat().String() != "14" {
		t.Fatalf("get_product: %#v", p)
	}
	if p := e.read("get_product", map[string]cty.Value{"sku": cty.StringVal("MUG")}); !p.IsNull() {
		t.Error("a SKU filter match that is not exact was returned")
	}
	upd := map[string]cty.Value{"sku": sku, "product": cty.ObjectVal(map[string]cty.Value{
		"weightOz": cty.NumberIntVal(15), "customsDescription": cty.StringVal("Ceramic mug")})}
	for i, want := range []connectors.Op{connectors.OpUpdate, connectors.OpNoop} {
		if op, _ := e.write("update_product", upd); op != want {
			t.Errorf("update_product %d: %s", i, op)
		}
	}
	if p, _ := e.fake.ProductBySKU("MUG-BLK-12"); p.WeightOz == nil || *p.WeightOz != 15 || p.Name != "Black Mug" {
		t.Errorf("product %+v", p)
	}
	// ShipStation cannot create products: an update of an unknown SKU waits.
	_, err := e.conn.PlanWrite(context.Background(), "update_product", args(t, "update_product",
		map[string]cty.Value{"sku": cty.StringVal("NEW"), "product": cty.EmptyObjectVal}))
	if d, ok := connectors.Deferred(err); !ok || d != 15*time.Minute {
		t.Errorf("unknown SKU: %v, want an update deferred by 15m", err)
	}
	if err := e.fake.SetStock("MUG-BLK-12", 7); err != nil {
		t.Fatal(err)
	}
	inv := e.read("get_inventory", map[string]cty.Value{"skus": cty.TupleVal([]cty.Value{sku, cty.StringVal("NONE")})})
	if inv.LengthInt() == 0 || inv.Index(cty.NumberIntVal(0)).GetAttr("sku").AsString() != "MUG-BLK-12" {
		t.Errorf("get_inventory: %#v", inv)
	}
	for action, want := range map[string]int{"list_stores": 2, "list_warehouses": 2, "list_tags": 5, "list_webhooks": 0} {
		if got := e.read(action, nil).LengthInt(); got != want {
			t.Errorf("%s: %d, want %d", action, got, want)
		}
	}
	hook := map[string]cty.Value{"event": cty.StringVal("ORDER_NOTIFY"), "url": cty.StringVal("https://x.example/h?token=t")}
	for i, want := range []connectors.Op{connectors.OpCreate, connectors.OpNoop} {
		if op, out := e.write("ensure_webhook", hook); op != want || out.GetAttr("url").AsString() != "https://x.example/h" {
			t.Errorf("ensure_webhook %d: %s %#v", i, op, out)
		}
	}
}
