package shipstation

import (
	"context"
	"fmt"
	"testing"

	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
)

// parcelsEnv is a shipped order of two lines (line 101: two MUG-BLK-12,
// line 102: one unit with no store SKU) with two v1 return parcels, and its
// store order in BigCommerce's shape as a pipeline passes it.
type parcelsEnv struct {
	*env
	id       int64
	a, b     string // the parcels' tracking numbers: a holds 101:1, b 101:1 and 102:1
	bcOrder  cty.Value
	numberOf string
}

func newParcelsEnv(t *testing.T, returns bool) parcelsEnv {
	e := newEnv(t, envOpts{noV2: true})
	item := func(key, sku string, n int64) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"lineItemKey": cty.StringVal(key), "sku": cty.StringVal(sku), "name": cty.StringVal("Item " + key),
			"quantity": cty.NumberIntVal(n), "unitPrice": cty.MustParseNumberVal("18.50"),
		})
	}
	_, out := e.upsert("k", "P-1", map[string]cty.Value{"items": cty.TupleVal([]cty.Value{item("101", "MUG-BLK-12", 2), item("102", "GIFT", 1)})})
	id, _ := out.GetAttr("id").AsBigFloat().Int64()
	if _, err := e.fake.Ship(id, shipstationtest.ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	p := parcelsEnv{env: e, id: id, numberOf: "P-1"}
	if returns {
		a, err := e.fake.ReceiveReturn(id, []shipstationtest.ShipItem{{LineItemKey: "101", Quantity: 1}})
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.fake.ReceiveReturn(id, []shipstationtest.ShipItem{{LineItemKey: "101", Quantity: 1}, {LineItemKey: "102", Quantity: 1}})
		if err != nil {
			t.Fatal(err)
		}
		p.a, p.b = a.TrackingNumber, b.TrackingNumber
		if p.a == "" || p.b == "" || p.a == p.b {
			t.Fatalf("tracking numbers %q, %q", p.a, p.b)
		}
	}
	// BigCommerce has not recorded the shipment (quantity_shipped 0): what
	// shipped is ShipStation's. The extra attributes are ignored.
	line := func(id int64, sku string, n, refunded int64) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"id": cty.NumberIntVal(id), "sku": cty.StringVal(sku), "quantity": cty.NumberIntVal(n),
			"quantity_shipped": cty.NumberIntVal(0), "quantity_refunded": cty.NumberIntVal(refunded), "name": cty.StringVal("x")})
	}
	p.bcOrder = cty.ObjectVal(map[string]cty.Value{"id": cty.NumberIntVal(7), "status": cty.StringVal("Shipped"),
		"lines": cty.TupleVal([]cty.Value{line(101, "MUG-BLK-12", 2, 0), line(102, "", 1, 0)})})
	return p
}

func (p parcelsEnv) read(t *testing.T, refunds, delivered cty.Value) map[string]cty.Value {
	t.Helper()
	vals := map[string]cty.Value{"orderId": cty.NumberIntVal(p.id), "orderNumber": cty.StringVal(p.numberOf), "order": p.bcOrder}
	if refunds != cty.NilVal {
		vals["refunds"] = refunds
	}
	if delivered != cty.NilVal {
		vals["delivered"] = delivered
	}
	out, err := p.conn.Read(context.Background(), "return_parcels", args(t, "return_parcels", vals))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]cty.Value{}
	for _, v := range out.AsValueSlice() {
		got[v.GetAttr("key").AsString()] = v
	}
	return got
}

// summary renders a parcel's due, done, settled, items and restock.
func summary(p cty.Value) string {
	s := fmt.Sprintf("%s due=%v done=%v settled=%v items=", p.GetAttr("ref").AsString(),
		p.GetAttr("due").True(), p.GetAttr("done").True(), p.GetAttr("settled").True())
	for _, i := range p.GetAttr("items").AsValueSlice() {
		s += fmt.Sprintf("%s/%s:%s,", i.GetAttr("item_type").AsString(), i.GetAttr("item_id").AsBigFloat().String(), i.GetAttr("quantity").AsBigFloat().String())
	}
	s += " restock="
	for _, r := range p.GetAttr("restock").AsValueSlice() {
		s += fmt.Sprintf("%s=%s:%s,", r.GetAttr("key").AsString(), r.GetAttr("sku").AsString(), r.GetAttr("quantity").AsBigFloat().String())
	}
	return s
}

func refund(ref string, declined bool, items ...int64) cty.Value {
	var its []cty.Value
	for i := 0; i < len(items); i += 2 {
		its = append(its, cty.ObjectVal(map[string]cty.Value{"item_type": cty.StringVal("PRODUCT"),
			"item_id": cty.NumberIntVal(items[i]), "quantity": cty.NumberIntVal(items[i+1])}))
	}
	return cty.ObjectVal(map[string]cty.Value{"id": cty.NumberIntVal(1), "reference": cty.StringVal(ref),
		"declined": cty.BoolVal(declined), "items": cty.TupleVal(its), "total_amount": cty.NumberIntVal(10)})
}

