// Package orderkey is the one definition of the orderKey tote gives the
// ShipStation orders it creates from BigCommerce orders:
// bc:<store_hash>:<order_id> for an order's first shipping address and
// bc:<store_hash>:<order_id>:<address_id> for its further ones.
//
// It imports only the standard library, so that both the pipeline language
// (engine/lang) and the connectors can build and read keys the same way.
package orderkey

import (
	"strconv"
	"strings"
)

// Key is the BigCommerce order (and shipping address) an orderKey names.
type Key struct {
	StoreHash string `json:"store_hash"`
	OrderID   int64  `json:"order_id"`
	AddressID *int64 `json:"address_id"`
}

// String is the orderKey of k.
func (k Key) String() string {
	s := "bc:" + k.StoreHash + ":" + strconv.FormatInt(k.OrderID, 10)
	if k.AddressID != nil {
		s += ":" + strconv.FormatInt(*k.AddressID, 10)
	}
	return s
}

// Valid reports whether k can be written as a key Parse reads back: a store
// hash with no colon and positive ids.
func (k Key) Valid() bool {
	return k.StoreHash != "" && !strings.Contains(k.StoreHash, ":") && k.OrderID > 0 &&
		(k.AddressID == nil || *k.AddressID > 0)
}

// Parse reads an orderKey tote wrote; ok is false for any other key (a
// marketplace's, a native integration's, a generated one).
func Parse(key string) (Key, bool) {
	parts := strings.Split(key, ":")
	if len(parts) < 3 || len(parts) > 4 || parts[0] != "bc" || parts[1] == "" {
		return Key{}, false
	}
	id, ok := positive(parts[2])
	if !ok {
		return Key{}, false
	}
	k := Key{StoreHash: parts[1], OrderID: id}
	if len(parts) == 4 {
		addr, ok := positive(parts[3])
		if !ok {
			return Key{}, false
		}
		k.AddressID = &addr
	}
	return k, true
}

// positive reads a decimal id with no sign, spaces or leading zeros.
func positive(s string) (int64, bool) {
	if s == "" || s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// RouteKey is the route key (connectors.Spec.RouteKey) of a BigCommerce
// store: the BigCommerce connector gives it to a connection, the
// ShipStation connector to the records whose orderKey names the store.
func RouteKey(storeHash string) string { return "bigcommerce:" + storeHash }
