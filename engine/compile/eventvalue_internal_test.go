package compile

import (
	"fmt"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/lang"
	"github.com/zclconf/go-cty/cty"
)

// eventValueBefore is EventValue as it was, reading the event through
// AsValueMap.
func eventValueBefore(pl *Pipeline, t *Trigger, data cty.Value) cty.Value {
	attrs := map[string]cty.Value{}
	for name, at := range pl.TriggerType.AttributeTypes() {
		attrs[name] = cty.NullVal(at)
	}
	if t != nil {
		attrs["name"] = cty.StringVal(t.Decl.Name)
		attrs["kind"] = cty.StringVal(t.Kind)
		if !data.IsNull() && data.Type().IsObjectType() {
			for name, v := range data.AsValueMap() {
				if _, ok := attrs[name]; ok && name != "name" && name != "kind" {
					attrs[name] = v
				}
			}
		}
		for name, at := range t.Event().AttributeTypes() {
			if v, ok := attrs[name]; ok && v.IsNull() {
				attrs[name] = emptyCollection(at, v)
			}
		}
	} else {
		attrs["name"] = cty.StringVal("manual")
		attrs["kind"] = cty.StringVal("manual")
	}
	return cty.ObjectVal(attrs)
}

// EventValue gives what it gave before it read the event's attributes one
// by one, for events whole, partial, empty, null, with attributes no
// trigger declares, unknown and sensitive values, and for a run by hand.
func TestEventValueAsBefore(t *testing.T) {
	event := cty.Object(map[string]cty.Type{"ids": cty.List(cty.Number), "tags": cty.Map(cty.String), "note": cty.String})
	pl := &Pipeline{TriggerType: cty.Object(map[string]cty.Type{"ids": cty.List(cty.Number), "tags": cty.Map(cty.String),
		"note": cty.String, "tick": cty.String, "name": cty.String, "kind": cty.String})}
	hook := &Trigger{Name: "hook", Kind: "events_webhook", Mode: ModeWebhook, Spec: connectors.TriggerSpec{Event: event},
		Decl: &config.Trigger{Name: "hook", Kind: "events_webhook"}}
	tick := &Trigger{Name: "tick", Kind: "cron", Mode: ModeCron, Decl: &config.Trigger{Name: "tick", Kind: "cron"}}
	ids := cty.ListVal([]cty.Value{cty.NumberIntVal(7)})
	events := []cty.Value{
		cty.ObjectVal(map[string]cty.Value{"ids": ids, "tags": cty.MapVal(map[string]cty.Value{"a": cty.StringVal("b")}), "note": cty.StringVal("n")}),
		cty.ObjectVal(map[string]cty.Value{"ids": cty.NullVal(cty.List(cty.Number)), "note": cty.NullVal(cty.String)}),
		cty.ObjectVal(map[string]cty.Value{"ids": ids}),
		cty.EmptyObjectVal,
		cty.NullVal(event),
		cty.NullVal(cty.DynamicPseudoType),
		cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("forged"), "kind": cty.StringVal("forged"), "extra": cty.True, "note": cty.StringVal("n")}),
		cty.ObjectVal(map[string]cty.Value{"ids": cty.UnknownVal(cty.List(cty.Number)), "note": cty.UnknownVal(cty.String)}),
		cty.ObjectVal(map[string]cty.Value{"note": cty.StringVal("secret").Mark(lang.Sensitive), "ids": ids}),
		cty.ObjectVal(map[string]cty.Value{"tick": cty.StringVal("2026-03-10T02:00:00Z")}),
		cty.StringVal("not an object"),
	}
	for _, trig := range []*Trigger{hook, tick, nil} {
		for i, ev := range events {
			got, want := pl.EventValue(trig, ev), eventValueBefore(pl, trig, ev)
			if !got.RawEquals(want) {
				name := "manual"
				if trig != nil {
					name = trig.Name
				}
				t.Errorf("%s, event %d: %s\nbefore: %s", name, i, fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", want))
			}
		}
	}
}
