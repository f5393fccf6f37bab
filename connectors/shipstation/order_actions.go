package shipstation

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/zclconf/go-cty/cty"
)

// The small order writes: hold_order, restore_order, add_tag, remove_tag.
// Each reads the order by id to plan, and each plan carries the order's key
// and number so that the output needs no second read.

func (c *conn) getOrder(ctx context.Context, id int64) (*Order, error) {
	var o Order
	err := c.c.do(ctx, call{api: v1, method: http.MethodGet, path: "/orders/" + strconv.FormatInt(id, 10), prio: budget.Orders}, &o)
	if err != nil {
		return nil, err
	}
	c.c.keys.note([]Order{o})
	return &o, nil
}

// orderAction is a planned small order write.
type orderAction struct {
	id    int64
	key   string // the order's orderKey, as the caches know it
	day   Day    // hold_order
	tagID int64  // add_tag, remove_tag
}

func (c *conn) planOrderAction(ctx context.Context, action string, args cty.Value) (connectors.Change, orderAction, error) {
	a := orderAction{id: intArg(args, "orderId")}
	o, err := c.getOrder(ctx, a.id)
	if err != nil {
		return connectors.Change{}, a, err
	}
	a.key = deref(o.OrderKey)
	status := deref(o.OrderStatus)
	before := map[string]cty.Value{"orderStatus": cty.StringVal(status)}
	after := map[string]cty.Value{"orderStatus": cty.StringVal(status)}
	noop := false
	switch action {
	case "hold_order":
		if a.day, err = parseDay(str(args.GetAttr("holdUntilDate"))); err != nil {
			return connectors.Change{}, a, connectors.Permanent(fmt.Errorf("shipstation: hold_order: holdUntilDate: %w", err))
		}
		held := cty.NullVal(cty.String)
		if o.HoldUntilDate != nil {
			held = cty.StringVal(o.HoldUntilDate.String())
		}
		before["holdUntilDate"], after["holdUntilDate"] = held, cty.StringVal(a.day.String())
		after["orderStatus"] = cty.StringVal(statusOnHold)
		noop = status == statusOnHold && o.HoldUntilDate != nil && *o.HoldUntilDate == a.day
		if !noop && !isOpen(o) {
			return connectors.Change{}, a, connectors.Permanent(fmt.Errorf("shipstation: order %d is %s; only open orders can be held", a.id, status))
		}
	case "restore_order":
		noop = status != statusOnHold
		if !noop {
			after["orderStatus"] = cty.StringVal("awaiting_shipment")
		}
	case "add_tag", "remove_tag":
		name := str(args.GetAttr("tag"))
		if a.tagID, err = c.tags.id(ctx, name); err != nil {
			return connectors.Change{}, a, err
		}
		has, want := slices.Contains(o.TagIDs, a.tagID), action == "add_tag"
		before["tag_"+name], after["tag_"+name] = cty.BoolVal(has), cty.BoolVal(want)
		noop = has == want
	}
	current := toCty(*o, false)
	ch := connectors.Change{Op: connectors.OpUpdate, Before: cty.ObjectVal(before), After: cty.ObjectVal(after),
		Fingerprint: connectors.Fingerprint(current)}
	ref := refOf(o)
	ref.OrderStatus = strPtr(after["orderStatus"].AsString())
	ch.Output = toCty(ref, false)
	if noop {
		ch.Op = connectors.OpNoop
		ch.After = ch.Before
	}
	return ch, a, nil
}

func (c *conn) applyOrderAction(ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
	ch, a, err := c.planOrderAction(ctx, w.Action, w.Args)
	if err != nil || ch.Op == connectors.OpNoop {
		return ch.Output, err
	}
	var path string
	var body any
	switch w.Action {
	case "hold_order":
		path, body = "/orders/holduntil", map[string]any{"orderId": a.id, "holdUntilDate": a.day}
	case "restore_order":
		path, body = "/orders/restorefromhold", map[string]any{"orderId": a.id}
	case "add_tag":
		path, body = "/orders/addtag", map[string]any{"orderId": a.id, "tagId": a.tagID}
	case "remove_tag":
		path, body = "/orders/removetag", map[string]any{"orderId": a.id, "tagId": a.tagID}
	}
	var ans actionAnswer
	err = c.c.do(ctx, call{api: v1, method: http.MethodPost, path: path, body: body, prio: budget.Orders}, &ans)
	c.cache.forget(a.key)
	c.written.forget(a.key)
	if a.tagID != 0 {
		c.forgetTag(a.tagID)
	}
	if err != nil {
		return cty.NilVal, err
	}
	if !ans.Success {
		return cty.NilVal, connectors.Permanent(fmt.Errorf("shipstation: %s order %d: %s", w.Action, a.id, ans.Message))
	}
	if w.Action == "remove_tag" {
		c.seen.untagged(a.tagID, a.id)
	}
	return ch.Output, nil
}

// intArg reads a whole-number argument (0 when null).
func intArg(args cty.Value, name string) int64 {
	v := args.GetAttr(name)
	if v.IsNull() {
		return 0
	}
	n, _ := v.AsBigFloat().Int64()
	return n
}

func strPtr(s string) *string { return &s }
