package shipstation

import (
	"context"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors/budget"
)

// Tagging an order in ShipStation may not move its modifyDate, so a
// modifyDate poll can miss it: tagged orders are found with
// /orders/listbytag. ShipStation wants one status per call, so a tag costs
// a call per status; the listing of a tag in a status is shared by every
// run that wants it within taggedTTL, and forgotten when tote itself adds
// or removes that tag.
const taggedTTL = 30 * time.Second

// forgetUntagged is how long an order that lost a tag is remembered, so
// that tagging it again is news.
const forgetUntagged = 30 * 24 * time.Hour

// listByTag lists the orders carrying a tag, in one status or in the open
// and shipped ones. The orders are shared: callers must not change them.
func (c *conn) listByTag(ctx context.Context, tag, status string) ([]Order, error) {
	id, err := c.tags.id(ctx, tag)
	if err != nil {
		return nil, err
	}
	return c.listByTagID(ctx, id, status)
}

// listByTagID is listByTag with the tag's id resolved.
func (c *conn) listByTagID(ctx context.Context, id int64, status string) ([]Order, error) {
	statuses := openStatuses
	if status != "" {
		statuses = []string{status}
	}
	var all []Order
	for _, s := range statuses {
		q := url.Values{"tagId": {strconv.FormatInt(id, 10)}, "orderStatus": {s}}
		orders, _, err := c.tagged.get(ctx, taggedKey(id, s), func(ctx context.Context) ([]Order, error) {
			return listAll[Order](ctx, c.c, budget.Orders, "/orders/listbytag", q, "orders")
		})
		if err != nil {
			return nil, err
		}
		all = append(all, orders...)
	}
	return all, nil
}

// pollTagged lists a tag's orders as listByTag does, with each order's
// generation (see tagSeen).
func (c *conn) pollTagged(ctx context.Context, tag, status string) ([]Order, []string, error) {
	id, err := c.tags.id(ctx, tag)
	if err != nil {
		return nil, nil, err
	}
	orders, err := c.listByTagID(ctx, id, status)
	if err != nil {
		return nil, nil, err
	}
	return orders, c.seen.listed(id, orders, status == ""), nil
}

// forgetTag drops the shared listings of a tag, after tote changed it.
func (c *conn) forgetTag(id int64) {
	c.tagged.forgetPrefix(taggedKey(id, ""))
}

// Since neither tagging nor untagging need move modifyDate, an order
// tagged again after its tag came off can look exactly as it did the
// first time. tagSeen tells the two apart: it remembers which orders the
// last listing of each tag held, and which of them lost the tag since
// (absent from a listing of every status, or untagged by tote itself). An
// order tagged again starts a new generation, which its events' keys name.
type tagSeen struct {
	now func() time.Time

	mu      sync.Mutex
	present map[int64]map[int64]string    // tag id -> order id -> generation
	gone    map[int64]map[int64]time.Time // tag id -> orders that lost the tag, and when
}

func newTagSeen(now func() time.Time) *tagSeen {
	return &tagSeen{now: now, present: map[int64]map[int64]string{}, gone: map[int64]map[int64]time.Time{}}
}

// listed records a listing of a tag and returns each order's generation
// ("" for the first one tote knows of). complete says whether the listing
// covered every status that is looked at, so an order missing from it
// lost the tag.
func (s *tagSeen) listed(tag int64, orders []Order, complete bool) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	was, gone := s.present[tag], s.gone[tag]
	if gone == nil {
		gone = map[int64]time.Time{}
		s.gone[tag] = gone
	}
	at := s.now()
	for id, t := range gone {
		if at.Sub(t) > forgetUntagged {
			delete(gone, id)
		}
	}
	now := map[int64]string{}
	gens := make([]string, len(orders))
	for i, o := range orders {
		id := deref(o.OrderID)
		gen := was[id] // "" for an order not listed before
		if _, lost := gone[id]; lost {
			gen = "g" + strconv.FormatInt(at.UnixMilli(), 10)
			delete(gone, id)
		}
		now[id], gens[i] = gen, gen
	}
	if complete {
		for id := range was {
			if _, ok := now[id]; !ok {
				gone[id] = at
			}
		}
	} else {
		for id, gen := range was {
			if _, ok := now[id]; !ok {
				now[id] = gen
			}
		}
	}
	s.present[tag] = now
	return gens
}

// untagged records that tote took the tag off the order.
func (s *tagSeen) untagged(tag, order int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone[tag] == nil {
		s.gone[tag] = map[int64]time.Time{}
	}
	s.gone[tag][order] = s.now()
}

func taggedKey(tagID int64, status string) string {
	return strconv.FormatInt(tagID, 10) + ":" + status
}
