package connectors_test

import (
	"context"
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

type specOnly struct{ spec connectors.Spec }

func (s specOnly) Spec() connectors.Spec { return s.spec }
func (s specOnly) Open(context.Context, connectors.Config) (connectors.Conn, error) {
	return nil, nil
}

func valid() connectors.Spec {
	return connectors.Spec{
		Type: "shop",
		Actions: []connectors.ActionSpec{
			{Name: "get", Kind: connectors.Read, Output: cty.String,
				Args: schema.Object{Attrs: []schema.Attr{{Name: "id", Type: cty.String, Required: true}}}},
			{Name: "put", Kind: connectors.Write, Output: cty.String, Identity: []string{"id"}, Guarantee: connectors.ReadBack,
				Args: schema.Object{Attrs: []schema.Attr{{Name: "id", Type: cty.String, Required: true}}}},
		},
		Triggers: []connectors.TriggerSpec{{Kind: "shop_hook", Mode: connectors.Webhook,
			Event: cty.Object(map[string]cty.Type{"id": cty.String})}},
	}
}

// The registry refuses a malformed connector at start-up, saying what is wrong.
func TestRegistryRejectsMalformedSpecs(t *testing.T) {
	cases := map[string]func(*connectors.Spec){
		"not a valid identifier":       func(s *connectors.Spec) { s.Type = "my-shop" },
		"declared twice":               func(s *connectors.Spec) { s.Actions = append(s.Actions, s.Actions[0]) },
		"kind must be read or write":   func(s *connectors.Spec) { s.Actions[0].Kind = "maybe" },
		"no output type":               func(s *connectors.Spec) { s.Actions[0].Output = cty.NilType },
		"needs identity arguments":     func(s *connectors.Spec) { s.Actions[1].Identity = nil },
		"must be a required argument":  func(s *connectors.Spec) { s.Actions[1].Identity = []string{"nope"} },
		"a write needs a guarantee":    func(s *connectors.Spec) { s.Actions[1].Guarantee = "" },
		"a read has no guarantee":      func(s *connectors.Spec) { s.Actions[0].Guarantee = connectors.Idempotent },
		"kind must be shop_<name>":     func(s *connectors.Spec) { s.Triggers[0].Kind = "hook" },
		"mode must be webhook or poll": func(s *connectors.Spec) { s.Triggers[0].Mode = "push" },
		"is reserved": func(s *connectors.Spec) {
			s.Triggers[0].Args.Attrs = []schema.Attr{{Name: "schedule", Type: cty.String}}
		},
		"event type must be an object": func(s *connectors.Spec) { s.Triggers[0].Event = cty.String },
		`attribute "a b": not a valid identifier`: func(s *connectors.Spec) {
			s.Config.Attrs = []schema.Attr{{Name: "a b", Type: cty.String}}
		},
	}
	for want, breakIt := range cases {
		spec := valid()
		breakIt(&spec)
		_, err := connectors.NewRegistry(func() connectors.Connector { return specOnly{spec} })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v", want, err)
		}
	}
	reg, err := connectors.NewRegistry(func() connectors.Connector { return specOnly{valid()} })
	if err != nil {
		t.Fatalf("a valid spec was refused: %v", err)
	}
	if _, err := connectors.NewRegistry(func() connectors.Connector { return specOnly{valid()} }, func() connectors.Connector { return specOnly{valid()} }); err == nil {
		t.Fatal("the same connector type twice was accepted")
	}
	if _, ts, ok := reg.Trigger("shop_hook"); !ok || ts.Mode != connectors.Webhook {
		t.Fatal("trigger lookup")
	}
}
