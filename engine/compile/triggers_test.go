package compile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/zclconf/go-cty/cty"
)

// eventsConnector has one webhook trigger whose events carry a list, a map
// and a string.
type eventsConnector struct{}

var eventsEvent = cty.Object(map[string]cty.Type{
	"ids": cty.List(cty.Number), "tags": cty.Map(cty.String), "note": cty.String,
})

func (eventsConnector) Spec() connectors.Spec {
	return connectors.Spec{Type: "events", Triggers: []connectors.TriggerSpec{{
		Kind: "events_webhook", Mode: connectors.Webhook, Event: eventsEvent,
	}}}
}

func (eventsConnector) Open(context.Context, connectors.Config) (connectors.Conn, error) {
	return nil, nil
}

func compileSrc(t *testing.T, src string) (*compile.Program, hcl.Diagnostics) {
	t.Helper()
	cfg, diags := config.Parse(map[string][]byte{"p.hcl": []byte(src)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return compile.Compile(cfg, compile.Options{Registry: connectors.MustRegistry(func() connectors.Connector { return eventsConnector{} }), Offline: true})
}

const twoTriggers = `connection "events" "e" {}

pipeline "p" {
  trigger "events_webhook" "hook" {}
  trigger "cron" "tick" {
    schedule = "@hourly"
  }

  transform "n" {
    value = length(trigger.%s)
  }
}
`

func TestTriggerAttributeNoTriggerHas(t *testing.T) {
	_, diags := compileSrc(t, strings.Replace(twoTriggers, "%s", "idz", 1))
	if len(diags) != 1 {
		t.Fatalf("want one diagnostic, got %d: %v", len(diags), diags)
	}
	d := diags[0]
	if d.Summary != "Unsupported trigger attribute" || !strings.Contains(d.Detail, `Did you mean "ids"?`) {
		t.Errorf("got %s: %s", d.Summary, d.Detail)
	}
	if d.Subject == nil || d.Subject.Start.Line != 10 || d.Subject.Start.Column != 20 || d.Subject.End.Column != 31 {
		t.Errorf("subject %v, want p.hcl:10,20-31", d.Subject)
	}

	// An attribute only one of the triggers has is fine.
	if _, diags := compileSrc(t, strings.Replace(twoTriggers, "%s", "ids", 1)); diags.HasErrors() {
		t.Errorf("trigger.ids: %v", diags)
	}
}

func TestEventValueCollectionsNeverNull(t *testing.T) {
	prog, diags := compileSrc(t, strings.Replace(twoTriggers, "%s", "ids", 1))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	pl := prog.Pipeline("p")
	hook, tick := pl.Trigger("hook"), pl.Trigger("tick")

	// An event without ids or tags: empty collections; the string stays null.
	v := pl.EventValue(hook, cty.ObjectVal(map[string]cty.Value{
		"ids": cty.NullVal(cty.List(cty.Number)), "note": cty.NullVal(cty.String),
	}))
	if got := v.GetAttr("ids"); got.IsNull() || got.LengthInt() != 0 {
		t.Errorf("ids = %#v, want an empty list", got)
	}
	if got := v.GetAttr("tags"); got.IsNull() || got.LengthInt() != 0 {
		t.Errorf("tags = %#v, want an empty map", got)
	}
	if got := v.GetAttr("note"); !got.IsNull() {
		t.Errorf("note = %#v, want null", got)
	}
	// Given ids are kept.
	v = pl.EventValue(hook, cty.ObjectVal(map[string]cty.Value{"ids": cty.ListVal([]cty.Value{cty.NumberIntVal(7)})}))
	if got := v.GetAttr("ids"); got.LengthInt() != 1 {
		t.Errorf("ids = %#v, want [7]", got)
	}
	// A cron tick has no ids at all: null, as for any attribute its kind lacks.
	v = pl.EventValue(tick, cty.ObjectVal(map[string]cty.Value{"tick": cty.StringVal("2026-03-10T02:00:00Z")}))
	if got := v.GetAttr("ids"); !got.IsNull() {
		t.Errorf("cron ids = %#v, want null", got)
	}
	if got := v.GetAttr("tick").AsString(); got != "2026-03-10T02:00:00Z" {
		t.Errorf("tick = %q", got)
	}
}
