package shipstation

import (
	"context"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/internal/actions"
	"github.com/zclconf/go-cty/cty"
)

// action is one action: its spec bound to its implementation.
type action = actions.Action[*conn]

// actionTable is every action; spec() lists their specs from it.
var actionTable = actions.New("shipstation", actionList())

func (c *conn) Read(ctx context.Context, action string, args cty.Value) (cty.Value, error) {
	return actionTable.Read(c, ctx, action, args)
}

func (c *conn) PlanWrite(ctx context.Context, action string, args cty.Value) (connectors.Change, error) {
	return actionTable.Plan(c, ctx, action, args)
}

// ApplyWrite plans again (from what the plan just read, mostly cached) and
// performs the write; a write that turns out to be done already is not
// repeated.
func (c *conn) ApplyWrite(ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
	return actionTable.Apply(c, ctx, w)
}

func accountAction(name string) func(*conn, context.Context, cty.Value) (cty.Value, error) {
	return func(c *conn, ctx context.Context, _ cty.Value) (cty.Value, error) { return c.accountRead(ctx, name) }
}

func planOrderActionOf(name string) func(*conn, context.Context, cty.Value) (connectors.Change, error) {
	return func(c *conn, ctx context.Context, args cty.Value) (connectors.Change, error) {
		ch, _, err := c.planOrderAction(ctx, name, args)
		return ch, err
	}
}

// planOnly adapts a plan method that also returns what it read, for the
// table, which wants the change alone.
func planOnly[U any](plan func(*conn, context.Context, cty.Value) (connectors.Change, U, error)) func(*conn, context.Context, cty.Value) (connectors.Change, error) {
	return func(c *conn, ctx context.Context, args cty.Value) (connectors.Change, error) {
		ch, _, err := plan(c, ctx, args)
		return ch, err
	}
}
