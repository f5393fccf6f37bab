package bigcommerce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
)

// PlanSubscriptions compares the hooks the webhook triggers need (one per
// scope per destination) with the store's: missing ones are created,
// deactivated or outdated ones updated, and hooks under prefix that nothing
// wants deleted.
func (c *conn) PlanSubscriptions(ctx context.Context, want []connectors.Subscription, prefix string) ([]connectors.SubscriptionChange, error) {
	type target struct{ scope, url string }
	wanted := map[target]bool{}
	var order []target
	for _, w := range want {
		if w.Trigger != webhookKind {
			continue
		}
		a := argsOf(w.Args)
		scopes := a.strs("scopes")
		if a.err != nil {
			return nil, a.err
		}
		for _, s := range scopes {
			t := target{s, w.URL}
			if !wanted[t] {
				wanted[t] = true
				order = append(order, t)
			}
		}
	}
	existing, err := c.hooks(ctx, url.Values{})
	if err != nil {
		return nil, err
	}
	var out []connectors.SubscriptionChange
	have := map[target]bool{}
	for _, h := range existing {
		t := target{h.Scope, h.Destination}
		id := strconv.FormatInt(h.ID, 10)
		switch {
		case wanted[t] && !have[t]:
			have[t] = true
			ch := connectors.SubscriptionChange{Op: connectors.OpNoop, ID: id, Topic: h.Scope, URL: h.Destination}
			if reason := c.hookProblem(h); reason != "" {
				ch.Op, ch.Reason = connectors.OpUpdate, reason
			}
			out = append(out, ch)
		case prefix != "" && strings.HasPrefix(h.Destination, prefix):
			out = append(out, connectors.SubscriptionChange{Op: connectors.OpDelete, ID: id, Topic: h.Scope, URL: h.Destination,
				Reason: "no trigger wants it"})
		}
	}
	for _, t := range order {
		if !have[t] {
			out = append(out, connectors.SubscriptionChange{Op: connectors.OpCreate, Topic: t.scope, URL: t.url, Reason: "a trigger needs it"})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].URL != out[j].URL {
			return out[i].URL < out[j].URL
		}
		return out[i].Topic < out[j].Topic
	})
	return out, nil
}

// ApplySubscription makes one planned change.
func (c *conn) ApplySubscription(ctx context.Context, ch connectors.SubscriptionChange) error {
	var err error
	switch ch.Op {
	case connectors.OpCreate:
		_, err = c.createHook(ctx, ch.Topic, ch.URL)
	case connectors.OpUpdate:
		var id int64
		if id, err = strconv.ParseInt(ch.ID, 10, 64); err == nil {
			_, err = c.repairHook(ctx, id, ch.Topic)
		}
	case connectors.OpDelete:
		_, err = c.api.do(ctx, call{method: http.MethodDelete, path: "/v3/hooks/" + url.PathEscape(ch.ID),
			prio: budget.Orders, replayable: true}, nil)
		if isNotFound(err) {
			err = nil
		}
	case connectors.OpNoop:
	default:
		err = connectors.Permanent(fmt.Errorf("bigcommerce: unknown subscription change %q", ch.Op))
	}
	if err != nil {
		return fmt.Errorf("bigcommerce: %s hook %s -> %s: %w", ch.Op, ch.Topic, ch.URL, err)
	}
	return nil
}
