package run

import (
	"context"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/zclconf/go-cty/cty"
)

// resolveEvent lets a webhook trigger's connection fill in the records its
// delivery only pointed at (connectors.EventResolver). Events of other
// triggers, and of connections that deliver whole records, pass unchanged.
func (e *Engine) resolveEvent(ctx context.Context, t *compile.Trigger, data cty.Value) (cty.Value, error) {
	if t == nil || t.Mode != compile.ModeWebhook || t.Conn == nil || data.IsNull() {
		return data, nil
	}
	conn, err := e.Conn(ctx, t.Conn)
	if err != nil {
		return cty.NilVal, err
	}
	r, ok := conn.(connectors.EventResolver)
	if !ok {
		return data, nil
	}
	args, _ := t.Args.UnmarkDeep()
	return r.ResolveEvent(ctx, t.Kind, args, data)
}

// walked is the walk of a run that stopped before its graph: its failures
// say why.
type walked struct{}

func (walked) Err() error { return nil }
