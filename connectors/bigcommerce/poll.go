package bigcommerce

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

const pollKind = "bigcommerce_poll"

// pollMax bounds the changes one poll reads; the cursor resumes after them.
const pollMax = 10000

var pollTrigger = connectors.TriggerSpec{
	Kind: pollKind, Mode: connectors.Poll, Event: eventType, Subjects: subjects,
	Doc: "Sweeps what changed since the last poll, by date_modified: orders, products, or shipments (orders " +
		"modified with shipped items). Events have the webhook trigger's shape, with up to 250 ids each, so " +
		"one run handles a page. Catches what webhooks missed.",
	Args: schema.Object{Attrs: []schema.Attr{
		{Name: "resource", Type: cty.String, Required: true, Doc: "What to sweep.",
			Enum: []string{"orders", "products", "shipments"}, Example: `"orders"`},
		{Name: "lookback", Type: cty.String, Doc: "How far back the first poll reaches.", Default: `"24h"`, Example: `"72h"`},
	}},
}

// change is one record's modification.
type change struct {
	id int64
	at time.Time
}

// pollCursor is where a poll stopped: the last modification time seen and
// the ids seen at exactly that time. The next poll asks from that time
// (inclusive) and skips those ids, so records sharing a timestamp are
// neither lost nor repeated.
type pollCursor struct {
	at  time.Time
	ids map[int64]bool
}

func (p pollCursor) String() string {
	ids := make([]int64, 0, len(p.ids))
	for id := range p.ids {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return fmt.Sprintf("v1|%d|%s", p.at.Unix(), joinInts(ids))
}

func parseCursor(s string) (pollCursor, error) {
	parts := strings.Split(s, "|")
	if len(parts) != 3 || parts[0] != "v1" {
		return pollCursor{}, fmt.Errorf("bigcommerce: unreadable poll cursor %q", s)
	}
	secs, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return pollCursor{}, fmt.Errorf("bigcommerce: unreadable poll cursor %q", s)
	}
	c := pollCursor{at: time.Unix(secs, 0).UTC(), ids: map[int64]bool{}}
	for _, f := range strings.Split(parts[2], ",") {
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return pollCursor{}, fmt.Errorf("bigcommerce: unreadable poll cursor %q", s)
		}
		c.ids[id] = true
	}
	return c, nil
}

// Poll returns what changed: over [From, To] when a window is given, else
// since the cursor (or the lookback on the first poll), up to pollMax
// changes.
func (c *conn) Poll(ctx context.Context, trigger string, v cty.Value, w connectors.Window) ([]connectors.Event, string, error) {
	ps, err := c.startPoll(trigger, v, w)
	if err != nil {
		return nil, w.Cursor, err
	}
	var changes []change
	err = c.sweep(ctx, ps, pollMax, func(page []change) error {
		changes = append(changes, page...)
		return nil
	})
	if err != nil {
		return nil, w.Cursor, err
	}
	fresh := ps.fresh(changes)
	if ps.none && w.Cursor != "" {
		return nil, w.Cursor, nil
	}
	return c.pollEvents(ps.resource, fresh), ps.next.String(), nil
}

// PollPages is Poll over the whole window, however long, a page of the
// vendor's list at a time: page gets the events of each page's fresh
// changes (up to 250 ids each, as Poll's).
func (c *conn) PollPages(ctx context.Context, trigger string, v cty.Value, w connectors.Window, page func([]connectors.Event) error) (string, error) {
	ps, err := c.startPoll(trigger, v, w)
	if err != nil {
		return w.Cursor, err
	}
	err = c.sweep(ctx, ps, 0, func(changes []change) error {
		if fresh := ps.fresh(changes); len(fresh) > 0 {
			return page(c.pollEvents(ps.resource, fresh))
		}
		return nil
	})
	if err != nil {
		return w.Cursor, err
	}
	if ps.none && w.Cursor != "" {
		return w.Cursor, nil
	}
	return ps.next.String(), nil
}

// sweep reads a poll's window a page of the vendor's list at a time,
// handing page the changes of each. maxOrders (0: no limit) ends an order
// read without error once it has read that many orders; product reads are
// not capped.
func (c *conn) sweep(ctx context.Context, ps *pollState, maxOrders int, page func([]change) error) error {
	switch ps.resource {
	case "orders", "shipments":
		shipped := ps.resource == "shipments"
		read := 0
		err := v2Pages(ctx, c.api, ordersModified(ps.cur.at, ps.to), func(orders []polledOrder) error {
			if err := page(orderChangesOf(orders, shipped)); err != nil {
				return err
			}
			read += len(orders)
			if maxOrders > 0 && read >= maxOrders {
				return errEnough
			}
			return nil
		})
		if err == errEnough {
			return nil
		}
		return err
	case "products":
		return v3Pages(ctx, c.api, productsModified(ps.cur.at, ps.to), func(ps []polledProduct) error {
			return page(productChangesOf(ps))
		})
	}
	return nil
}

