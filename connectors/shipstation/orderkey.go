package shipstation

import "github.com/toteworks/tote/connectors/orderkey"

// Orders tote creates carry the orderKey bc:<store_hash>:<order_id>, or
// bc:<store_hash>:<order_id>:<address_id> for a BigCommerce order's
// further shipping addresses. An account also holds orders of other
// channels (marketplaces, other carts, a native BigCommerce store) whose
// orderNumbers may equal BigCommerce order ids; only the key proves an
// order is tote's, so every record that leads to BigCommerce is read with
// the order its key names, as its "bigcommerce" attribute (null when the
// key is not one tote writes).

// BigCommerceOrder is the BigCommerce order (and shipping address) an
// orderKey written by tote names; orderkey owns the key's format.
type BigCommerceOrder = orderkey.Key

// ParseOrderKey reads an orderKey tote wrote; ok is false for any other
// key (a marketplace's, a native integration's, a generated one).
func ParseOrderKey(key string) (BigCommerceOrder, bool) { return orderkey.Parse(key) }

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
