package pipelines

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestDefault(t *testing.T) {
	m, err := Default("order_status_map")
	if err != nil {
		t.Fatal(err)
	}
	if !m.Type().Equals(cty.Map(cty.String)) {
		t.Fatalf("order_status_map is %s, want map(string)", m.Type().FriendlyName())
	}
	if got := m.Index(cty.StringVal("11")).AsString(); got != "awaiting_shipment" {
		t.Errorf(`order_status_map["11"] = %q`, got)
	}
	if _, err := Default("no_such_variable"); err == nil || !strings.Contains(err.Error(), `no variable "no_such_variable"`) {
		t.Errorf("unknown variable: %v", err)
	}
}
