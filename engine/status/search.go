package status

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/orderkey"
	"github.com/toteworks/tote/engine/state"
)

// Found is everything tote holds about one BigCommerce order id or SKU.
type Found struct {
	Query  string
	Events []state.Item
	Runs   []state.Run
	Writes []state.Intent
	Links  []state.Link
}

// searchLimit bounds the events a search shows.
const searchLimit = 50

// matchKeys are the event fields that carry a BigCommerce order id or a SKU.
var matchKeys = map[string]bool{
	"order_id": true, "order_ids": true, "orderNumber": true, "sku": true, "skus": true,
}

// Search finds the events, runs, writes and vendor ids of a BigCommerce
// order id or a SKU. The events are found through the subjects index (what
// each event's connector said it concerns, kept at enqueue), so an order
// 12 does not find order 112 and no payload is scanned.
func Search(ctx context.Context, store *state.Store, q string) (Found, error) {
	q = strings.TrimSpace(q)
	f := Found{Query: q}
	if q == "" {
		return f, nil
	}
	// Either kind, as typed and, for a number, as the index writes it.
	values := []string{q}
	if n, err := strconv.ParseInt(q, 10, 64); err == nil && strconv.FormatInt(n, 10) != q {
		values = append(values, strconv.FormatInt(n, 10))
	}
	var subs []state.Subject
	for _, v := range values {
		subs = append(subs, state.Subject{Kind: connectors.SubjectOrder, Value: v}, state.Subject{Kind: connectors.SubjectSKU, Value: v})
	}
	items, err := store.ItemsConcerningAny(ctx, subs, state.SearchFilter{Limit: searchLimit})
	if err != nil {
		return f, err
	}
	f.Events = items
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	if f.Runs, err = store.RunsOfItems(ctx, ids); err != nil {
		return f, err
	}
	runIDs := make([]string, 0, len(f.Runs))
	for _, r := range f.Runs {
		runIDs = append(runIDs, r.ID)
	}
	writes, err := store.IntentsOfRuns(ctx, runIDs)
	if err != nil {
		return f, err
	}
	seen := map[string]bool{}
	for _, w := range writes {
		seen[w.Key] = true
	}
	// Writes made by plan and apply have no inbox item: find them by the
	// record they wrote.
	more, err := store.IntentsByIdentity(ctx, []string{q}, []string{q})
	if err != nil {
		return f, err
	}
	for _, w := range more {
		if !seen[w.Key] && identityNames(w.Identity, q) {
			writes = append(writes, w)
		}
	}
	f.Writes = writes
	links, err := store.LinksByKey(ctx, []string{q}, []string{q})
	if err != nil {
		return f, err
	}
	for _, l := range links {
		if identityNames(l.Key, q) {
			f.Links = append(f.Links, l)
		}
	}
	return f, nil
}

// identityNames reports whether a record identity (the key of its link)
// names q: an identity is JSON, such as {"orderKey":"bc:<store_hash>:<id>"}
// or {"order_id":101,"tracking_number":"..."}, whose fields are matched as
// an event's are, and whose order keys name the order id; or a plain
// string that is q or such an order key.
func identityNames(id, q string) bool {
	var fields map[string]any
	d := json.NewDecoder(strings.NewReader(id))
	d.UseNumber()
	if d.Decode(&fields) != nil {
		return id == q || orderKeyNames(id, q)
	}
	for k, v := range fields {
		if s, ok := v.(string); ok && orderKeyNames(s, q) {
			return true
		}
		if mentions(v, k, q) {
			return true
		}
	}
	return false
}

// orderKeyNames reports whether s is an order key of BigCommerce order q:
// an orderKey tote wrote (see orderkey) that names order q.
func orderKeyNames(s, q string) bool {
	k, ok := orderkey.Parse(s)
	return ok && strconv.FormatInt(k.OrderID, 10) == q
}

func mentions(v any, key, q string) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if mentions(x, k, q) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if mentions(x, key, q) {
				return true
			}
		}
	case string:
		return matchKeys[key] && v == q
	case json.Number:
		if !matchKeys[key] {
			return false
		}
		if v.String() == q {
			return true
		}
		n, err := strconv.ParseInt(q, 10, 64)
		m, err2 := v.Int64()
		return err == nil && err2 == nil && n == m
	}
	return false
}
