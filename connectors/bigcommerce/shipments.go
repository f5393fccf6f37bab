package bigcommerce

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

var shipmentItemType = obj(map[string]cty.Type{"order_product_id": cty.Number, "product_id": cty.Number, "quantity": cty.Number})

var shipmentType = obj(map[string]cty.Type{
	"id": cty.Number, "order_id": cty.Number, "order_address_id": cty.Number, "tracking_number": cty.String,
	"shipping_method": cty.String, "shipping_provider": cty.String, "tracking_carrier": cty.String,
	"tracking_link": cty.String, "generated_tracking_link": cty.String, "comments": cty.String,
	"date_created": cty.String, "items": cty.List(shipmentItemType),
})

var deletedShipmentsType = obj(map[string]cty.Type{
	"order_id": cty.Number, "tracking_number": cty.String, "deleted_ids": cty.List(cty.Number),
})

var shipmentItemsArg = cty.List(obj(map[string]cty.Type{"order_product_id": cty.Number, "quantity": cty.Number}))

func shipmentActions() []action {
	orderArg := schema.Attr{Name: "order_id", Type: cty.Number, Required: true}
	return []action{
		{
			Spec: connectors.ActionSpec{
				Name: "create_shipment", Kind: connectors.Write, Guarantee: connectors.ReadBack, Output: shipmentType,
				Identity: []string{"order_id", "tracking_number"},
				Doc: "Ship items of an order with a tracking number (BigCommerce then moves the order to Shipped or " +
					"Partially Shipped and may email the customer). Plans nothing when the order already has a " +
					"shipment with the same tracking number and items.",
				Args: schema.Object{Attrs: []schema.Attr{
					orderArg,
					{Name: "tracking_number", Type: cty.String, Required: true, Doc: "At most 50 characters."},
					{Name: "items", Type: shipmentItemsArg, Required: true, Doc: "The order lines (order_product_id) and quantities shipped."},
					{Name: "order_address_id", Type: cty.Number, Doc: "The ship-to address; default the address of the items' lines."},
					{Name: "carrier_code", Type: cty.String, Doc: "A ShipStation carrier code (e.g. stamps_com, dhl_express): " +
						"sets shipping_provider, or tracking_carrier when BigCommerce has no provider for the carrier. " +
						`A code tote does not know sets neither and is kept in comments ("Carrier: <code>") when comments is not given.`},
					{Name: "shipping_provider", Type: cty.String, Doc: `e.g. "usps", "ups", "fedex", or "" with tracking_carrier. Either one given replaces carrier_code's mapping.`},
					{Name: "tracking_carrier", Type: cty.String, Doc: "An AfterShip courier slug, e.g. dhl."},
					{Name: "tracking_link", Type: cty.String, Doc: "A custom tracking URL."},
					{Name: "shipping_method", Type: cty.String, Doc: "Free text, e.g. USPS Ground Advantage."},
					{Name: "comments", Type: cty.String},
				}},
			},
			Plan: planArgs(planCreateShipment), Apply: applyArgs(applyCreateShipment),
		},
		{
			Spec: connectors.ActionSpec{
				Name: "delete_shipment", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: deletedShipmentsType,
				Identity: []string{"order_id", "tracking_number"},
				Doc:      "Remove the order's shipments with a tracking number (a voided label). The order keeps its status.",
				Args: schema.Object{Attrs: []schema.Attr{
					orderArg,
					{Name: "tracking_number", Type: cty.String, Required: true},
				}},
			},
			Plan: planArgs(planDeleteShipment), Apply: applyArgs(applyDeleteShipment),
		},
		{
			Spec: connectors.ActionSpec{
				Name: "list_shipments", Kind: connectors.Read, Output: cty.List(shipmentType),
				Doc:  "An order's shipments.",
				Args: schema.Object{Attrs: []schema.Attr{orderArg}},
			},
			Read: readArgs(readShipments),
		},
	}
}

func shipmentVal(s shipment) cty.Value {
	items := make([]cty.Value, 0, len(s.Items))
	for _, it := range s.Items {
		items = append(items, cty.ObjectVal(map[string]cty.Value{
			"order_product_id": num(it.OrderProductID), "product_id": num(it.ProductID), "quantity": num(it.Quantity),
		}))
	}
	return cty.ObjectVal(map[string]cty.Value{
		"id": num(s.ID), "order_id": num(s.OrderID), "order_address_id": num(int64(s.OrderAddressID)),
		"tracking_number": str(s.TrackingNumber), "shipping_method": str(s.ShippingMethod),
		"shipping_provider": str(s.ShippingProvider), "tracking_carrier": str(s.TrackingCarrier),
		"tracking_link": str(s.TrackingLink), "generated_tracking_link": str(s.GeneratedTrackingLink),
		"comments": str(s.Comments), "date_created": str(formatTime(s.DateCreated.Time)),
		"items": listOf(shipmentItemType, items),
	})
}

