package shipstation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// Order statuses that matter to writes.
const (
	statusShipped   = "shipped"
	statusCancelled = "cancelled"
	statusOnHold    = "on_hold"
)

// locked reports whether ShipStation refuses changes to an order.
func locked(o *Order) bool {
	s := deref(o.OrderStatus)
	return s == statusShipped || s == statusCancelled
}

// isOpen reports whether an order may still be held, restored or edited.
func isOpen(o *Order) bool {
	switch deref(o.OrderStatus) {
	case "awaiting_payment", "awaiting_shipment", statusOnHold:
		return true
	}
	return false
}

// toteHoldMark starts the internalNotes line that says tote holds an order.
const toteHoldMark = "[tote] hold: "

// toteHold reports whether an order's hold is tote's own (hold_reason).
func toteHold(o *Order) bool {
	for _, line := range strings.Split(deref(o.InternalNotes), "\n") {
		if strings.HasPrefix(line, toteHoldMark) {
			return true
		}
	}
	return false
}

// upsert is a planned upsert_order.
type upsert struct {
	key         string
	desired     Order
	asked       string // fingerprint of desired as asked, before merging with current
	current     *Order // nil: the order does not exist yet
	releaseHold bool
	create      bool    // false: only an order ShipStation has is updated
	unheld      *string // internalNotes as asked, before the hold_reason line
	marked      bool    // hold_reason added its line to internalNotes
}

// desiredOrder decodes upsert_order's arguments, resolving store,
// warehouse and tag names to ids.
func (c *conn) desiredOrder(ctx context.Context, args cty.Value) (upsert, error) {
	u := upsert{key: str(args.GetAttr("orderKey")), create: true}
	if u.key == "" {
		return u, connectors.Permanent(errors.New("shipstation: upsert_order: orderKey is empty"))
	}
	if err := fromCty(args.GetAttr("order"), &u.desired); err != nil {
		return u, connectors.Permanent(fmt.Errorf("shipstation: upsert_order %s: order: %w", u.key, err))
	}
	o := &u.desired
	if o.OrderKey != nil && *o.OrderKey != u.key {
		return u, connectors.Permanent(fmt.Errorf("shipstation: upsert_order: order.orderKey %q differs from orderKey %q", *o.OrderKey, u.key))
	}
	o.OrderKey = &u.key
	if r := args.GetAttr("release_hold"); !r.IsNull() && r.True() {
		u.releaseHold = true
	}
	if c := args.GetAttr("create"); !c.IsNull() && c.False() {
		u.create = false
	}
	if reason := str(args.GetAttr("hold_reason")); reason != "" && deref(u.desired.OrderStatus) == statusOnHold {
		u.unheld, u.marked = u.desired.InternalNotes, true
		notes := strings.TrimRight(deref(u.desired.InternalNotes), "\n")
		if notes != "" {
			notes += "\n"
		}
		notes += toteHoldMark + reason
		u.desired.InternalNotes = &notes
	}
	adv := func() *AdvancedOptions {
		if o.AdvancedOptions == nil {
			o.AdvancedOptions = &AdvancedOptions{}
		}
		return o.AdvancedOptions
	}
	if name := str(args.GetAttr("store")); name != "" {
		id, err := c.stores.id(ctx, name)
		if err != nil {
			return u, err
		}
		adv().StoreID = &id
	}
	if name := str(args.GetAttr("warehouse")); name != "" {
		id, err := c.warehouses.id(ctx, name)
		if err != nil {
			return u, err
		}
		adv().WarehouseID = &id
	}
	if tags := args.GetAttr("tags"); !tags.IsNull() {
		for _, t := range tags.AsValueSlice() {
			id, err := c.tags.id(ctx, str(t))
			if err != nil {
				return u, err
			}
			if !slices.Contains(o.TagIDs, id) {
				o.TagIDs = append(o.TagIDs, id)
			}
		}
	}
	return u, nil
}

// A recentWrite is an order tote saved, as upsert_order was asked for it.
// Asking again for exactly that, soon after, is nothing to do: the
// reconcile sweep re-plans every order a flash sale brought, and each
// would otherwise cost a read. Only an unchanged request is answered this
// way, so nothing is ever sent from it; a change made in ShipStation since
// is seen once the entry expires (writtenTTL) or tote itself acts on the
// order.
type recentWrite struct {
	asked string // the request's fingerprint
	ref   orderRef
}

