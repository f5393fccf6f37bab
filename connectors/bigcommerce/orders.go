package bigcommerce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

// orderSummaryType is what update_order returns: the fields it writes.
var orderSummaryType = obj(map[string]cty.Type{
	"id": cty.Number, "status_id": cty.Number, "status": cty.String, "staff_notes": cty.String,
	"customer_message": cty.String, "date_modified": cty.String,
})

func orderActions() []action {
	return []action{
		{
			Spec: connectors.ActionSpec{
				Name: "get_orders", Kind: connectors.Read, Output: cty.List(orderType),
				Doc: "Orders by id, each with its lines, ship-to addresses and amounts (v2 money as 4-decimal strings). " +
					"Ids asked for by concurrent runs are merged into list calls of up to 250 orders. Ids that do not exist are left out. " +
					"consignments splits each order by ship-to address, one ShipStation order each: key is its orderKey " +
					"(bc:<store_hash>:<id>, then bc:<store_hash>:<id>:<address id>), number its order number (<id>, then <id>-2, ...), " +
					"lines the lines that go there (all of them with one address).",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "ids", Type: cty.List(cty.Number), Required: true, Doc: "Order ids."},
				}},
			},
			Read: readArgs(readOrders),
		},
		{
			Spec: connectors.ActionSpec{
				Name: "list_orders", Kind: connectors.Read, Output: cty.List(orderType),
				Doc: "Orders modified in a window, oldest change first, with lines and addresses.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "modified_from", Type: cty.String, Required: true, Doc: "RFC 3339 start of the window (inclusive)."},
					{Name: "modified_to", Type: cty.String, Doc: "RFC 3339 end of the window (inclusive); default now."},
					{Name: "status_id", Type: cty.Number, Doc: "Only orders with this status."},
					{Name: "max", Type: cty.Number, Doc: "At most this many orders (default 1000)."},
				}},
			},
			Read: readArgs(listOrders),
		},
		{
			Spec: connectors.ActionSpec{
				Name: "update_order", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: orderSummaryType, Identity: []string{"order_id"},
				Doc: "Set an order's status and/or staff notes. Plans nothing when the order already has them.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "order_id", Type: cty.Number, Required: true},
					{Name: "status_id", Type: cty.Number, Doc: "New status id (e.g. 9 Awaiting Shipment, 5 Cancelled)."},
					{Name: "staff_notes", Type: cty.String, Doc: "Staff notes, replaced whole."},
					{Name: "customer_message", Type: cty.String, Doc: "The customer's message, replaced whole."},
				}},
			},
			Plan: planArgs(planUpdateOrder), Apply: applyArgs(applyUpdateOrder),
		},
	}
}

func readOrders(c *conn, ctx context.Context, a *args) (cty.Value, error) {
	ids := a.ints("ids")
	if a.err != nil {
		return cty.NilVal, a.err
	}
	if len(ids) == 0 {
		return cty.ListValEmpty(orderType), nil
	}
	found, err := c.orders.get(ctx, ids)
	if err != nil {
		return cty.NilVal, err
	}
	var orders []fullOrder
	seen := map[int64]bool{}
	for _, id := range ids {
		if o, ok := found[id]; ok && !seen[id] {
			seen[id] = true
			orders = append(orders, o)
		}
	}
	return partialOrders(orders, c.storeHash)
}

func listOrders(c *conn, ctx context.Context, a *args) (cty.Value, error) {
	from, err := time.Parse(time.RFC3339, a.str("modified_from"))
	if err != nil && a.err == nil {
		a.fail("modified_from: %v", err)
	}
	q := orderIncludes(url.Values{"min_date_modified": {filterTime(from)}, "sort": {"date_modified:asc"}})
	if s := a.str("modified_to"); s != "" {
		to, err := time.Parse(time.RFC3339, s)
		if err != nil {
			a.fail("modified_to: %v", err)
		}
		q.Set("max_date_modified", filterTime(to))
	}
	if a.has("status_id") {
		q.Set("status_id", strconv.FormatInt(a.int("status_id"), 10))
	}
	limit := int64(1000)
	if a.has("max") {
		limit = a.int("max")
	}
	if a.err != nil {
		return cty.NilVal, a.err
	}
	orders, err := v2List[order](ctx, c.api, call{method: http.MethodGet, path: "/v2/orders", query: q, prio: budget.Orders}, int(limit))
	if err != nil {
		return cty.NilVal, err
	}
	var full []fullOrder
	for i, o := range orders {
		if int64(i) >= limit {
			break
		}
		fo, err := c.completeOrder(ctx, o)
		if err != nil {
			return cty.NilVal, err
		}
		full = append(full, fo)
	}
	return partialOrders(full, c.storeHash)
}

// orderUpdate reads update_order's arguments: the order and the fields to set.
func orderUpdate(a *args) (int64, map[string]cty.Value, map[string]any, error) {
	id := a.int("order_id")
	want := map[string]cty.Value{}
	body := map[string]any{}
	if a.has("status_id") {
		n := a.int("status_id")
		want["status_id"], body["status_id"] = num(n), n
	}
	for _, f := range []string{"staff_notes", "customer_message"} {
		if a.has(f) {
			s := a.str(f)
			want[f], body[f] = str(s), s
		}
	}
	if a.err == nil && len(want) == 0 {
		a.fail("update_order of order %d sets nothing: give status_id, staff_notes or customer_message", id)
	}
	return id, want, body, a.err
}

func orderSummaryVal(o order) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"id": num(o.ID), "status_id": num(o.StatusID), "status": str(o.Status), "staff_notes": str(o.StaffNotes),
		"customer_message": str(o.CustomerMessage), "date_modified": str(formatTime(o.DateModified.Time)),
	})
}

func (c *conn) getOrder(ctx context.Context, id int64) (order, error) {
	var o order
	_, err := c.api.do(ctx, call{method: http.MethodGet, path: fmt.Sprintf("/v2/orders/%d", id), prio: budget.Orders}, &o)
	if isNotFound(err) {
		return o, connectors.Permanent(fmt.Errorf("bigcommerce: order %d: %w", id, connectors.ErrNotFound))
	}
	return o, err
}

func planUpdateOrder(c *conn, ctx context.Context, a *args) (connectors.Change, error) {
	id, want, _, err := orderUpdate(a)
	if err != nil {
		return connectors.Change{}, err
	}
	o, err := c.getOrder(ctx, id)
	if err != nil {
		return connectors.Change{}, err
	}
	current := cty.ObjectVal(map[string]cty.Value{
		"status_id": num(o.StatusID), "staff_notes": str(o.StaffNotes), "customer_message": str(o.CustomerMessage),
	})
	after := cty.ObjectVal(want)
	ch := connectors.Change{Op: connectors.OpUpdate, Before: connectors.Project(current, after), After: after,
		Fingerprint: connectors.Fingerprint(current)}
	if connectors.Equivalent(ch.Before, after) {
		ch.Op, ch.Output = connectors.OpNoop, orderSummaryVal(o)
	}
	return ch, nil
}

func applyUpdateOrder(c *conn, ctx context.Context, a *args, _ connectors.Change) (cty.Value, error) {
	id, _, body, err := orderUpdate(a)
	if err != nil {
		return cty.NilVal, err
	}
	var o order
	// Setting fields to given values is safe to resend.
	_, err = c.api.do(ctx, call{method: http.MethodPut, path: fmt.Sprintf("/v2/orders/%d", id), body: body,
		prio: budget.Orders, replayable: true}, &o)
	if err != nil {
		return cty.NilVal, err
	}
	return orderSummaryVal(o), nil
}
