package lang

import (
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// BenchmarkCallWithALargeArgument calls merge, through the wrapper that
// hides sensitive arguments' errors, with an order-sized object (20 lines),
// as a pipeline mapping whole orders does for every order: the argument is
// walked for marks on every call.
func BenchmarkCallWithALargeArgument(b *testing.B) {
	merge := Functions(Options{})["merge"]
	lines := make([]cty.Value, 20)
	for i := range lines {
		lines[i] = cty.ObjectVal(map[string]cty.Value{
			"id": cty.NumberIntVal(int64(i)), "sku": cty.StringVal(fmt.Sprint("SKU-", i)), "name": cty.StringVal("A thing"),
			"options": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("Size"), "value": cty.StringVal("M")})}),
		})
	}
	order := cty.ObjectVal(map[string]cty.Value{"lines": cty.TupleVal(lines), "status": cty.StringVal("Awaiting Fulfillment"), "email": cty.StringVal("a@example.com")})
	extra := cty.ObjectVal(map[string]cty.Value{"method": cty.StringVal("ground")})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := merge.Call([]cty.Value{order, extra}); err != nil {
			b.Fatal(err)
		}
	}
}
