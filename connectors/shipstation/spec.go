package shipstation

import (
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

func attr(name string, t cty.Type, required bool, doc string) schema.Attr {
	return schema.Attr{Name: name, Type: t, Required: required, Doc: doc}
}

// orderStatuses are ShipStation's order statuses (shipstation-api.md 7.2).
var orderStatuses = []string{"awaiting_payment", "awaiting_shipment", "pending_fulfillment", "shipped", "on_hold", "cancelled", "rejected_fulfillment"}

// webhookEvents are the events a webhook subscription takes (shipstation-api.md 9.1).
var webhookEvents = []string{"ORDER_NOTIFY", "ITEM_ORDER_NOTIFY", "SHIP_NOTIFY", "ITEM_SHIP_NOTIFY", "FULFILLMENT_SHIPPED", "FULFILLMENT_REJECTED"}

func spec() connectors.Spec {
	return connectors.Spec{
		Type: "shipstation",
		Doc: "ShipStation, API v1 (orders, shipments, products, webhooks) and v2 (inventory, return labels). Calls share a rate " +
			"budget per credential (v1: 40 a minute) with priorities orders > tracking > inventory > products. " +
			"Times are RFC 3339 in tote and US Pacific wall time at ShipStation; the connector converts both ways.",
		Config: schema.Object{Attrs: []schema.Attr{
			{Name: "api_key", Type: cty.String, Required: true, Sensitive: true, Doc: "v1 API key (Basic user)."},
			{Name: "api_secret", Type: cty.String, Required: true, Sensitive: true, Doc: "v1 API secret (Basic password)."},
			{Name: "v2_api_key", Type: cty.String, Sensitive: true, Doc: "v2 API key, for get_inventory and v2 return labels. Optional."},
			{Name: "api_url", Type: cty.String, Doc: "v1 base URL.", Default: `"` + defaultAPIURL + `"`},
			{Name: "v2_api_url", Type: cty.String, Doc: "v2 base URL.", Default: `"` + defaultV2APIURL + `"`},
			{Name: "webhook_token", Type: cty.String, Sensitive: true,
				Doc: "Secret that shipstation_webhook deliveries must carry as the query parameter token (subscriptions " +
					"put it there; a proxy may send it as the X-Tote-Token header instead). ShipStation signs nothing, so " +
					"webhook triggers need it."},
			{Name: "rate_quota", Type: cty.Number, Doc: "v1 requests per minute of the account (ShipStation's documented limit).", Default: "40"},
			{Name: "v2_rate_quota", Type: cty.Number, Doc: "v2 requests per minute (ShipStation's documented v2 limit).", Default: "200"},
			{Name: "unknown_sku_retry", Type: cty.String, Doc: "How long an update_product of a SKU ShipStation does not know yet waits before it is tried again.", Default: `"15m"`},
			{Name: "rate_share", Type: cty.Number, Doc: "Part of the credential's rate limit tote may use, in (0, 1]; " +
				"other apps using the same key keep the rest.", Default: "1", Example: "0.5"},
			{Name: "timeout", Type: cty.String, Doc: "Per-request timeout.", Default: `"30s"`},
			{Name: "return_window", Type: cty.String, Doc: "How long after it was made a v2 return label is watched by " +
				"delivered_returns and list_return_labels (30 days).", Default: `"720h"`},
		}},
		Actions: actionTable.Specs(),
		Triggers: []connectors.TriggerSpec{
			{
				Kind: "shipstation_webhook", Mode: connectors.Webhook, Event: eventType, Subjects: subjects, Route: route,
				Doc: "ShipStation notifications. The delivery must carry the connection's webhook_token (query " +
					"parameter token, or the X-Tote-Token header), checked before the body is read. Its resource_url " +
					"must be a ShipStation API host (ssapi*.shipstation.com or api_url's host), the path of its " +
					"event's list and only the query parameters ShipStation sends for it; the delivery is stored and " +
					"acknowledged at once, and the run fetches resource_url (with items, and with the run's retries) " +
					"into one event, so a slow or failing ShipStation API loses no notification. " +
					"SHIP_NOTIFY gives shipments, ORDER_NOTIFY orders, FULFILLMENT_* fulfillments. ShipStation sends " +
					"nothing for edits, holds, voids or mark-as-shipped: pair it with shipstation_poll.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "events", Type: cty.List(cty.String), Required: true, Doc: "Events to subscribe to.",
						Enum: webhookEvents, Example: `["SHIP_NOTIFY"]`},
					attr("storeId", cty.Number, false, "Only this store's events."),
				}},
			},
			{
				Kind: "shipstation_poll", Mode: connectors.Poll, Event: eventType, Subjects: subjects, Route: route,
				Doc: "Records changed since the last poll, one event per record: shipments (created or voided), " +
					"fulfillments (created), orders (modified), tagged_orders (currently carrying tag) or " +
					"delivered_returns (v2 return labels made within return_window whose tracking shows DE, delivered " +
					"since the last poll with 48h allowed for late carrier scans; each event has the label under " +
					"return_labels and the order it names under orders, as list_return_labels describes). " +
					"delivered_returns needs v2_api_key and yields nothing without it.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "resource", Type: cty.String, Required: true, Doc: "What to poll for.",
						Enum: []string{"shipments", "fulfillments", "orders", "tagged_orders", "delivered_returns"}, Example: `"shipments"`},
					attr("tag", cty.String, false, "Tag name, for tagged_orders."),
					{Name: "status", Type: cty.String, Doc: "For tagged_orders: only orders in this status (default: open and shipped orders).",
						Enum: orderStatuses, Example: `"on_hold"`},
					{Name: "lookback", Type: cty.String, Doc: "How far the first poll looks back.", Default: `"1h"`, Example: `"72h"`},
				}},
			},
		},
	}
}

