package shipstation

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/zclconf/go-cty/cty"
)

// getOrderRead is get_order: by orderId, by orderKey (with the orderNumber
// it starts with), or by exact orderNumber. No order is a null output.
func (c *conn) getOrderRead(ctx context.Context, args cty.Value) (cty.Value, error) {
	null := cty.NullVal(outType[Order]())
	var o *Order
	var err error
	switch key, number := str(args.GetAttr("orderKey")), str(args.GetAttr("orderNumber")); {
	case !args.GetAttr("orderId").IsNull():
		o, err = c.getOrder(ctx, intArg(args, "orderId"))
		if errors.Is(err, connectors.ErrNotFound) {
			return null, nil
		}
	case key != "":
		o, err = c.findOrder(ctx, key, number)
	case number != "":
		var orders []Order
		orders, err = listAll[Order](ctx, c.c, budget.Orders, "/orders", url.Values{"orderNumber": {number}}, "orders")
		for i := range orders {
			if deref(orders[i].OrderNumber) == number {
				o = &orders[i]
				break
			}
		}
	default:
		return cty.NilVal, connectors.Permanent(errors.New("shipstation: get_order needs orderId, orderKey or orderNumber"))
	}
	if err != nil || o == nil {
		return null, err
	}
	return toCty(*o, false), nil
}

// openStatuses are what list_orders asks /orders/listbytag for when no
// status is given (ShipStation wants one per call).
var openStatuses = []string{"awaiting_payment", "awaiting_shipment", "on_hold", "shipped"}

// listOrdersRead is list_orders: by status, tag, store and modify window.
func (c *conn) listOrdersRead(ctx context.Context, args cty.Value) (cty.Value, error) {
	q := url.Values{}
	if err := window(q, args, "modifiedAfter", "modifiedBefore", "modifyDate"); err != nil {
		return cty.NilVal, err
	}
	if name := str(args.GetAttr("store")); name != "" {
		id, err := c.stores.id(ctx, name)
		if err != nil {
			return cty.NilVal, err
		}
		q.Set("storeId", strconv.FormatInt(id, 10))
	}
	status := str(args.GetAttr("status"))
	tag := str(args.GetAttr("tag"))
	if tag == "" {
		if status != "" {
			q.Set("orderStatus", status)
		}
		q.Set("sortBy", "ModifyDate")
		orders, err := listAll[Order](ctx, c.c, budget.Orders, "/orders", q, "orders")
		if err != nil {
			return cty.NilVal, err
		}
		return listOf(orders), nil
	}
	orders, err := c.listByTag(ctx, tag, status)
	if err != nil {
		return cty.NilVal, err
	}
	return listOf(orders), nil
}

// listShipments lists labels with their items, voided ones only when asked.
func (c *conn) listShipments(ctx context.Context, q url.Values, withVoided bool) ([]Shipment, error) {
	q = cloneQuery(q)
	q.Set("includeShipmentItems", "true")
	all, err := listAll[Shipment](ctx, c.c, budget.Tracking, "/shipments", q, "shipments")
	if err != nil || withVoided {
		return all, err
	}
	live := all[:0]
	for _, s := range all {
		if !deref(s.Voided) {
			live = append(live, s)
		}
	}
	return live, nil
}

func (c *conn) listShipmentsRead(ctx context.Context, args cty.Value) (cty.Value, error) {
	q := url.Values{}
	if err := window(q, args, "from", "to", "createDate"); err != nil {
		return cty.NilVal, err
	}
	if !args.GetAttr("orderId").IsNull() {
		q.Set("orderId", strconv.FormatInt(intArg(args, "orderId"), 10))
	}
	v := args.GetAttr("includeVoided")
	shipments, err := c.listShipments(ctx, q, !v.IsNull() && v.True())
	if err != nil {
		return cty.NilVal, err
	}
	return listOf(shipments), nil
}

func (c *conn) listFulfillmentsRead(ctx context.Context, args cty.Value) (cty.Value, error) {
	q := url.Values{}
	if err := window(q, args, "from", "to", "createDate"); err != nil {
		return cty.NilVal, err
	}
	if !args.GetAttr("orderId").IsNull() {
		q.Set("orderId", strconv.FormatInt(intArg(args, "orderId"), 10))
	}
	all, err := listAll[Fulfillment](ctx, c.c, budget.Tracking, "/fulfillments", q, "fulfillments")
	if err == nil {
		err = c.keyFulfillments(ctx, all)
	}
	if err != nil {
		return cty.NilVal, err
	}
	return listOf(all), nil
}

// window sets <param>Start and <param>End from two RFC 3339 arguments,
// converted to Pacific wall time.
func window(q url.Values, args cty.Value, from, to, param string) error {
	for _, p := range []struct{ arg, suffix string }{{from, "Start"}, {to, "End"}} {
		s := str(args.GetAttr(p.arg))
		if s == "" {
			continue
		}
		t, err := parseTime(s)
		if err != nil {
			return connectors.Permanent(fmt.Errorf("shipstation: %s: %w", p.arg, err))
		}
		q.Set(param+p.suffix, wall(t))
	}
	return nil
}

// accountRead serves the unpaged account lists.
func (c *conn) accountRead(ctx context.Context, action string) (cty.Value, error) {
	switch action {
	case "list_stores":
		s, err := c.listStores(ctx)
		return listOf(s), err
	case "list_warehouses":
		w, err := c.listWarehouses(ctx)
		return listOf(w), err
	case "list_tags":
		// A run that tells tags apart by name asks for them all; runs
		// within namesRefresh of a read (or of a name resolved) share it.
		var t []Tag
		err := c.tags.within(ctx, namesRefresh, func() { t = slices.Clone(c.tagList) })
		return listOf(t), err
	}
	hooks, err := c.listWebhooks(ctx)
	views := make([]webhookView, len(hooks))
	for i, h := range hooks {
		views[i] = viewOf(h)
	}
	return listOf(views), err
}
