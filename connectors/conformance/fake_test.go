package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

// flaws are the mistakes the fake connector can be told to make; each is
// one the suite must catch.
type flaws struct {
	invalidSpec, unstableSpec, noDocs, unmarkedSecret bool
	closeTwiceFails                                   bool
	flakyReads, planWrites, neverNoop, badOutput      bool
	leakErrors, leakLogs, leakOutputs                 bool
}

// fake is a small in-memory connector that behaves well unless told to
// make one of its flaws.
type fake struct {
	flaws
	specCalls atomic.Int64
	mu        sync.Mutex
	records   map[string]string
	reads     int
	planned   int
}

func newFake(f flaws) *fake { return &fake{flaws: f, records: map[string]string{}} }

var fakeOutput = cty.Object(map[string]cty.Type{"key": cty.String, "value": cty.String})

func (f *fake) Spec() connectors.Spec {
	n := f.specCalls.Add(1)
	doc := "Records in memory."
	if f.unstableSpec {
		doc = fmt.Sprintf("Records in memory (call %d).", n)
	}
	actionDoc := "Write a record."
	if f.noDocs {
		actionDoc = ""
	}
	name := "put"
	if f.invalidSpec {
		name = "1put"
	}
	return connectors.Spec{
		Type: "fake",
		Doc:  doc,
		Config: schema.Object{Attrs: []schema.Attr{
			{Name: "api_token", Type: cty.String, Required: true, Sensitive: !f.unmarkedSecret},
			{Name: "fail", Type: cty.Bool},
		}},
		Actions: []connectors.ActionSpec{
			{Name: "get", Kind: connectors.Read, Output: fakeOutput, Doc: "Read a record.",
				Args: schema.Object{Attrs: []schema.Attr{{Name: "key", Type: cty.String, Required: true}}}},
			{Name: name, Kind: connectors.Write, Guarantee: connectors.ReadBack, Output: fakeOutput, Identity: []string{"key"}, Doc: actionDoc,
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "key", Type: cty.String, Required: true},
					{Name: "value", Type: cty.String, Required: true},
					{Name: "note", Type: cty.String},
				}}},
		},
		Triggers: []connectors.TriggerSpec{{Kind: "fake_poll", Mode: connectors.Poll, Doc: "Every record.",
			Event: cty.Object(map[string]cty.Type{"key": cty.String})}},
	}
}

func (f *fake) Open(_ context.Context, cfg connectors.Config) (connectors.Conn, error) {
	token := cfg.Values.GetAttr("api_token").AsString()
	if f.leakLogs {
		cfg.Logger.Info("opening", "token", token)
	}
	fail := cfg.Values.GetAttr("fail")
	return &fakeConn{f: f, token: token, fail: !fail.IsNull() && fail.True()}, nil
}

type fakeConn struct {
	f      *fake
	token  string
	fail   bool
	closed atomic.Bool
}

func (c *fakeConn) err() error {
	if !c.fail {
		return nil
	}
	if c.f.leakErrors {
		return fmt.Errorf("fake: unauthorized with token %s", c.token)
	}
	return errors.New("fake: unauthorized")
}

func (c *fakeConn) output(key, value string) cty.Value {
	if c.f.leakOutputs {
		value += " " + c.token
	}
	return cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": cty.StringVal(value)})
}

func (c *fakeConn) Read(_ context.Context, _ string, args cty.Value) (cty.Value, error) {
	if err := c.err(); err != nil {
		return cty.NilVal, err
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.reads++
	key := args.GetAttr("key").AsString()
	value := c.f.records[key]
	if c.f.flakyReads {
		value = fmt.Sprintf("%s (read %d)", value, c.f.reads)
	}
	return c.output(key, value), nil
}

func (c *fakeConn) PlanWrite(_ context.Context, _ string, args cty.Value) (connectors.Change, error) {
	if err := c.err(); err != nil {
		return connectors.Change{}, err
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	key, value := args.GetAttr("key").AsString(), args.GetAttr("value").AsString()
	after := cty.ObjectVal(map[string]cty.Value{"value": cty.StringVal(value)})
	current, ok := c.f.records[key]
	if c.f.planWrites {
		c.f.planned++
		current, ok = fmt.Sprint(c.f.planned), true
		c.f.records[key] = current
	}
	if !ok {
		return connectors.Change{Op: connectors.OpCreate, Before: cty.NullVal(after.Type()), After: after}, nil
	}
	before := cty.ObjectVal(map[string]cty.Value{"value": cty.StringVal(current)})
	ch := connectors.Change{Op: connectors.OpUpdate, Before: before, After: after, Fingerprint: connectors.Fingerprint(before)}
	if current == value && !c.f.neverNoop {
		ch.Op, ch.Output = connectors.OpNoop, c.output(key, current)
	}
	return ch, nil
}

func (c *fakeConn) ApplyWrite(_ context.Context, w connectors.WriteRequest) (cty.Value, error) {
	if err := c.err(); err != nil {
		return cty.NilVal, err
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	key, value := w.Args.GetAttr("key").AsString(), w.Args.GetAttr("value").AsString()
	c.f.records[key] = value
	if c.f.badOutput {
		return cty.StringVal(value), nil
	}
	return c.output(key, value), nil
}

func (c *fakeConn) Close() error {
	if c.closed.Swap(true) && c.f.closeTwiceFails {
		return errors.New("fake: already closed")
	}
	return nil
}
