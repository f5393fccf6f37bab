package bigcommerce

import (
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

func TestSetStockPlansNoopWhenTheLevelMatches(t *testing.T) {
	e := newEnv(t, envConfig{})
	simple, _ := seeded(t, e)
	before, _ := e.fake.Stock(simple.SKU, 1)
	args := map[string]cty.Value{"sku": cty.StringVal(simple.SKU), "location_id": cty.NumberIntVal(1), "quantity": cty.NumberIntVal(int64(before + 7))}
	ch, out := e.write("set_stock", args)
	if ch.Op != connectors.OpUpdate || num64(ch.Before.GetAttr("level")) != int64(before) || num64(ch.After.GetAttr("level")) != int64(before+7) {
		t.Fatalf("plan %s %#v -> %#v", ch.Op, ch.Before, ch.After)
	}
	if out.GetAttr("transaction_id").AsString() == "" {
		t.Error("no transaction id")
	}
	if got, _ := e.fake.Stock(simple.SKU, 1); got != before+7 {
		t.Fatalf("stock %d, want %d", got, before+7)
	}
	if ch := e.plan("set_stock", args); ch.Op != connectors.OpNoop {
		t.Fatalf("second plan = %s, want noop", ch.Op)
	}
}

func TestAdjustStockByADelta(t *testing.T) {
	e := newEnv(t, envConfig{})
	_, multi := seeded(t, e)
	sku := multi.Variants[0].SKU
	before, _ := e.fake.Stock(sku, 1)
	ch, out := e.write("adjust_stock", map[string]cty.Value{"sku": cty.StringVal(sku), "location_id": cty.NumberIntVal(1),
		"quantity": cty.NumberIntVal(-2), "reference": cty.StringVal("shipment 514")})
	if ch.Op != connectors.OpUpdate || num64(ch.After.GetAttr("level")) != int64(before-2) {
		t.Fatalf("plan %s after %#v", ch.Op, ch.After)
	}
	if num64(out.GetAttr("quantity")) != -2 {
		t.Errorf("output = %#v", out)
	}
	if got, _ := e.fake.Stock(sku, 1); got != before-2 {
		t.Fatalf("stock %d, want %d", got, before-2)
	}
	// The level moved, by this very adjustment: a replay must still look
	// like the same write to the ledger, so the plan has no fingerprint.
	if ch.Fingerprint != "" {
		t.Errorf("fingerprint %q", ch.Fingerprint)
	}
	again := e.plan("adjust_stock", map[string]cty.Value{"sku": cty.StringVal(sku), "location_id": cty.NumberIntVal(1),
		"quantity": cty.NumberIntVal(-2), "reference": cty.StringVal("shipment 514")})
	if again.Fingerprint != ch.Fingerprint {
		t.Errorf("replay fingerprint %q, first %q", again.Fingerprint, ch.Fingerprint)
	}
}
