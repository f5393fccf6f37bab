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
// since the cursor (or the lookback on the first poll).
func (c *conn) Poll(ctx context.Context, trigger string, v cty.Value, w connectors.Window) ([]connectors.Event, string, error) {
	if trigger != pollKind {
		return nil, w.Cursor, connectors.Permanent(fmt.Errorf("bigcommerce: no poll trigger %q", trigger))
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
		return nil, w.Cursor, a.err
	}
	cur := pollCursor{ids: map[int64]bool{}}
	var to time.Time
	switch {
	case !w.From.IsZero():
		cur.at, to = w.From.UTC().Truncate(time.Second), w.To
	case w.Cursor != "":
		parsed, err := parseCursor(w.Cursor)
		if err != nil {
			return nil, w.Cursor, connectors.Permanent(err)
		}
		cur = parsed
	default:
		now := w.To
		if now.IsZero() {
			now = c.clock()
		}
		cur.at = now.Add(-lookback).UTC().Truncate(time.Second)
	}
	var changes []change
	var err error
	switch resource {
	case "orders", "shipments":
		changes, err = c.orderChanges(ctx, cur.at, to, resource == "shipments")
	case "products":
		changes, err = c.productChanges(ctx, cur.at, to)
	default:
		return nil, w.Cursor, connectors.Permanent(fmt.Errorf("bigcommerce: poll resource must be orders, products or shipments, not %q", resource))
	}
	if err != nil {
		return nil, w.Cursor, err
	}
	var fresh []change
	next := cur
	for _, ch := range changes {
		if ch.at.Equal(cur.at) && cur.ids[ch.id] {
			continue
		}
		fresh = append(fresh, ch)
		if !ch.at.Equal(next.at) {
			next = pollCursor{at: ch.at, ids: map[int64]bool{}}
			if ch.at.Equal(cur.at) {
				next.ids = cur.ids
			}
		}
		next.ids[ch.id] = true
	}
	if len(fresh) == 0 && w.Cursor != "" {
		return nil, w.Cursor, nil
	}
	return c.pollEvents(resource, fresh), next.String(), nil
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

// orderChanges lists orders modified from from (inclusive) to to (when
// set), oldest change first; shipped keeps those with shipped items.
func (c *conn) orderChanges(ctx context.Context, from, to time.Time, shipped bool) ([]change, error) {
	q := url.Values{"min_date_modified": {filterTime(from)}, "sort": {"date_modified:asc"}}
	if !to.IsZero() {
		q.Set("max_date_modified", filterTime(to))
	}
	orders, err := v2List[order](ctx, c.api, call{method: http.MethodGet, path: "/v2/orders", query: q, prio: budget.Orders}, pollMax)
	if err != nil {
		return nil, err
	}
	var out []change
	for _, o := range orders {
		if !shipped || o.ItemsShipped > 0 {
			out = append(out, change{o.ID, o.DateModified.Time})
		}
	}
	return out, nil
}

// productChanges lists products modified from from (inclusive) to to.
func (c *conn) productChanges(ctx context.Context, from, to time.Time) ([]change, error) {
	q := url.Values{"date_modified:min": {filterTime(from)}, "sort": {"date_modified"}, "direction": {"asc"},
		"include_fields": {"id,date_modified"}}
	if !to.IsZero() {
		q.Set("date_modified:max", filterTime(to))
	}
	ps, err := v3List[product](ctx, c.api, call{method: http.MethodGet, path: "/v3/catalog/products", query: q, prio: budget.Products})
	if err != nil {
		return nil, err
	}
	out := make([]change, 0, len(ps))
	for _, p := range ps {
		out = append(out, change{p.ID, p.DateModified.Time})
	}
	return out, nil
}
