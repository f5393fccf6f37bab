package run

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/plan"
)

// HookPath is where tote run receives a webhook trigger's deliveries.
func HookPath(pipeline, trigger string) string { return "/hooks/" + pipeline + "/" + trigger }

// PlanSubscriptions compares the webhook registrations every webhook
// trigger needs at publicURL with what each vendor has. Registrations under
// publicURL that no trigger needs are planned for deletion.
func (e *Engine) PlanSubscriptions(ctx context.Context, publicURL string) ([]*plan.Subscription, error) {
	publicURL = strings.TrimSuffix(publicURL, "/")
	want := map[*compile.Connection][]connectors.Subscription{}
	for _, pl := range e.prog.Pipelines {
		for _, t := range pl.Triggers {
			if t.Mode != compile.ModeWebhook {
				continue
			}
			args := t.PlainArgs
			want[t.Conn] = append(want[t.Conn], connectors.Subscription{
				Trigger: t.Kind, Args: args, URL: publicURL + HookPath(pl.Name, t.Name),
			})
		}
	}
	var out []*plan.Subscription
	for _, c := range e.prog.Connections {
		if !c.Enabled {
			continue
		}
		conn, err := e.Conn(ctx, c)
		if err != nil {
			if len(want[c]) == 0 {
				continue // not needed for webhooks; its own runs will report it
			}
			return nil, err
		}
		sub, ok := conn.(connectors.Subscriber)
		if !ok {
			continue
		}
		changes, err := sub.PlanSubscriptions(ctx, want[c], publicURL+"/hooks/")
		if err != nil {
			return nil, fmt.Errorf("planning webhook subscriptions of %s: %w", c.Addr(), err)
		}
		for _, ch := range changes {
			out = append(out, &plan.Subscription{Connection: c.Addr(), Op: ch.Op, ID: ch.ID, Topic: ch.Topic, URL: ch.URL, Reason: ch.Reason})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Connection != out[j].Connection {
			return out[i].Connection < out[j].Connection
		}
		return out[i].Topic < out[j].Topic
	})
	return out, nil
}

// ApplySubscription makes one planned subscription change.
func (e *Engine) ApplySubscription(ctx context.Context, s *plan.Subscription) error {
	if s.Op == connectors.OpNoop {
		return nil
	}
	for _, c := range e.prog.Connections {
		if c.Addr() != s.Connection {
			continue
		}
		conn, err := e.Conn(ctx, c)
		if err != nil {
			return err
		}
		sub, ok := conn.(connectors.Subscriber)
		if !ok {
			return fmt.Errorf("%s manages no webhook subscriptions", s.Connection)
		}
		err = sub.ApplySubscription(ctx, connectors.SubscriptionChange{Op: s.Op, ID: s.ID, Topic: s.Topic, URL: s.URL, Reason: s.Reason})
		if err != nil {
			return fmt.Errorf("%s %s %s: %w", s.Op, s.Topic, s.Connection, err)
		}
		return nil
	}
	return fmt.Errorf("the plan names %s, which no longer exists", s.Connection)
}