// actionList is every action: its spec bound to its implementation.
func actionList() []action {
	ref := outType[orderRef]()
	orderID := attr("orderId", cty.Number, true, "ShipStation's order id (e.g. step.upsert[k].output.id).")
	window := func(what string) []schema.Attr {
		return []schema.Attr{
			attr("from", cty.String, false, "RFC 3339 time: "+what+" on or after it."),
			attr("to", cty.String, false, "RFC 3339 time: "+what+" on or before it."),
			attr("orderId", cty.Number, false, "Only this order's."),
		}
	}
	return []action{
		{
			Spec: connectors.ActionSpec{
				Name: "upsert_order", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: ref, Identity: []string{"orderKey"},
				Doc: "Create or update an order by orderKey. Upserts from concurrent runs are sent together in " +
					"createorders calls of up to 100; each order succeeds or fails alone. The plan reads the current " +
					"order (reads are coalesced too) and shows a field diff. Attributes left null keep ShipStation's " +
					"value (ShipStation replaces orders whole, so tote merges); tags are only ever added. Shipped and " +
					"cancelled orders cannot be changed in ShipStation: they plan as noop, and so does a cancelled order " +
					"ShipStation never had (it is not created), or any order it never had when create is false.",
				Args: schema.Object{Attrs: []schema.Attr{
					attr("orderKey", cty.String, true, "The order's upsert key, e.g. bc:<store_hash>:<order_id>. Never change it."),
					attr("order", inType[Order](), true, "The order in ShipStation's fields; times may be RFC 3339. "+
						"orderNumber is required (orders are found by it), and for a new order orderDate, orderStatus, billTo and shipTo.name."),
					attr("store", cty.String, false, "Store name, resolved to advancedOptions.storeId (only applies on creation)."),
					attr("warehouse", cty.String, false, "Ship-from warehouse name, resolved to advancedOptions.warehouseId."),
					attr("tags", cty.List(cty.String), false, "Tag names to add, resolved to tagIds."),
					attr("release_hold", cty.Bool, false, "An order on hold in ShipStation keeps its hold when the desired "+
						"status is awaiting_payment or awaiting_shipment, unless this is true (e.g. the hold came from a "+
						"BigCommerce verification status that was lifted), or the hold is tote's own (see hold_reason). "+
						"Holds are people's decisions."),
					attr("hold_reason", cty.String, false, "Why tote itself holds the order, when the desired status is "+
						"on_hold: written as a last line \"[tote] hold: <reason>\" of internalNotes, so staff see it. "+
						"A hold carrying that line is tote's own and follows the desired status once it is no longer on_hold. "+
						"An order a person already holds keeps their hold, without the line."),
					attr("create", cty.Bool, false, "Whether an order ShipStation does not have is created (default true). "+
						"When false only an existing order is updated, and one ShipStation never had plans as noop "+
						"(its output has no id and no status), e.g. to hold orders that moved to a status tote does not import."),
				}},
			},
			Plan: planOnly((*conn).planUpsert), Apply: (*conn).applyUpsert,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "hold_order", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: ref, Identity: []string{"orderId"},
				Doc: "Put an open order on hold until a date; ShipStation releases it on that day. Noop when already so held.",
				Args: schema.Object{Attrs: []schema.Attr{orderID,
					attr("holdUntilDate", cty.String, true, `Date "2006-01-02", or an RFC 3339 time whose Pacific date is taken.`)}},
			},
			Plan: planOrderActionOf("hold_order"), Apply: (*conn).applyOrderAction,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "restore_order", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: ref, Identity: []string{"orderId"},
				Doc:  "Release an order from hold (to awaiting_shipment). Noop when it is not on hold.",
				Args: schema.Object{Attrs: []schema.Attr{orderID}},
			},
			Plan: planOrderActionOf("restore_order"), Apply: (*conn).applyOrderAction,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "add_tag", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: ref, Identity: []string{"orderId", "tag"},
				Doc:  "Tag an order. Noop when it has the tag.",
				Args: schema.Object{Attrs: []schema.Attr{orderID, attr("tag", cty.String, true, "Tag name (tags are made in the ShipStation UI).")}},
			},
			Plan: planOrderActionOf("add_tag"), Apply: (*conn).applyOrderAction,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "remove_tag", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: ref, Identity: []string{"orderId", "tag"},
				Doc:  "Take a tag off an order. Noop when it does not have it.",
				Args: schema.Object{Attrs: []schema.Attr{orderID, attr("tag", cty.String, true, "Tag name.")}},
			},
			Plan: planOrderActionOf("remove_tag"), Apply: (*conn).applyOrderAction,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "get_order", Kind: connectors.Read, Output: outType[Order](),
				Doc: "One order, or null: by orderId, by orderKey (with orderNumber, which ShipStation searches by prefix), " +
					"or by exact orderNumber (the oldest such order).",
				Args: schema.Object{Attrs: []schema.Attr{
					attr("orderId", cty.Number, false, "ShipStation's order id."),
					attr("orderKey", cty.String, false, "The order's key; needs orderNumber."),
					attr("orderNumber", cty.String, false, "The order's number."),
				}},
			},
			Read: (*conn).getOrderRead,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "list_orders", Kind: connectors.Read, Output: cty.List(outType[Order]()),
				Doc: "Orders by status, tag, store and modification window, every page.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "status", Type: cty.String, Doc: "Only orders in this status.", Enum: orderStatuses, Example: `"awaiting_shipment"`},
					attr("tag", cty.String, false, "Tag name. Without status: open and shipped orders."),
					attr("store", cty.String, false, "Store name."),
					attr("modifiedAfter", cty.String, false, "RFC 3339 time."),
					attr("modifiedBefore", cty.String, false, "RFC 3339 time."),
				}},
			},
			Read: (*conn).listOrdersRead,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "list_shipments", Kind: connectors.Read, Output: cty.List(outType[Shipment]()),
				Doc: "Labels bought in ShipStation, with their items, created in a window. Orders marked as shipped " +
					"are under list_fulfillments instead.",
				Args: schema.Object{Attrs: append(window("created"),
					attr("includeVoided", cty.Bool, false, "Include voided labels (default false)."))},
			},
			Read: (*conn).listShipmentsRead,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "list_fulfillments", Kind: connectors.Read, Output: cty.List(outType[Fulfillment]()),
				Doc:  "Orders marked as shipped (and fulfillment-provider shipments) created in a window.",
				Args: schema.Object{Attrs: window("created")},
			},
			Read: (*conn).listFulfillmentsRead,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "get_product", Kind: connectors.Read, Output: outType[Product](),
				Doc:  "The product with exactly this SKU, or null.",
				Args: schema.Object{Attrs: []schema.Attr{attr("sku", cty.String, true, "")}},
			},
			Read: (*conn).getProductRead,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "update_product", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: outType[Product](), Identity: []string{"sku"},
				Doc: "Update the product with this SKU; null attributes keep ShipStation's value. Noop when equal. " +
					"ShipStation's API cannot create products: an unknown SKU is an error (not permanent) until an " +
					"order with it arrives.",
				Args: schema.Object{Attrs: []schema.Attr{
					attr("sku", cty.String, true, ""),
					attr("product", inType[Product](), true, "The product in ShipStation's fields (weightOz in ounces)."),
				}},
			},
			Plan: planOnly((*conn).planProduct), Apply: (*conn).applyProduct,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "get_inventory", Kind: connectors.Read, Output: cty.List(outType[InventoryLevel]()),
				Doc:  "v2 stock rows (per SKU and location) of the given SKUs. Needs v2_api_key.",
				Args: schema.Object{Attrs: []schema.Attr{attr("skus", cty.List(cty.String), true, "")}},
			},
			Read: (*conn).getInventoryRead,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "get_stock_levels", Kind: connectors.Read, Output: cty.Map(cty.Number),
				Doc: "The available stock of the given SKUs, summed over their v2 locations: a map of SKU to units. " +
					"A SKU ShipStation keeps no stock for is absent. Needs v2_api_key.",
				Args: schema.Object{Attrs: []schema.Attr{attr("skus", cty.List(cty.String), true, "")}},
			},
			Read: (*conn).getStockLevelsRead,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "list_return_labels", Kind: connectors.Read, Output: cty.List(outType[ReturnLabel]()),
				Doc: "The return labels of an order: its v1 return shipments (not voided) and, with v2_api_key, the v2 " +
					"return labels (not voided) that name it, one entry per tracking number. A v2 label names the order " +
					"whose orderNumber is its shipment's shipment_number, else its rma_number (rma_number matches only " +
					"labels made within return_window). delivered is whether v2 tracking shows DE (null for a v1 " +
					"shipment v2 does not know); items are lines of the order (lineItemKey, sku, name, quantity), v2 " +
					"items matched by external_order_item_id, else by SKU. Without v2_api_key, v1 only.",
				Args: schema.Object{Attrs: []schema.Attr{
					orderID,
					attr("orderNumber", cty.String, false, "The order's number (read from the order when null)."),
				}},
			},
			Read: (*conn).listReturnLabelsRead,
		},
		{
			Spec: connectors.ActionSpec{
				Name: "return_parcels", Kind: connectors.Read, Output: cty.List(outType[ReturnParcel]()),
				Doc: "The return parcels of an order, worked out against its store order and refunds so far. Each " +
					"return label (list_return_labels) is a parcel, its ref the tracking number (else \"label <labelId>\", " +
					"else \"shipment <shipmentId>\") and its key \"<order>:<ref>\"; an order without return labels is one " +
					"parcel, ref \"order <order>\", key \"<order>\" (order is the store order's id). A parcel holds its " +
					"label's units by line (lineItemKey is the store order line's id), at most what shipped (ShipStation's " +
					"outbound labels, or the line's quantity_shipped when more); a label listing no items, or no label, " +
					"holds every shipped unit. A parcel's earlier refund is the one whose reference is its ref (one that " +
					"went through first, else a declined one), else one with no reference of exactly what it holds (made " +
					"by hand). items are the refund lines (item_type PRODUCT, item_id, quantity, reason \"Returned\"): the " +
					"earlier refund's, else what it holds, each line at most quantity - quantity_refunded (for a whole " +
					"parcel, shipped - quantity_refunded), lines with nothing left out. due: delivered is empty or names " +
					"this label (by labelId or trackingNumber). done: its earlier refund went through. settled: done, or " +
					"no earlier refund and nothing to refund. restock is items by SKU (key \"<parcel key>:<sku>\", sku, quantity, " +
					"and note, the parcel's), lines without a SKU left out. note: \"return of order <order>, parcel <ref>\" " +
					"(\"return of order <order>\" without labels).",
				Args: schema.Object{Attrs: []schema.Attr{
					orderID,
					attr("orderNumber", cty.String, false, "The order's number (read from the order when null)."),
					attr("order", inType[ParcelOrder](), true, "The store order (a BigCommerce order: id and lines with "+
						"id, sku, quantity, quantity_shipped, quantity_refunded)."),
					attr("refunds", cty.List(inType[ParcelRefund]()), false, "The store order's refunds so far "+
						"(bigcommerce.list_refunds: reference, declined, items)."),
					attr("delivered", cty.List(inType[DeliveredLabel]()), false, "The delivered return labels this run "+
						"is for (labelId, trackingNumber; a delivered_returns trigger's return_labels). Empty or null: "+
						"every parcel is due."),
				}},
			},
			Read: (*conn).returnParcelsRead,
		},
		{Spec: connectors.ActionSpec{Name: "list_stores", Kind: connectors.Read, Output: cty.List(outType[Store]()), Doc: "The account's stores."}, Read: accountAction("list_stores")},
		{Spec: connectors.ActionSpec{Name: "list_warehouses", Kind: connectors.Read, Output: cty.List(outType[Warehouse]()), Doc: "The ship-from warehouses."}, Read: accountAction("list_warehouses")},
		{Spec: connectors.ActionSpec{Name: "list_tags", Kind: connectors.Read, Output: cty.List(outType[Tag]()), Doc: "The order tags."}, Read: accountAction("list_tags")},
		{
			Spec: connectors.ActionSpec{Name: "list_webhooks", Kind: connectors.Read, Output: cty.List(outType[webhookView]()),
				Doc: "The webhook subscriptions (URLs without their token)."},
			Read: accountAction("list_webhooks"),
		},
		{
			Spec: connectors.ActionSpec{
				Name: "ensure_webhook", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: outType[webhookView](), Identity: []string{"event", "url"},
				Doc: "Make sure a webhook subscription exists and is active (an inactive one is replaced). Webhook " +
					"triggers get theirs from tote plan/apply; this is for anything else.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "event", Type: cty.String, Required: true, Doc: "The event to subscribe to.", Enum: webhookEvents, Example: `"SHIP_NOTIFY"`},
					{Name: "url", Type: cty.String, Required: true, Sensitive: true, Doc: "Target URL (often carries a secret)."},
					attr("storeId", cty.Number, false, "Only this store's events."),
					attr("name", cty.String, false, "Friendly name."),
				}},
			},
			Plan: planOnly((*conn).planEnsureWebhook), Apply: (*conn).applyEnsureWebhook,
		},
	}
}
