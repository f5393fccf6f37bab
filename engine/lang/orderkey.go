package lang

import (
	"fmt"
	"math/big"

	"github.com/toteworks/tote/connectors/orderkey"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// orderKeyType is what parse_order_key returns: the shape of the
// "bigcommerce" attribute the ShipStation connector gives its records.
var orderKeyType = cty.Object(map[string]cty.Type{
	"store_hash": cty.String, "order_id": cty.Number, "address_id": cty.Number,
})

// orderKeyFunc is order_key(store_hash, order_id, address_id): the orderKey
// of a BigCommerce order's ShipStation order; a null address_id names the
// order's first shipping address.
var orderKeyFunc = function.New(&function.Spec{
	Description: "The ShipStation orderKey of a BigCommerce order (and shipping address).",
	Params: []function.Parameter{
		{Name: "store_hash", Type: cty.String},
		{Name: "order_id", Type: cty.Number},
		{Name: "address_id", Type: cty.Number, AllowNull: true},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		k := orderkey.Key{StoreHash: args[0].AsString()}
		id, err := wholeID(args[1], "order_id")
		if err != nil {
			return cty.NilVal, err
		}
		k.OrderID = id
		if !args[2].IsNull() {
			addr, err := wholeID(args[2], "address_id")
			if err != nil {
				return cty.NilVal, err
			}
			k.AddressID = &addr
		}
		if !k.Valid() {
			return cty.NilVal, function.NewArgErrorf(0, "store_hash must be non-empty and hold no colon")
		}
		return cty.StringVal(k.String()), nil
	},
})

// wholeID reads a positive whole-number id.
func wholeID(v cty.Value, name string) (int64, error) {
	bf := v.AsBigFloat()
	n, acc := bf.Int64()
	if acc != big.Exact || n <= 0 {
		return 0, fmt.Errorf("%s must be a positive whole number, got %s", name, bf.Text('f', -1))
	}
	return n, nil
}

// parseOrderKeyFunc is parse_order_key(key): the store_hash, order_id and
// address_id (null for a first address) an orderKey tote wrote names, or
// null for any other key.
var parseOrderKeyFunc = function.New(&function.Spec{
	Description: "The BigCommerce order an orderKey tote wrote names, or null for another key.",
	Params: []function.Parameter{
		{Name: "key", Type: cty.String, AllowNull: true},
	},
	Type: function.StaticReturnType(orderKeyType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].IsNull() {
			return cty.NullVal(orderKeyType), nil
		}
		k, ok := orderkey.Parse(args[0].AsString())
		if !ok {
			return cty.NullVal(orderKeyType), nil
		}
		addr := cty.NullVal(cty.Number)
		if k.AddressID != nil {
			addr = cty.NumberIntVal(*k.AddressID)
		}
		return cty.ObjectVal(map[string]cty.Value{
			"store_hash": cty.StringVal(k.StoreHash),
			"order_id":   cty.NumberIntVal(k.OrderID),
			"address_id": addr,
		}), nil
	},
})
