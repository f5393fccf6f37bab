package lang

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestOrderKey(t *testing.T) {
	runCases(t, Options{}, []evalCase{
		{src: `order_key("abc123", 100, null)`, want: str("bc:abc123:100")},
		{src: `order_key("abc123", 100, 7)`, want: str("bc:abc123:100:7")},
		{src: `order_key("abc123", "100", "7")`, want: str("bc:abc123:100:7")},
		{src: `order_key("abc123", var.unknown_str, null)`, want: cty.UnknownVal(cty.String)},
		{src: `order_key("", 100, null)`, wantErr: "store_hash"},
		{src: `order_key("a:b", 100, null)`, wantErr: "store_hash"},
		{src: `order_key("abc123", 0, null)`, wantErr: "order_id must be a positive whole number"},
		{src: `order_key("abc123", 1.5, null)`, wantErr: "order_id must be a positive whole number"},
		{src: `order_key("abc123", 100, -7)`, wantErr: "address_id must be a positive whole number"},
		{src: `order_key("abc123", 100)`, wantErr: "Not enough function arguments"},
	})
}

func TestParseOrderKey(t *testing.T) {
	ref := func(store string, id int64, addr cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"store_hash": str(store), "order_id": cty.NumberIntVal(id), "address_id": addr,
		})
	}
	none := cty.NullVal(orderKeyType)
	runCases(t, Options{}, []evalCase{
		{src: `parse_order_key("bc:abc123:100")`, want: ref("abc123", 100, cty.NullVal(cty.Number))},
		{src: `parse_order_key("bc:abc123:100:7")`, want: ref("abc123", 100, cty.NumberIntVal(7))},
		{src: `parse_order_key(order_key("s", 5, 6))`, want: ref("s", 5, cty.NumberIntVal(6))},
		{src: `parse_order_key("100")`, want: none},
		{src: `parse_order_key("bc:abc123:0100")`, want: none},
		{src: `parse_order_key("bc:abc123:100:7:1")`, want: none},
		{src: `parse_order_key(null)`, want: none},
		{src: `parse_order_key(var.unknown_str)`, want: cty.UnknownVal(orderKeyType)},
	})
}