// freshForUpdate is how old a read may be to base an update on.
const freshForUpdate = 2 * time.Second

// writtenTTL is how long a saved order answers unchanged requests.
const writtenTTL = 10 * time.Minute

// planUpsert reads the current order and plans the upsert.
func (c *conn) planUpsert(ctx context.Context, args cty.Value) (connectors.Change, upsert, error) {
	u, err := c.desiredOrder(ctx, args)
	if err != nil {
		return connectors.Change{}, u, err
	}
	asked := toCty(u.desired, true)
	u.asked = connectors.Fingerprint(asked)
	fresh := connectors.FreshReads(ctx) // tote plan and apply read past the memory
	if w, ok := c.written.get(u.key); ok && !fresh && w.asked != "" && w.asked == u.asked {
		return connectors.Change{Op: connectors.OpNoop, Before: asked, After: asked, Output: toCty(w.ref, false)}, u, nil
	}
	u.current, err = c.findOrder(ctx, u.key, deref(u.desired.OrderNumber))
	if err != nil {
		return connectors.Change{}, u, err
	}
	if u.current == nil {
		if deref(u.desired.OrderStatus) == statusCancelled || !u.create {
			// Cancelled before ShipStation ever had it: nothing to ship, and
			// nothing for anyone to be told about. Likewise an order only to
			// be updated: its status (say, a failed payment) never had it
			// imported. The output has no id and, then, no status either.
			ref := orderRef{OrderKey: &u.key, OrderNumber: u.desired.OrderNumber}
			if deref(u.desired.OrderStatus) == statusCancelled {
				ref.OrderStatus = u.desired.OrderStatus
			}
			return connectors.Change{Op: connectors.OpNoop, Before: cty.NullVal(cty.DynamicPseudoType), After: cty.NullVal(cty.DynamicPseudoType),
				Output: toCty(ref, false)}, u, nil
		}
		if err := checkNew(&u.desired); err != nil {
			return connectors.Change{}, u, err
		}
		// createorders upserts by orderKey: an order read as absent just
		// now (deleted in ShipStation since tote made it) is safe to make again.
		// asked is the desired order as it is: nothing above changed it.
		return connectors.Change{Op: connectors.OpCreate, Before: cty.NullVal(cty.DynamicPseudoType), After: asked,
			Observed: fresh, Names: c.idNames(&u.desired)}, u, nil
	}
	// A hold is kept unless the caller says to release it, or it is tote's
	// own: a person, or an exception flow, put it there, and an edit of the
	// order elsewhere must not undo it. Nor does tote take such a hold over
	// when it would hold the order too: no hold_reason line is added, which
	// would make the hold tote's to lift.
	if deref(u.current.OrderStatus) == statusOnHold && !toteHold(u.current) {
		if want := deref(u.desired.OrderStatus); !u.releaseHold && (want == "awaiting_payment" || want == "awaiting_shipment") {
			u.desired.OrderStatus = u.current.OrderStatus
		}
		if u.marked {
			u.desired.InternalNotes = u.unheld
		}
	}
	// Upserts add tags and never remove them: tags also come from people
	// and from add_tag; remove_tag takes them off.
	if u.desired.TagIDs != nil {
		tags := slices.Clone(u.current.TagIDs)
		for _, id := range u.desired.TagIDs {
			if !slices.Contains(tags, id) {
				tags = append(tags, id)
			}
		}
		u.desired.TagIDs = tags
	}
	current := toCty(*u.current, false)
	after := toCty(u.desired, true)
	ch := connectors.Change{Op: connectors.OpUpdate, Before: project(current, after), After: after,
		Fingerprint: connectors.Fingerprint(current), Names: c.idNames(&u.desired, u.current)}
	same := connectors.Equivalent(ch.Before, after)
	if same || locked(u.current) {
		if !same {
			c.log.Warn("shipstation: order not updated", "orderKey", u.key,
				"status", deref(u.current.OrderStatus), "reason", "ShipStation keeps shipped and cancelled orders as they are")
		}
		ch.Op, ch.After = connectors.OpNoop, ch.Before
		ch.Output = toCty(refOf(u.current), false)
	}
	return ch, u, nil
}