func TestReturnParcels(t *testing.T) {
	p := newParcelsEnv(t, true)
	ka, kb := "7:"+p.a, "7:"+p.b
	check := func(t *testing.T, got map[string]cty.Value, want map[string]string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("parcels %v, want %v", got, want)
		}
		for k, w := range want {
			if g, ok := got[k]; !ok || summary(g) != w {
				t.Errorf("parcel %s:\n got %v\nwant %s", k, g, w)
			}
		}
	}
	t.Run("tagged", func(t *testing.T) {
		// Every parcel is due, each for its own label's units; the line
		// without a SKU is refunded but not restocked.
		got := p.read(t, cty.NilVal, cty.NilVal)
		check(t, got, map[string]string{
			ka: p.a + " due=true done=false settled=false items=PRODUCT/101:1, restock=" + ka + ":MUG-BLK-12=MUG-BLK-12:1,",
			kb: p.b + " due=true done=false settled=false items=PRODUCT/101:1,PRODUCT/102:1, restock=" + kb + ":MUG-BLK-12=MUG-BLK-12:1,",
		})
		if note := got[ka].GetAttr("restock").Index(cty.NumberIntVal(0)).GetAttr("note").AsString(); note != "return of order 7, parcel "+p.a {
			t.Errorf("restock note %q", note)
		}
		if n := p.fake.Stats().ByRequest["GET /shipments"]; n != 1 {
			t.Errorf("%d shipment listings, want 1", n)
		}
	})
	t.Run("delivered", func(t *testing.T) {
		got := p.read(t, cty.NilVal, cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"trackingNumber": cty.StringVal(p.b), "labelId": cty.StringVal("se-9"), "delivered": cty.True})}))
		if got[ka].GetAttr("due").True() || !got[kb].GetAttr("due").True() {
			t.Errorf("only %s is due: %s / %s", p.b, summary(got[ka]), summary(got[kb]))
		}
	})
	t.Run("refunded", func(t *testing.T) {
		// a's refund was declined: a asks for that very refund again, and
		// is not settled. b's was made by hand (no reference, same lines in
		// another order): it is done. A refund of other lines stands for
		// neither.
		got := p.read(t, cty.TupleVal([]cty.Value{
			refund("", false, 102, 1),
			refund(p.a, true, 101, 1, 102, 1),
			refund("", false, 102, 1, 101, 1),
		}), cty.NilVal)
		check(t, got, map[string]string{
			ka: p.a + " due=true done=false settled=false items=PRODUCT/101:1,PRODUCT/102:1, restock=" + ka + ":MUG-BLK-12=MUG-BLK-12:1,",
			kb: p.b + " due=true done=true settled=true items=PRODUCT/101:1,PRODUCT/102:1, restock=" + kb + ":MUG-BLK-12=MUG-BLK-12:1,",
		})
	})
	t.Run("through", func(t *testing.T) {
		// A refund naming the parcel that went through wins over a declined
		// one before it.
		got := p.read(t, cty.TupleVal([]cty.Value{refund(p.a, true, 101, 1), refund(p.a, false, 101, 1)}), cty.NilVal)
		if a := got[ka]; !a.GetAttr("done").True() || !a.GetAttr("settled").True() {
			t.Errorf("a: %s", summary(a))
		}
	})
}

func TestReturnParcelsWholeOrder(t *testing.T) {
	// Without return labels, the order is one parcel of every shipped unit
	// not refunded yet; once nothing is left, it is settled.
	p := newParcelsEnv(t, false)
	got := p.read(t, cty.NilVal, cty.NilVal)
	want := "order 7 due=true done=false settled=false items=PRODUCT/101:2,PRODUCT/102:1, restock=7:MUG-BLK-12=MUG-BLK-12:2,"
	if g, ok := got["7"]; len(got) != 1 || !ok || summary(g) != want {
		t.Fatalf("parcels %v, want %s", got, want)
	}
	line := func(id int64, sku string, n, refunded int64) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"id": cty.NumberIntVal(id), "sku": cty.StringVal(sku), "quantity": cty.NumberIntVal(n),
			"quantity_shipped": cty.NumberIntVal(n), "quantity_refunded": cty.NumberIntVal(refunded)})
	}
	p.bcOrder = cty.ObjectVal(map[string]cty.Value{"id": cty.NumberIntVal(7),
		"lines": cty.TupleVal([]cty.Value{line(101, "MUG-BLK-12", 2, 2), line(102, "", 1, 1)})})
	got = p.read(t, cty.NilVal, cty.NilVal)
	want = "order 7 due=true done=false settled=true items= restock="
	if g := got["7"]; summary(g) != want {
		t.Errorf("refunded by hand in full: %s, want %s", summary(g), want)
	}
}