// shipments lists an order's shipments.
func (c *conn) shipments(ctx context.Context, orderID int64) ([]shipment, error) {
	out, err := v2List[shipment](ctx, c.api, call{method: http.MethodGet,
		path: fmt.Sprintf("/v2/orders/%d/shipments", orderID), prio: budget.Tracking}, 0)
	if isNotFound(err) {
		return nil, connectors.Permanent(fmt.Errorf("bigcommerce: order %d: %w", orderID, connectors.ErrNotFound))
	}
	return out, err
}

// shipmentsFingerprint digests the order's shipments under one tracking
// number: the record a shipment write targets. Other shipments of the
// order are other records, so a plan with two shipments for one order
// applies whole.
func shipmentsFingerprint(ss []shipment, tracking string) string {
	var vals []cty.Value
	for _, s := range ss {
		if s.TrackingNumber == tracking {
			vals = append(vals, shipmentVal(s))
		}
	}
	if len(vals) == 0 {
		return ""
	}
	return connectors.Fingerprint(listOf(shipmentType, vals))
}

func readShipments(c *conn, ctx context.Context, a *args) (cty.Value, error) {
	id := a.int("order_id")
	if a.err != nil {
		return cty.NilVal, a.err
	}
	ss, err := c.shipments(ctx, id)
	if err != nil {
		return cty.NilVal, err
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = shipmentVal(s)
	}
	return listOf(shipmentType, vals), nil
}

// shipmentRequest reads create_shipment's arguments.
func shipmentRequest(a *args) (int64, shipmentInput, error) {
	id := a.int("order_id")
	in := shipmentInput{
		OrderAddressID: a.int("order_address_id"), TrackingNumber: a.str("tracking_number"),
		ShippingProvider: a.str("shipping_provider"), TrackingCarrier: a.str("tracking_carrier"),
		TrackingLink: a.str("tracking_link"), ShippingMethod: a.str("shipping_method"), Comments: a.str("comments"),
	}
	// An explicit shipping_provider or tracking_carrier replaces the mapping.
	if code := strings.TrimSpace(a.str("carrier_code")); code != "" && !a.has("shipping_provider") && !a.has("tracking_carrier") {
		var known bool
		in.ShippingProvider, in.TrackingCarrier, known = shipmentCarrier(code)
		if !known && !a.has("comments") {
			in.Comments = "Carrier: " + code
		}
	}
	for i, e := range a.elems("items") {
		it := shipmentItem{
			OrderProductID: a.intOf(fmt.Sprintf("items[%d].order_product_id", i), e.GetAttr("order_product_id")),
			Quantity:       a.intOf(fmt.Sprintf("items[%d].quantity", i), e.GetAttr("quantity")),
		}
		in.Items = append(in.Items, it)
	}
	if a.err == nil && len(in.Items) == 0 {
		a.fail("create_shipment for order %d has no items", id)
	}
	return id, in, a.err
}

// sameItems reports whether two shipments carry the same units of the same lines.
func sameItems(a, b []shipmentItem) bool {
	count := func(items []shipmentItem) map[int64]int64 {
		m := map[int64]int64{}
		for _, it := range items {
			m[it.OrderProductID] += it.Quantity
		}
		return m
	}
	ca, cb := count(a), count(b)
	if len(ca) != len(cb) {
		return false
	}
	for k, v := range ca {
		if cb[k] != v {
			return false
		}
	}
	return true
}

func planCreateShipment(c *conn, ctx context.Context, a *args) (connectors.Change, error) {
	id, in, err := shipmentRequest(a)
	if err != nil {
		return connectors.Change{}, err
	}
	existing, err := c.shipments(ctx, id)
	if err != nil {
		return connectors.Change{}, err
	}
	ch := connectors.Change{Op: connectors.OpCreate, Before: cty.NullVal(a.v.Type()), After: a.v,
		Fingerprint: shipmentsFingerprint(existing, in.TrackingNumber)}
	for _, s := range existing {
		if s.TrackingNumber == in.TrackingNumber && sameItems(s.Items, in.Items) {
			ch.Op, ch.Before, ch.Output = connectors.OpNoop, a.v, shipmentVal(s)
			break
		}
	}
	return ch, nil
}

