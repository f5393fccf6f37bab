package bigcommerce

import (
	"context"
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

func TestSpecIsValidAndDocumented(t *testing.T) {
	reg, err := connectors.NewRegistry(New)
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := reg.Spec("bigcommerce")
	for _, a := range spec.Actions {
		if a.Doc == "" {
			t.Errorf("action %s has no doc", a.Name)
		}
	}
	for _, name := range []string{"get_orders", "list_orders", "update_order", "create_shipment", "delete_shipment",
		"list_shipments", "upsert_order_metafield", "refund_quote", "create_refund", "get_products", "get_variants",
		"set_stock", "adjust_stock", "list_hooks", "ensure_hook", "get_store"} {
		if _, ok := spec.Action(name); !ok {
			t.Errorf("no action %s", name)
		}
	}
	for _, name := range []string{"access_token", "client_secret", "webhook_header_secret"} {
		if a, _ := spec.Config.Attr(name); !a.Sensitive {
			t.Errorf("%s is not sensitive", name)
		}
	}
	var _ connectors.WebhookReceiver = &conn{}
	var _ connectors.Poller = &conn{}
	var _ connectors.Subscriber = &conn{}
}

func TestOpenChecksTheConnection(t *testing.T) {
	for _, tc := range []struct {
		values map[string]cty.Value
		want   string
	}{
		{map[string]cty.Value{"store_hash": cty.StringVal("s")}, "store_hash and access_token are required"},
		{map[string]cty.Value{"store_hash": cty.StringVal("s"), "access_token": cty.StringVal("t"), "rate_share": cty.NumberFloatVal(1.5)}, "rate_share"},
		{map[string]cty.Value{"store_hash": cty.StringVal("s"), "access_token": cty.StringVal("t"), "timeout": cty.StringVal("soon")}, "timeout"},
	} {
		_, err := New().Open(context.Background(), configVal(tc.values))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%v) = %v, want %q", tc.values, err, tc.want)
		}
	}
	c, err := New().Open(context.Background(), configVal(map[string]cty.Value{"store_hash": cty.StringVal("s"), "access_token": cty.StringVal("t")}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.(*conn).api.base; got != DefaultAPIURL+"/stores/s" {
		t.Errorf("base = %q", got)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestIDRanges(t *testing.T) {
	got := idRanges([]int64{1, 2, 250, 251, 600, 1000, 1249, 1250})
	want := [][2]int64{{1, 250}, {251, 251}, {600, 600}, {1000, 1249}, {1250, 1250}}
	if len(got) != len(want) {
		t.Fatalf("idRanges = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("idRanges = %v, want %v", got, want)
		}
	}
}

func TestMoneyKeepsEveryDecimal(t *testing.T) {
	for in, want := range map[string]string{`"12.5000"`: "12.5000", `"8"`: "8.0000", `9.95`: "9.9500", `"0.123456"`: "0.123456", `""`: "0.0000"} {
		var a amount
		if err := a.UnmarshalJSON([]byte(in)); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := money(a).AsString(); got != want {
			t.Errorf("money(%s) = %q, want %q", in, got, want)
		}
	}
	for _, in := range []string{"Tue, 04 Mar 2025 18:02:11 +0000", "2025-03-04T18:02:11+00:00", "2025-03-04T18:02:11Z"} {
		if got, err := parseDate(in); err != nil || formatTime(got) != "2025-03-04T18:02:11Z" {
			t.Errorf("parseDate(%q) = %v, %v", in, got, err)
		}
	}
}
