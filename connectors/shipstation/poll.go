package shipstation

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/zclconf/go-cty/cty"
)

// Polls read a window of ShipStation's lists, overlapping the previous one
// a little (late writes, clock skew); events have stable keys, so records
// seen twice dedupe. Cursors are RFC 3339 instants in UTC.
const (
	pollOverlap     = 5 * time.Minute
	defaultLookback = time.Hour
)

func (c *conn) Poll(ctx context.Context, _ string, args cty.Value, w connectors.Window) ([]connectors.Event, string, error) {
	from, to, err := c.pollRange(args, w)
	if err != nil {
		return nil, w.Cursor, err
	}
	var events []connectors.Event
	if str(args.GetAttr("resource")) == "delivered_returns" {
		events, err = c.pollDeliveredReturns(ctx, from)
	} else {
		events, err = c.pollWindow(ctx, args, from, to)
	}
	if err != nil {
		return nil, w.Cursor, err
	}
	return events, nextCursor(w, to), nil
}

// PollPages is Poll a page of ShipStation's list at a time for orders,
// shipments and fulfillments, whose windows can hold a whole backlog; the
// other resources come as one page.
func (c *conn) PollPages(ctx context.Context, trigger string, args cty.Value, w connectors.Window, page func([]connectors.Event) error) (string, error) {
	from, to, err := c.pollRange(args, w)
	if err != nil {
		return w.Cursor, err
	}
	paged, err := c.pollPaged(ctx, str(args.GetAttr("resource")), from, to, page)
	if !paged {
		events, cursor, err := c.Poll(ctx, trigger, args, w)
		if err != nil {
			return cursor, err
		}
		return cursor, page(events)
	}
	if err != nil {
		return w.Cursor, err
	}
	return nextCursor(w, to), nil
}

// pollPaged reads the window of orders, shipments or fulfillments a page of
// ShipStation's list at a time, handing each page's events to page; paged
// is false (and nothing is read) for the other resources.
func (c *conn) pollPaged(ctx context.Context, resource string, from, to time.Time, page func([]connectors.Event) error) (paged bool, err error) {
	switch resource {
	case "orders":
		q := span("modifyDate", from, to)
		q.Set("sortBy", "ModifyDate")
		return true, listEach(ctx, c.c, budget.Orders, "/orders", q, "orders", func(orders []Order) error {
			events := make([]connectors.Event, 0, len(orders))
			for _, o := range orders {
				events = append(events, orderEvent(resource, "order:", o, ""))
			}
			return page(events)
		})
	case "shipments":
		seen := map[string]bool{} // a voided shipment is in both listings
		for _, param := range []string{"createDate", "voidDate"} {
			q := span(param, from, to)
			q.Set("includeShipmentItems", "true")
			err := listEach(ctx, c.c, budget.Tracking, "/shipments", q, "shipments", func(ships []Shipment) error {
				var events []connectors.Event
				for _, s := range ships {
					if ev, ok := shipmentEvent(resource, s, seen); ok {
						events = append(events, ev)
					}
				}
				return page(events)
			})
			if err != nil {
				return true, err
			}
		}
		return true, nil
	case "fulfillments":
		return true, listEach(ctx, c.c, budget.Tracking, "/fulfillments", span("createDate", from, to), "fulfillments", func(fs []Fulfillment) error {
			if err := c.keyFulfillments(ctx, fs); err != nil {
				return err
			}
			events := make([]connectors.Event, 0, len(fs))
			for _, f := range fs {
				events = append(events, fulfillmentEvent(resource, f))
			}
			return page(events)
		})
	}
	return false, nil
}

// pollRange is the window a poll reads: [From, To] when asked for, else
// from the cursor less an overlap (or the lookback on a first poll) to now.
func (c *conn) pollRange(args cty.Value, w connectors.Window) (from, to time.Time, err error) {
	to = w.To
	if to.IsZero() {
		to = c.c.clk.now()
	}
	from = w.From
	if from.IsZero() {
		lookback := defaultLookback
		if s := str(args.GetAttr("lookback")); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return from, to, connectors.Permanent(fmt.Errorf("shipstation: lookback %q is not a positive duration", s))
			}
			lookback = d
		}
		from = to.Add(-lookback)
		if w.Cursor != "" {
			t, err := time.Parse(time.RFC3339Nano, w.Cursor)
			if err != nil {
				return from, to, connectors.Permanent(fmt.Errorf("shipstation: cursor %q: %w", w.Cursor, err))
			}
			from = t.Add(-pollOverlap)
		}
	}
	return from, to, nil
}

