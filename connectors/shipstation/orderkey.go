package shipstation

import (
	"strconv"
	"strings"
)

// Orders tote creates carry the orderKey bc:<store_hash>:<order_id>, or
// bc:<store_hash>:<order_id>:<address_id> for a BigCommerce order's
// further shipping addresses. An account also holds orders of other
// channels (marketplaces, other carts, a native BigCommerce store) whose
// orderNumbers may equal BigCommerce order ids; only the key proves an
// order is tote's, so every record that leads to BigCommerce is read with
// the order its key names, as its "bigcommerce" attribute (null when the
// key is not one tote writes).

// BigCommerceOrder is the BigCommerce order (and shipping address) an
// orderKey written by tote names.
type BigCommerceOrder struct {
	StoreHash string `json:"store_hash"`
	OrderID   int64  `json:"order_id"`
	AddressID *int64 `json:"address_id"`
}

// ParseOrderKey reads an orderKey tote wrote; ok is false for any other
// key (a marketplace's, a native integration's, a generated one).
func ParseOrderKey(key string) (BigCommerceOrder, bool) {
	parts := strings.Split(key, ":")
	if len(parts) < 3 || len(parts) > 4 || parts[0] != "bc" || parts[1] == "" {
		return BigCommerceOrder{}, false
	}
	id, ok := positive(parts[2])
	if !ok {
		return BigCommerceOrder{}, false
	}
	ref := BigCommerceOrder{StoreHash: parts[1], OrderID: id}
	if len(parts) == 4 {
		addr, ok := positive(parts[3])
		if !ok {
			return BigCommerceOrder{}, false
		}
		ref.AddressID = &addr
	}
	return ref, true
}

// positive reads a decimal id with no sign, spaces or leading zeros.
func positive(s string) (int64, bool) {
	if s == "" || s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// refOfKey is the bigcommerce attribute of a record with orderKey key.
func refOfKey(key *string) *BigCommerceOrder {
	if key == nil {
		return nil
	}
	ref, ok := ParseOrderKey(*key)
	if !ok {
		return nil
	}
	return &ref
}

// proven sets the bigcommerce attribute of the records that carry an
// orderKey, before they are shown to pipelines.
func proven(v any) any {
	switch r := v.(type) {
	case Order:
		r.BigCommerce = refOfKey(r.OrderKey)
		return r
	case Shipment:
		r.BigCommerce = refOfKey(r.OrderKey)
		return r
	case Fulfillment:
		r.BigCommerce = refOfKey(r.OrderKey)
		return r
	case ReturnLabel:
		r.BigCommerce = refOfKey(r.OrderKey)
		return r
	}
	return v
}
