package run

import (
	"context"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/cpugate"
	"github.com/zclconf/go-cty/cty"
)

// resolveEvent lets a webhook trigger's connection fill in the records its
// delivery only pointed at (connectors.EventResolver); asked reports whether
// a resolver was asked. Events of other triggers, and of connections that
// deliver whole records, pass unchanged.
func (e *Engine) resolveEvent(ctx context.Context, t *compile.Trigger, data cty.Value) (v cty.Value, asked bool, err error) {
	if t == nil || t.Mode != compile.ModeWebhook || t.Conn == nil || data.IsNull() {
		return data, false, nil
	}
	conn, err := e.Conn(ctx, t.Conn)
	if err != nil {
		return cty.NilVal, false, err
	}
	r, ok := conn.(connectors.EventResolver)
	if !ok {
		return data, false, nil
	}
	args := t.PlainArgs
	resume := cpugate.Wait(ctx)
	v, err = r.ResolveEvent(ctx, t.Kind, args, data)
	resume()
	return v, true, err
}
