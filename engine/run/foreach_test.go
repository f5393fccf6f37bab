package run_test

import (
	"bytes"
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/run"
	"github.com/zclconf/go-cty/cty"
)

// A shop is a store whose connections serve "shop:<key>"; a hub holds
// records of several shops and splits its events by their shop.
var hubRecord = cty.Object(map[string]cty.Type{"shop": cty.String, "id": cty.Number})
var hubEvent = cty.Object(map[string]cty.Type{"records": cty.List(hubRecord)})

type shops struct {
	mu    sync.Mutex
	reads []string // "<connection>:<id>"
}

func (s *shops) connector() connectors.Connector { return shopConn{s: s} }

type shopConn struct {
	s    *shops
	name string
}

func (c shopConn) Spec() connectors.Spec {
	return connectors.Spec{Type: "shop",
		Config: schema.Object{Attrs: []schema.Attr{{Name: "key", Type: cty.String, Required: true}}},
		Actions: []connectors.ActionSpec{{Name: "get", Kind: connectors.Read, Output: cty.String,
			Args: schema.Object{Attrs: []schema.Attr{{Name: "ids", Type: cty.List(cty.Number)}}}}},
		RouteKey: func(cfg cty.Value) string { return "shop:" + cfg.GetAttr("key").AsString() },
	}
}

func (c shopConn) Open(_ context.Context, cfg connectors.Config) (connectors.Conn, error) {
	return shopConn{s: c.s, name: cfg.Name}, nil
}

func (c shopConn) Read(_ context.Context, _ string, args cty.Value) (cty.Value, error) {
	var ids []string
	for _, v := range args.GetAttr("ids").AsValueSlice() {
		ids = append(ids, v.AsBigFloat().String())
	}
	c.s.mu.Lock()
	c.s.reads = append(c.s.reads, c.name+":"+strings.Join(ids, ","))
	c.s.mu.Unlock()
	return cty.StringVal(c.name), nil
}

func (shopConn) PlanWrite(context.Context, string, cty.Value) (connectors.Change, error) {
	return connectors.Change{}, nil
}
func (shopConn) ApplyWrite(context.Context, connectors.WriteRequest) (cty.Value, error) {
	return cty.NilVal, nil
}
func (shopConn) Close() error { return nil }

type hubConn struct{}

func (hubConn) Spec() connectors.Spec {
	return connectors.Spec{Type: "hub", Triggers: []connectors.TriggerSpec{{Kind: "hub_poll", Mode: connectors.Poll, Event: hubEvent,
		Route: func(ev cty.Value) map[string]cty.Value {
			by := map[string][]cty.Value{}
			for _, r := range ev.GetAttr("records").AsValueSlice() {
				k := "shop:" + r.GetAttr("shop").AsString()
				if r.GetAttr("shop").AsString() == "*" {
					k = connectors.EveryInstance // a record of no shop, for all
				}
				by[k] = append(by[k], r)
			}
			out := map[string]cty.Value{}
			for k, rs := range by {
				out[k] = cty.ObjectVal(map[string]cty.Value{"records": cty.ListVal(rs)})
			}
			return out
		}}}}
}

func (hubConn) Open(context.Context, connectors.Config) (connectors.Conn, error) { return nil, nil }

func TestForEachRoutesEachRecordToItsStoreOnly(t *testing.T) {
	src := `
connection "shop" "main" {
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

pipeline "p" {
  for_each = connection.shop

  trigger "hub_poll" "shipped" {
    schedule = "@hourly"
  }
  trigger "cron" "nightly" {
    schedule = "@daily"
  }

  step "get" {
    action = shop.get
    ids    = trigger.kind == "cron" ? [] : [for r in trigger.records : r.id]
  }
}
`
	s := &shops{}
	reg := connectors.MustRegistry(s.connector, func() connectors.Connector { return hubConn{} })
	cfg, diags := config.Parse(map[string][]byte{"main.hcl": []byte(src)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	prog, diags := compile.Compile(cfg, compile.Options{Registry: reg, Getenv: func(string) (string, bool) { return "", false }})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var logs bytes.Buffer
	eng := run.New(prog, nil, run.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer eng.Close()

	rec := func(shop string, id int64) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"shop": cty.StringVal(shop), "id": cty.NumberIntVal(id)})
	}
	ev := cty.ObjectVal(map[string]cty.Value{"records": cty.ListVal([]cty.Value{
		rec("m", 1), rec("o", 2), rec("x", 3), rec("m", 4), rec("c", 5),
	})})
	res := eng.Execute(ctxT(t), run.Plan, run.Event{Pipeline: "p", Trigger: "shipped", Key: "page-1", Data: ev}, nil, "")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	sort.Strings(s.reads)
	if got := strings.Join(s.reads, " "); got != "main:1,4 outlet:2" {
		t.Errorf("reads %q, want each store its own records: main:1,4 outlet:2", got)
	}
	var addrs []string
	for _, r := range res.Plan.Reads {
		addrs = append(addrs, r.Address)
	}
	if got := strings.Join(addrs, " "); got != "[main] step.get [outlet] step.get" {
		t.Errorf("plan reads %q", got)
	}
	for _, serves := range []string{"serves=shop:x", "serves=shop:c"} {
		if !strings.Contains(logs.String(), `msg="records skipped: no enabled connection serves them"`) || !strings.Contains(logs.String(), serves) {
			t.Errorf("no log line for %s: %s", serves, logs.String())
		}
	}

	// A part for every instance goes to each store with no part of its own.
	s.reads = nil
	ev = cty.ObjectVal(map[string]cty.Value{"records": cty.ListVal([]cty.Value{rec("m", 1), rec("*", 9)})})
	if res := eng.Execute(ctxT(t), run.Plan, run.Event{Pipeline: "p", Trigger: "shipped", Key: "page-2", Data: ev}, nil, ""); res.Err != nil {
		t.Fatal(res.Err)
	}
	sort.Strings(s.reads)
	if got := strings.Join(s.reads, " "); got != "main:1 outlet:9" {
		t.Errorf("reads %q, want main:1 outlet:9 (the part for every instance to the store without records)", got)
	}

	// A cron tick runs in every instance.
	s.reads = nil
	tick := cty.ObjectVal(map[string]cty.Value{"tick": cty.StringVal("2026-01-01T00:00:00Z")})
	if res := eng.Execute(ctxT(t), run.Plan, run.Event{Pipeline: "p", Trigger: "nightly", Key: "t", Data: tick}, nil, ""); res.Err != nil {
		t.Fatal(res.Err)
	}
	sort.Strings(s.reads)
	if got := strings.Join(s.reads, " "); got != "main: outlet:" {
		t.Errorf("cron reads %q, want one per enabled store", got)
	}
}
