package shipstation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
)

// Subscriptions: one ShipStation webhook per event of each webhook trigger,
// whose target is the trigger's URL with the connection's token as the
// query parameter token. Plans show URLs without the token. A topic is the
// event, with ":store=<id>" when the trigger names a store.

func (c *conn) PlanSubscriptions(ctx context.Context, want []connectors.Subscription, prefix string) ([]connectors.SubscriptionChange, error) {
	if len(want) > 0 && c.token == "" {
		return nil, connectors.Permanent(errors.New("shipstation: webhook triggers need webhook_token on the connection"))
	}
	hooks, err := c.listWebhooks(ctx)
	if err != nil {
		return nil, err
	}
	used := map[int64]bool{}
	var out []connectors.SubscriptionChange
	for _, w := range want {
		store := storeArg(w.Args)
		for _, event := range events(w.Args) {
			ch := connectors.SubscriptionChange{Op: connectors.OpCreate, Topic: topicOf(event, store), URL: w.URL, Reason: "missing"}
			target := c.target(w.URL)
			for _, h := range hooks {
				id := deref(h.WebHookID)
				if used[id] || deref(h.HookType) != event || !sameStore(h.StoreID, store) || stripToken(deref(h.URL)) != stripToken(w.URL) {
					continue
				}
				used[id] = true
				ch.ID = strconv.FormatInt(id, 10)
				switch {
				case deref(h.URL) != target:
					ch.Op, ch.Reason = connectors.OpUpdate, "the token differs; webhooks cannot be edited, so it is replaced"
				case !deref(h.Active):
					ch.Op, ch.Reason = connectors.OpUpdate, "inactive; webhooks cannot be edited, so it is replaced"
				default:
					ch.Op, ch.Reason = connectors.OpNoop, "active"
				}
				break
			}
			out = append(out, ch)
		}
	}
	for _, h := range hooks {
		u := stripToken(deref(h.URL))
		if used[deref(h.WebHookID)] || prefix == "" || !strings.HasPrefix(u, prefix) {
			continue
		}
		out = append(out, connectors.SubscriptionChange{Op: connectors.OpDelete, ID: strconv.FormatInt(deref(h.WebHookID), 10),
			Topic: topicOf(deref(h.HookType), h.StoreID), URL: u, Reason: "no trigger wants it"})
	}
	return out, nil
}

func (c *conn) ApplySubscription(ctx context.Context, ch connectors.SubscriptionChange) error {
	if ch.Op == connectors.OpUpdate || ch.Op == connectors.OpDelete {
		id, err := strconv.ParseInt(ch.ID, 10, 64)
		if err != nil {
			return connectors.Permanent(fmt.Errorf("shipstation: webhook id %q: %w", ch.ID, err))
		}
		if err := c.unsubscribe(ctx, id); err != nil && !errors.Is(err, connectors.ErrNotFound) {
			return err
		}
	}
	if ch.Op != connectors.OpCreate && ch.Op != connectors.OpUpdate {
		return nil
	}
	if c.token == "" {
		return connectors.Permanent(errors.New("shipstation: webhook triggers need webhook_token on the connection"))
	}
	event, store, err := parseTopic(ch.Topic)
	if err != nil {
		return err
	}
	name := "tote"
	if u, err := url.Parse(ch.URL); err == nil {
		name += " " + u.Path
	}
	_, err = c.subscribe(ctx, subscribeRequest{TargetURL: c.target(ch.URL), Event: event, StoreID: store, FriendlyName: name})
	return err
}

// target is where ShipStation must deliver: url with the token added.
func (c *conn) target(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set("token", c.token)
	u.RawQuery = q.Encode()
	return u.String()
}

func topicOf(event string, store *int64) string {
	if store == nil {
		return event
	}
	return event + ":store=" + strconv.FormatInt(*store, 10)
}

func parseTopic(topic string) (string, *int64, error) {
	event, rest, ok := strings.Cut(topic, ":store=")
	if !ok {
		return event, nil, nil
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		return "", nil, connectors.Permanent(fmt.Errorf("shipstation: topic %q: bad store id", topic))
	}
	return event, &id, nil
}

// subscribe registers a webhook and returns its id. It is never repeated
// once ShipStation may have acted on it: a duplicate would deliver twice.
func (c *conn) subscribe(ctx context.Context, req subscribeRequest) (int64, error) {
	var ans map[string]json.RawMessage
	err := c.c.do(ctx, call{api: v1, method: http.MethodPost, path: "/webhooks/subscribe", body: req, prio: budget.Orders, once: true}, &ans)
	if err != nil {
		return 0, err
	}
	for _, k := range []string{"id", "WebHookID"} {
		var id int64
		if raw, ok := ans[k]; ok && json.Unmarshal(raw, &id) == nil {
			return id, nil
		}
	}
	return 0, errors.New("shipstation: POST /webhooks/subscribe: the answer has no webhook id")
}

func (c *conn) unsubscribe(ctx context.Context, id int64) error {
	return c.c.do(ctx, call{api: v1, method: http.MethodDelete, path: "/webhooks/" + strconv.FormatInt(id, 10), prio: budget.Orders}, nil)
}