func applyCreateShipment(c *conn, ctx context.Context, a *args, _ connectors.Change) (cty.Value, error) {
	id, in, err := shipmentRequest(a)
	if err != nil {
		return cty.NilVal, err
	}
	if in.OrderAddressID == 0 {
		if in.OrderAddressID, err = c.addressOfItems(ctx, id, in.Items); err != nil {
			return cty.NilVal, err
		}
	}
	var s shipment
	// Not replayable: a shipment whose answer was lost is found by the next plan.
	if _, err := c.api.do(ctx, call{method: http.MethodPost, path: fmt.Sprintf("/v2/orders/%d/shipments", id),
		body: in, prio: budget.Tracking}, &s); err != nil {
		return cty.NilVal, err
	}
	return shipmentVal(s), nil
}

// addressOfItems finds the one ship-to address of the items' lines.
func (c *conn) addressOfItems(ctx context.Context, orderID int64, items []shipmentItem) (int64, error) {
	found, err := c.orders.get(ctx, []int64{orderID})
	if err != nil {
		return 0, err
	}
	o, ok := found[orderID]
	if !ok {
		return 0, connectors.Permanent(fmt.Errorf("bigcommerce: order %d: %w", orderID, connectors.ErrNotFound))
	}
	if o.odd != nil {
		return 0, o.odd
	}
	addrOf := map[int64]int64{}
	for _, l := range o.lines {
		addrOf[l.ID] = l.OrderAddressID
	}
	var addr int64
	for _, it := range items {
		la, ok := addrOf[it.OrderProductID]
		switch {
		case !ok:
			return 0, connectors.Permanent(fmt.Errorf("bigcommerce: order %d has no line %d", orderID, it.OrderProductID))
		case addr != 0 && la != addr:
			return 0, connectors.Permanent(fmt.Errorf("bigcommerce: the items of order %d ship to different addresses; give order_address_id", orderID))
		}
		addr = la
	}
	if addr == 0 {
		return 0, connectors.Permanent(fmt.Errorf("bigcommerce: the items of order %d have no ship-to address", orderID))
	}
	return addr, nil
}

// tracked returns the shipments with a tracking number.
func tracked(ss []shipment, number string) []shipment {
	var out []shipment
	for _, s := range ss {
		if s.TrackingNumber == number {
			out = append(out, s)
		}
	}
	return out
}

func deletedVal(orderID int64, number string, ids []int64) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"order_id": num(orderID), "tracking_number": str(number), "deleted_ids": nums(ids)})
}

func planDeleteShipment(c *conn, ctx context.Context, a *args) (connectors.Change, error) {
	id, number := a.int("order_id"), a.str("tracking_number")
	if a.err != nil {
		return connectors.Change{}, a.err
	}
	existing, err := c.shipments(ctx, id)
	if err != nil {
		return connectors.Change{}, err
	}
	matches := tracked(existing, number)
	if len(matches) == 0 {
		return connectors.Change{Op: connectors.OpNoop, Before: cty.NullVal(a.v.Type()), After: a.v,
			Output: deletedVal(id, number, nil), Fingerprint: shipmentsFingerprint(existing, number)}, nil
	}
	return connectors.Change{Op: connectors.OpDelete, Before: a.v, After: cty.NullVal(a.v.Type()),
		Fingerprint: shipmentsFingerprint(existing, number)}, nil
}

func applyDeleteShipment(c *conn, ctx context.Context, a *args, _ connectors.Change) (cty.Value, error) {
	id, number := a.int("order_id"), a.str("tracking_number")
	if a.err != nil {
		return cty.NilVal, a.err
	}
	existing, err := c.shipments(ctx, id)
	if err != nil {
		return cty.NilVal, err
	}
	var deleted []int64
	for _, s := range tracked(existing, number) {
		_, err := c.api.do(ctx, call{method: http.MethodDelete, path: fmt.Sprintf("/v2/orders/%d/shipments/%d", id, s.ID),
			prio: budget.Tracking, replayable: true}, nil)
		if err != nil && !isNotFound(err) {
			return cty.NilVal, err
		}
		deleted = append(deleted, s.ID)
	}
	return deletedVal(id, number, deleted), nil
}