// reread reads the order an upsert meant to write as ShipStation has it
// now: by id when it was found, else by key (nil when there is none).
func (c *conn) reread(ctx context.Context, u upsert) (*Order, error) {
	if u.current != nil && u.current.OrderID != nil {
		return c.getOrder(ctx, *u.current.OrderID)
	}
	return c.findOrder(connectors.WithFreshReads(ctx), u.key, deref(u.desired.OrderNumber))
}

// checkNew catches what ShipStation would refuse in a new order, so the
// plan says so instead of the apply.
func checkNew(o *Order) error {
	var missing []string
	for name, ok := range map[string]bool{
		"orderNumber": deref(o.OrderNumber) != "", "orderDate": o.OrderDate != nil,
		"orderStatus": deref(o.OrderStatus) != "", "billTo": o.BillTo != nil,
		"shipTo.name": o.ShipTo != nil && deref(o.ShipTo.Name) != "",
	} {
		if !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return connectors.Permanent(fmt.Errorf("shipstation: new order %s needs %s", deref(o.OrderKey), strings.Join(missing, ", ")))
}

// applyUpsert sends the order, merged over the current one, through the
// createorders batcher.
func (c *conn) applyUpsert(ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
	// An update replaces the order whole, so it starts from a fresh read:
	// a hold put on in ShipStation a moment ago must not be sent away.
	if key := str(w.Args.GetAttr("orderKey")); c.cache.olderThan(key, freshForUpdate) {
		c.cache.forget(key)
	}
	ch, u, err := c.planUpsert(ctx, w.Args)
	if err != nil {
		return cty.NilVal, err
	}
	if ch.Op == connectors.OpNoop {
		return ch.Output, nil
	}
	var body json.RawMessage
	if u.current == nil {
		body, err = json.Marshal(u.desired)
	} else {
		body, err = overlay(u.current, u.desired)
	}
	if err != nil {
		return cty.NilVal, connectors.Permanent(fmt.Errorf("shipstation: encoding order %s: %w", u.key, err))
	}
	c.written.forget(u.key)
	c.index.writing(u.key, deref(u.desired.OrderNumber), u.current == nil)
	res, err := c.upsertOrder(ctx, u.key, body)
	for _, it := range u.desired.Items {
		if sku := deref(it.SKU); sku != "" {
			c.catalog.sentInOrder(sku)
		}
	}
	if err != nil {
		// The plan may have read the order before it shipped or was
		// cancelled, or before another tote process created it: ShipStation
		// then refuses any change, which leaves nothing to do, as the plan
		// would say now. The order is read again, past every cache; if that
		// read fails, the write is tried again later rather than given up.
		if connectors.IsPermanent(err) {
			c.cache.forget(u.key)
			now, ferr := c.reread(ctx, u)
			switch {
			case ferr != nil:
				return cty.NilVal, fmt.Errorf("%s (and reading the order again to see why failed: %w)", err, ferr)
			case now != nil && locked(now):
				c.log.Warn("shipstation: order not updated", "orderKey", u.key,
					"status", deref(now.OrderStatus), "reason", "it shipped or was cancelled in the meantime")
				return toCty(refOf(now), false), nil
			}
		}
		return cty.NilVal, err
	}
	// The reference is kept for writtenTTL: it holds copies, never a
	// pointer into u, which would keep both whole orders with it.
	key := u.key
	ref := orderRef{ID: res.OrderID, OrderKey: &key, OrderNumber: u.desired.OrderNumber, OrderStatus: u.desired.OrderStatus}
	if ref.OrderStatus == nil && u.current != nil {
		ref.OrderStatus = u.current.OrderStatus
	}
	c.written.put(u.key, recentWrite{asked: u.asked, ref: ref})
	return toCty(ref, false), nil
}

func refOf(o *Order) orderRef {
	return orderRef{ID: o.OrderID, OrderKey: o.OrderKey, OrderNumber: o.OrderNumber, OrderStatus: o.OrderStatus}
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