// nextCursor is where the next poll resumes after one that read up to to.
func nextCursor(w connectors.Window, to time.Time) string {
	next := to.UTC().Format(time.RFC3339Nano)
	if prev, err := time.Parse(time.RFC3339Nano, w.Cursor); err == nil && prev.After(to) {
		next = w.Cursor // an explicit older window does not move the cursor back
	}
	return next
}

func (c *conn) pollWindow(ctx context.Context, args cty.Value, from, to time.Time) ([]connectors.Event, error) {
	resource := str(args.GetAttr("resource"))
	var events []connectors.Event
	paged, err := c.pollPaged(ctx, resource, from, to, func(page []connectors.Event) error {
		events = append(events, page...)
		return nil
	})
	if paged {
		if err != nil {
			return nil, err
		}
		return events, nil
	}
	if resource != "tagged_orders" {
		return nil, connectors.Permanent(fmt.Errorf("shipstation: resource %q is not shipments, fulfillments, orders, tagged_orders or delivered_returns", resource))
	}
	tag := str(args.GetAttr("tag"))
	if tag == "" {
		return nil, connectors.Permanent(errors.New(`shipstation: resource "tagged_orders" needs tag`))
	}
	orders, gens, err := c.pollTagged(ctx, tag, str(args.GetAttr("status")))
	if err != nil {
		return nil, err
	}
	for i, o := range orders {
		events = append(events, orderEvent(resource, "tagged:"+tag+":", o, gens[i]))
	}
	return events, nil
}

// orderEvent is a polled order's event, keyed by the order and its
// modification (and gen, when it was tagged again since tote last saw the
// tag), so the same order polled twice is one event.
func orderEvent(resource, prefix string, o Order, gen string) connectors.Event {
	key := prefix + strconv.FormatInt(deref(o.OrderID), 10)
	if o.ModifyDate != nil {
		key += ":" + o.ModifyDate.view()
	}
	if gen != "" {
		key += ":" + gen
	}
	return connectors.Event{Key: key, Data: eventOf(resource, "", []Order{o}, nil, nil, nil)}
}

// shipmentEvent is a polled shipment's event; false when seen holds its
// key already.
func shipmentEvent(resource string, s Shipment, seen map[string]bool) (connectors.Event, bool) {
	key := "shipment:" + strconv.FormatInt(deref(s.ShipmentID), 10)
	if deref(s.Voided) {
		key += ":voided"
	}
	if seen[key] {
		return connectors.Event{}, false
	}
	seen[key] = true
	return connectors.Event{Key: key, Data: eventOf(resource, "", nil, []Shipment{s}, nil, nil)}, true
}

func fulfillmentEvent(resource string, f Fulfillment) connectors.Event {
	key := "fulfillment:" + strconv.FormatInt(deref(f.FulfillmentID), 10)
	if deref(f.Voided) {
		key += ":voided"
	}
	return connectors.Event{Key: key, Data: eventOf(resource, "", nil, nil, []Fulfillment{f}, nil)}
}

// span is a <param>Start/<param>End filter in Pacific wall time, which
// has whole seconds and no offset. A wall time that the autumn
// daylight-saving change makes ambiguous is widened by the repeated hour,
// so whichever occurrence ShipStation reads, the window covers [from, to].
// (ShipStation's own times in that hour are ambiguous too; they are read
// as the first occurrence.)
func span(param string, from, to time.Time) url.Values {
	if ambiguous(from) {
		from = from.Add(-time.Hour)
	}
	if ambiguous(to) {
		to = to.Add(time.Hour)
	}
	if to.Truncate(time.Second) != to { // wall time has whole seconds
		to = to.Truncate(time.Second).Add(time.Second)
	}
	return url.Values{param + "Start": {wall(from)}, param + "End": {wall(to)}}
}

// ambiguous reports whether t's Pacific wall time occurs twice.
func ambiguous(t time.Time) bool {
	w := wall(t)
	return wall(t.Add(-time.Hour)) == w || wall(t.Add(time.Hour)) == w
}
