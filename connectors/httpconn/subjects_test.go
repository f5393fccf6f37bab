package httpconn

import (
	"slices"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// A generic event concerns the orders and SKUs in the fields that carry
// them, at any depth, and nothing in other fields.
func TestSubjectsAreTheOrderAndSKUFields(t *testing.T) {
	body := `{"key":"k","body":{"order_id":101,"total":"1101.00","shipments":[{"orderNumber":"7","items":[{"sku":"SKU-RED","name":"SKU-BLUE"}]}],
		"order_ids":[99,101],"skus":["A","B"],"note":{"sku_like":"C"}}}`
	ty, err := ctyjson.ImpliedType([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	v, err := ctyjson.Unmarshal([]byte(body), ty)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range subjects(v) {
		got = append(got, s.Kind+":"+s.Value)
	}
	slices.Sort(got)
	want := []string{"order:101", "order:7", "order:99", "sku:A", "sku:B", "sku:SKU-RED"}
	if !slices.Equal(got, want) {
		t.Errorf("subjects = %v, want %v", got, want)
	}
	webhook, _ := connector{}.Spec().Trigger("http_webhook")
	if s := connectors.SubjectsOf(webhook, cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("k"),
		"body": cty.ObjectVal(map[string]cty.Value{"sku": cty.StringVal("X")})})); len(s) != 1 || s[0].Value != "X" {
		t.Errorf("a webhook event's subjects = %v", s)
	}
}
