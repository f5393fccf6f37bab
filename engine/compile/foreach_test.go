package compile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/zclconf/go-cty/cty"
)

// shopConnector stands for a store: its connections serve the route key
// "shop:<key>"; hubConnector for an account whose events hold records of
// several stores, and can say which (hub_poll) or cannot (hub_blind).
type shopConnector struct{}

var recordList = cty.Object(map[string]cty.Type{"records": cty.List(cty.Object(map[string]cty.Type{"shop": cty.String, "id": cty.Number}))})

func (shopConnector) Spec() connectors.Spec {
	return connectors.Spec{Type: "shop",
		Config: schema.Object{Attrs: []schema.Attr{{Name: "key", Type: cty.String, Required: true}}},
		Actions: []connectors.ActionSpec{{Name: "get", Kind: connectors.Read, Output: cty.String,
			Args: schema.Object{Attrs: []schema.Attr{{Name: "id", Type: cty.Number}}}}},
		Triggers: []connectors.TriggerSpec{{Kind: "shop_webhook", Mode: connectors.Webhook, Event: recordList}},
		RouteKey: func(cfg cty.Value) string {
			if k := cfg.GetAttr("key"); k.IsKnown() && !k.IsNull() {
				return "shop:" + k.AsString()
			}
			return ""
		},
	}
}

func (shopConnector) Open(context.Context, connectors.Config) (connectors.Conn, error) {
	return nil, nil
}

type hubConnector struct{}

func (hubConnector) Spec() connectors.Spec {
	return connectors.Spec{Type: "hub", Triggers: []connectors.TriggerSpec{
		{Kind: "hub_poll", Mode: connectors.Poll, Event: recordList, Route: func(cty.Value) map[string]cty.Value { return nil }},
		{Kind: "hub_blind", Mode: connectors.Poll, Event: recordList},
	}}
}

func (hubConnector) Open(context.Context, connectors.Config) (connectors.Conn, error) {
	return nil, nil
}

func compileStores(t *testing.T, src string) (*compile.Program, hcl.Diagnostics) {
	t.Helper()
	cfg, diags := config.Parse(map[string][]byte{"p.hcl": []byte(src)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	reg := connectors.MustRegistry(func() connectors.Connector { return shopConnector{} }, func() connectors.Connector { return hubConnector{} })
	return compile.Compile(cfg, compile.Options{Registry: reg, Getenv: func(string) (string, bool) { return "", false }})
}

const stores = `connection "shop" "main" {
  key = "m"
}

connection "shop" "outlet" {
  key = "o"
}

connection "shop" "closed" {
  enabled = false
  key     = "c"
}

connection "hub" "main" {}
`

func TestPipelineForEachMakesOneInstancePerEnabledConnection(t *testing.T) {
	prog, diags := compileStores(t, stores+`
pipeline "p" {
  for_each = connection.shop

  trigger "shop_webhook" "changed" {}
  trigger "hub_poll" "shipped" {
    schedule = "@hourly"
  }

  step "get" {
    action = shop.get
    id     = length(trigger.records)
  }
}
`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	pl := prog.Pipeline("p")
	var names []string
	for _, tr := range pl.Triggers {
		inst := ""
		if tr.Instance != nil {
			inst = tr.Instance.Name
		}
		names = append(names, tr.Name+"="+tr.Conn.Addr()+"@"+inst)
	}
	want := "changed.main=connection.shop.main@main changed.outlet=connection.shop.outlet@outlet shipped=connection.hub.main@"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("triggers\n got %s\nwant %s", got, want)
	}
	var inst []string
	for _, c := range pl.ForEach.Instances {
		inst = append(inst, c.Name+"="+c.RouteKey)
	}
	if got := strings.Join(inst, " "); got != "main=shop:m outlet=shop:o" {
		t.Errorf("instances %s", got)
	}
	if !pl.Nodes["step.get"].Instanced {
		t.Error("step.get names no connection: it should use its instance's")
	}
	// trigger.name is the block's name, whichever instance fired.
	v := pl.EventValue(pl.Trigger("changed.outlet"), cty.NullVal(recordList))
	if got := v.GetAttr("name").AsString(); got != "changed" {
		t.Errorf("trigger.name = %q, want changed", got)
	}
}

func TestPipelineForEachMisuse(t *testing.T) {
	for _, c := range []struct {
		name, body, summary, detail string
		line, col                   int
	}{
		{"not a connection", `for_each = { a = 1 }`, "Invalid pipeline for_each", "takes the connections of one connector", 4, 14},
		{"one connection", `for_each = connection.shop.main`, "Invalid pipeline for_each", "connection.shop.main names one connection", 4, 14},
		{"undeclared type", `for_each = connection.shp`, "Reference to undeclared connection", `Did you mean "shop"?`, 4, 14},
		{"unroutable trigger", "for_each = connection.shop\n  trigger \"hub_blind\" \"t\" {\n    schedule = \"@hourly\"\n  }",
			"Trigger cannot be split among instances", `do not say which shop connection`, 5, 3},
		{"wrong connection type", "for_each = connection.shop\n  step \"s\" {\n    action     = shop.get\n    connection = connection.hub.main\n  }",
			"Wrong connection type", "needs a shop connection", 7, 18},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, diags := compileStores(t, "\n\npipeline \"p\" {\n  "+c.body+"\n}\n"+stores)
			if len(diags) != 1 {
				t.Fatalf("want one diagnostic, got %v", diags)
			}
			d := diags[0]
			if d.Summary != c.summary || !strings.Contains(d.Detail, c.detail) {
				t.Errorf("got %s: %s", d.Summary, d.Detail)
			}
			if d.Subject == nil || d.Subject.Start.Line != c.line || d.Subject.Start.Column != c.col {
				t.Errorf("subject %v, want p.hcl:%d,%d", d.Subject, c.line, c.col)
			}
		})
	}
}

func TestPipelineForEachRefusesTwoConnectionsOfOneStore(t *testing.T) {
	_, diags := compileStores(t, stores+`
connection "shop" "again" {
  key = "o"
}

pipeline "p" {
  for_each = connection.shop
}
`)
	if len(diags) != 1 || diags[0].Summary != "Two connections serve the same records" ||
		!strings.Contains(diags[0].Detail, "connection.shop.outlet and connection.shop.again both serve shop:o") {
		t.Fatalf("got %v", diags)
	}
}

// Events, hooks and runs recorded before a pipeline had instances name the
// trigger block: they reach its instance for main.
func TestPipelineForEachFindsTheMainInstanceByTheBlockName(t *testing.T) {
	prog, diags := compileStores(t, stores+`
pipeline "p" {
  for_each = connection.shop
  trigger "shop_webhook" "changed" {}
}
`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	pl := prog.Pipeline("p")
	if tr := pl.Trigger("changed"); tr == nil || tr.Name != "changed.main" {
		t.Errorf("Trigger(changed) = %v, want changed.main", tr)
	}
	if tr := pl.Trigger("changed.outlet"); tr == nil || tr.Instance.Name != "outlet" {
		t.Errorf("Trigger(changed.outlet) = %v", tr)
	}
	if tr := pl.Trigger("nope"); tr != nil {
		t.Errorf("Trigger(nope) = %v, want nil", tr)
	}
}