// pollState is one poll in progress: what it reads, from where, and the
// cursor it has reached.
type pollState struct {
	resource string
	cur      pollCursor
	to       time.Time
	next     pollCursor
	none     bool // no fresh change so far
}

// startPoll reads a poll's arguments and window.
func (c *conn) startPoll(trigger string, v cty.Value, w connectors.Window) (*pollState, error) {
	if trigger != pollKind {
		return nil, connectors.Permanent(fmt.Errorf("bigcommerce: no poll trigger %q", trigger))
	}
	a := argsOf(v)
	resource, lookback := a.str("resource"), 24*time.Hour
	if s := a.str("lookback"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			a.fail("lookback %q is not a duration", s)
		}
		lookback = d
	}
	if a.err != nil {
		return nil, a.err
	}
	switch resource {
	case "orders", "shipments", "products":
	default:
		return nil, connectors.Permanent(fmt.Errorf("bigcommerce: poll resource must be orders, products or shipments, not %q", resource))
	}
	ps := &pollState{resource: resource, cur: pollCursor{ids: map[int64]bool{}}, none: true}
	switch {
	case !w.From.IsZero():
		ps.cur.at, ps.to = w.From.UTC().Truncate(time.Second), w.To
	case w.Cursor != "":
		parsed, err := parseCursor(w.Cursor)
		if err != nil {
			return nil, connectors.Permanent(err)
		}
		ps.cur = parsed
	default:
		now := w.To
		if now.IsZero() {
			now = c.clock()
		}
		ps.cur.at = now.Add(-lookback).UTC().Truncate(time.Second)
	}
	ps.next = ps.cur
	return ps, nil
}

// fresh drops the changes the cursor has seen and advances the cursor past
// the others, which it returns.
func (ps *pollState) fresh(changes []change) []change {
	var fresh []change
	for _, ch := range changes {
		if ch.at.Equal(ps.cur.at) && ps.cur.ids[ch.id] {
			continue
		}
		fresh = append(fresh, ch)
		if !ch.at.Equal(ps.next.at) {
			next := pollCursor{at: ch.at, ids: map[int64]bool{}}
			if ch.at.Equal(ps.cur.at) {
				next.ids = ps.cur.ids
			}
			ps.next = next
		}
		ps.next.ids[ch.id] = true
	}
	if len(fresh) > 0 {
		ps.none = false
	}
	return fresh
}

// pollEvents groups changes into events of up to 250 ids, keyed by what
// they name, so the same changes polled twice are one event.
func (c *conn) pollEvents(resource string, changes []change) []connectors.Event {
	var events []connectors.Event
	scope := "poll/" + resource
	for _, part := range chunks(changes, pageLimit) {
		h := sha1.New()
		var ids eventIDs
		var last time.Time
		for _, ch := range part {
			fmt.Fprintf(h, "%d@%d,", ch.id, ch.at.Unix())
			last = ch.at
			if resource == "products" {
				ids.products = append(ids.products, ch.id)
			} else {
				ids.orders = append(ids.orders, ch.id)
			}
		}
		hash := hex.EncodeToString(h.Sum(nil))
		events = append(events, connectors.Event{Key: scope + ":" + hash, Data: eventVal(scope, c.storeHash, hash, last, ids)})
	}
	return events
}

// polledOrder and polledProduct are what a poll reads of a record.
type polledOrder struct {
	ID           int64    `json:"id"`
	DateModified date2822 `json:"date_modified"`
	ItemsShipped int64    `json:"items_shipped"`
}

type polledProduct struct {
	ID           int64   `json:"id"`
	DateModified dateISO `json:"date_modified"`
}

// ordersModified lists orders modified from from (inclusive) to to (when
// set), oldest change first.
func ordersModified(from, to time.Time) call {
	q := url.Values{"min_date_modified": {filterTime(from)}, "sort": {"date_modified:asc"}}
	if !to.IsZero() {
		q.Set("max_date_modified", filterTime(to))
	}
	return call{method: http.MethodGet, path: "/v2/orders", query: q, prio: budget.Orders}
}

// orderChangesOf are the changes of orders; shipped keeps those with
// shipped items.
func orderChangesOf(orders []polledOrder, shipped bool) []change {
	var out []change
	for _, o := range orders {
		if !shipped || o.ItemsShipped > 0 {
			out = append(out, change{o.ID, o.DateModified.Time})
		}
	}
	return out
}

// productsModified lists products modified from from (inclusive) to to.
func productsModified(from, to time.Time) call {
	q := url.Values{"date_modified:min": {filterTime(from)}, "sort": {"date_modified"}, "direction": {"asc"},
		"include_fields": {"id,date_modified"}}
	if !to.IsZero() {
		q.Set("date_modified:max", filterTime(to))
	}
	return call{method: http.MethodGet, path: "/v3/catalog/products", query: q, prio: budget.Products}
}

func productChangesOf(ps []polledProduct) []change {
	out := make([]change, 0, len(ps))
	for _, p := range ps {
		out = append(out, change{p.ID, p.DateModified.Time})
	}
	return out
}
