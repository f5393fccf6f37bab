package bigcommerce

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// eventType is the shape of `trigger` for both triggers: ids, not records
// (payloads are thin; steps read what they need).
var eventType = obj(map[string]cty.Type{
	"scope": cty.String, "store_hash": cty.String, "hash": cty.String, "created_at": cty.String,
	"order_ids": cty.List(cty.Number), "product_ids": cty.List(cty.Number), "variant_ids": cty.List(cty.Number),
	"shipment_ids": cty.List(cty.Number), "previous_status_id": cty.Number, "new_status_id": cty.Number,
})

// eventIDs is what one event names.
type eventIDs struct {
	orders, products, variants, shipments []int64
	prevStatus, newStatus                 *int64
}

func (e *eventIDs) add(dst *[]int64, id flexInt) {
	if id != 0 {
		*dst = append(*dst, int64(id))
	}
}

func eventVal(scope, store, hash string, at time.Time, ids eventIDs) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"scope": str(scope), "store_hash": str(store), "hash": str(hash), "created_at": str(formatTime(at)),
		"order_ids": nums(ids.orders), "product_ids": nums(ids.products), "variant_ids": nums(ids.variants),
		"shipment_ids": nums(ids.shipments), "previous_status_id": optNum(ids.prevStatus), "new_status_id": optNum(ids.newStatus),
	})
}

// payload is the body BigCommerce POSTs to a hook's destination.
type payload struct {
	Scope     string          `json:"scope"`
	StoreID   flexString      `json:"store_id"`
	Data      json.RawMessage `json:"data"`
	Hash      string          `json:"hash"`
	CreatedAt int64           `json:"created_at"`
	Producer  string          `json:"producer"`
}

// refIDs are the product and variant ids of sku and inventory payloads.
type refIDs struct {
	ProductID flexInt `json:"product_id"`
	VariantID flexInt `json:"variant_id"`
}

// payloadData covers every documented data shape: {type, id} with extras
// for orders, camelCase orderId for shipments, order_id for channel and
// transaction events, resource_id for metafields, and product/variant ids.
type payloadData struct {
	ID         flexInt         `json:"id"`
	OrderID    flexInt         `json:"order_id"`
	OrderIDAlt flexInt         `json:"orderId"`
	ResourceID flexInt         `json:"resource_id"`
	ProductID  flexInt         `json:"product_id"`
	VariantID  flexInt         `json:"variant_id"`
	SKU        json.RawMessage `json:"sku"`
	Inventory  *refIDs         `json:"inventory"`
	Status     *struct {
		Previous *int64 `json:"previous_status_id"`
		New      *int64 `json:"new_status_id"`
	} `json:"status"`
}

// normalise reduces a payload's data to ids by scope.
func normalise(scope string, raw json.RawMessage) (eventIDs, error) {
	var d payloadData
	var ids eventIDs
	if err := json.Unmarshal(raw, &d); err != nil {
		return ids, err
	}
	var sku refIDs
	if len(d.SKU) > 0 && d.SKU[0] == '{' {
		if err := json.Unmarshal(d.SKU, &sku); err != nil {
			return ids, err
		}
	}
	if d.Inventory != nil {
		sku = *d.Inventory
	}
	switch {
	case strings.HasPrefix(scope, "store/order/metafield/"):
		ids.add(&ids.orders, d.ResourceID)
	case strings.HasPrefix(scope, "store/order/transaction/"):
		ids.add(&ids.orders, d.OrderID)
	case strings.HasPrefix(scope, "store/order/"):
		ids.add(&ids.orders, d.ID)
		if d.Status != nil {
			ids.prevStatus, ids.newStatus = d.Status.Previous, d.Status.New
		}
	case strings.HasPrefix(scope, "store/shipment/"):
		ids.add(&ids.orders, d.OrderIDAlt)
		ids.add(&ids.shipments, d.ID)
	case strings.HasPrefix(scope, "store/product/"):
		if d.Inventory != nil && sku.ProductID != 0 {
			ids.add(&ids.products, sku.ProductID)
		} else {
			ids.add(&ids.products, d.ID)
		}
	case strings.HasPrefix(scope, "store/sku/"):
		ids.add(&ids.products, sku.ProductID)
		ids.add(&ids.variants, sku.VariantID)
	case strings.HasPrefix(scope, "store/channel/"):
		ids.add(&ids.orders, d.OrderID)
		ids.add(&ids.products, d.ProductID)
		ids.add(&ids.variants, d.VariantID)
	}
	return ids, nil
}

// scopeMatches reports whether a subscribed scope covers a delivery's; a
// trailing /* covers the family below it.
func scopeMatches(pattern, scope string) bool {
	if pattern == scope {
		return true
	}
	prefix, ok := strings.CutSuffix(pattern, "/*")
	return ok && strings.HasPrefix(scope, prefix+"/")
}
