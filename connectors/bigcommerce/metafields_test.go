package bigcommerce

import (
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

func TestUpsertOrderMetafield(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder()
	args := map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)), "key": cty.StringVal("carrier"), "value": cty.StringVal("usps")}
	ch, out := e.write("upsert_order_metafield", args)
	if ch.Op != connectors.OpCreate || out.GetAttr("namespace").AsString() != "tote" {
		t.Fatalf("plan %s output %#v", ch.Op, out)
	}
	ms := e.fake.Metafields(o.ID)
	if len(ms) != 1 || ms[0].Namespace != "tote" || ms[0].Value != "usps" || ms[0].PermissionSet != "app_only" {
		t.Fatalf("metafields = %+v", ms)
	}
	if ch := e.plan("upsert_order_metafield", args); ch.Op != connectors.OpNoop || num64(ch.Output.GetAttr("id")) != int64(ms[0].ID) {
		t.Fatalf("second plan = %s", ch.Op)
	}
	args["value"] = cty.StringVal("ups")
	ch, _ = e.write("upsert_order_metafield", args)
	if ch.Op != connectors.OpUpdate || ch.Before.GetAttr("value").AsString() != "usps" {
		t.Fatalf("plan %s before %#v", ch.Op, ch.Before)
	}
	if ms := e.fake.Metafields(o.ID); len(ms) != 1 || ms[0].Value != "ups" {
		t.Fatalf("metafields after update = %+v", ms)
	}
}
