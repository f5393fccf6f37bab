package run_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
	"github.com/zclconf/go-cty/cty"
)

// pointer is a connector whose webhook deliveries only name their records;
// they are resolved when the run starts.
type pointer struct {
	err      error // what resolving returns, when set
	resolved int
}

var pointerEvent = cty.Object(map[string]cty.Type{"url": cty.String, "records": cty.List(cty.String)})

func (p *pointer) Spec() connectors.Spec {
	return connectors.Spec{Type: "pointer", Triggers: []connectors.TriggerSpec{{
		Kind: "pointer_webhook", Mode: connectors.Webhook, Event: pointerEvent, Args: schema.Object{},
	}}}
}
func (p *pointer) Open(context.Context, connectors.Config) (connectors.Conn, error) { return p, nil }
func (p *pointer) Read(context.Context, string, cty.Value) (cty.Value, error) {
	return cty.NilVal, errors.New("no reads")
}
func (p *pointer) PlanWrite(context.Context, string, cty.Value) (connectors.Change, error) {
	return connectors.Change{}, errors.New("no writes")
}
func (p *pointer) ApplyWrite(context.Context, connectors.WriteRequest) (cty.Value, error) {
	return cty.NilVal, errors.New("no writes")
}
func (p *pointer) Close() error { return nil }
func (p *pointer) ResolveEvent(_ context.Context, trigger string, _, data cty.Value) (cty.Value, error) {
	if p.err != nil {
		return cty.NilVal, p.err
	}
	p.resolved++
	url := data.GetAttr("url").AsString()
	return cty.ObjectVal(map[string]cty.Value{"url": cty.StringVal(url),
		"records": cty.ListVal([]cty.Value{cty.StringVal(url + "/a"), cty.StringVal(url + "/b")})}), nil
}

const pointerPipeline = `
connection "pointer" "p" {}
connection "memory" "m" {}
pipeline "copy" {
  trigger "pointer_webhook" "hook" {}
  step "w" {
    action   = memory.put
    for_each = { for r in trigger.records : r => r }
    key      = each.value
    value    = trigger.url
  }
}
`

// A webhook event whose connection resolves events runs with the records
// filled in; a failure to resolve is a run error that keeps its kind.
func TestWebhookEventsAreResolvedWhenTheRunStarts(t *testing.T) {
	p := &pointer{err: errors.New("vendor unavailable")}
	mem := conntest.NewStore()
	reg := connectors.MustRegistry(func() connectors.Connector { return p }, mem.Connector())
	cfg, diags := config.Parse(map[string][]byte{"main.hcl": []byte(pointerPipeline)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	prog, diags := compile.Compile(cfg, compile.Options{Registry: reg})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	st, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := run.New(prog, st, run.Options{})
	defer eng.Close()
	ev := run.Event{Pipeline: "copy", Trigger: "hook", Key: "k1",
		Data: cty.ObjectVal(map[string]cty.Value{"url": cty.StringVal("x"), "records": cty.ListValEmpty(cty.String)})}

	res, rec := eng.ExecuteDeferred(ctxT(t), ev, "1.1")
	if res.Err == nil || res.Permanent || !strings.Contains(res.Err.Error(), "trigger.hook: vendor unavailable") {
		t.Fatalf("a failed resolve: %v (permanent %v)", res.Err, res.Permanent)
	}
	if rec.Run.Status != state.RunFailed || len(mem.Writes()) != 0 {
		t.Fatalf("record %+v, writes %d", rec.Run, len(mem.Writes()))
	}
	p.err = connectors.Permanent(errors.New("not a notification"))
	if res, _ := eng.ExecuteDeferred(ctxT(t), ev, "1.2"); !res.Permanent {
		t.Fatalf("a permanent resolve error: %v (permanent %v)", res.Err, res.Permanent)
	}

	p.err = nil
	res, _ = eng.ExecuteDeferred(ctxT(t), ev, "1.3")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if p.resolved != 1 || len(mem.Writes()) != 2 {
		t.Fatalf("resolved %d times, %d writes", p.resolved, len(mem.Writes()))
	}
	if v, ok := mem.Get("x/b"); !ok || !v.RawEquals(cty.StringVal("x")) {
		t.Fatalf("x/b = %#v", v)
	}
}
