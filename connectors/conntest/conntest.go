// Package conntest provides a recording in-memory connector ("memory") for
// tests of the engine and of pipelines: it stores records by key, counts
// every call, and can be told to fail, to rate-limit, or to lose the answer
// of a write that did land (as a crash or a timeout would).
package conntest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

// Store is the shared state behind every connection of one Connector.
type Store struct {
	mu      sync.Mutex
	records map[string]cty.Value
	writes  []Write
	// versions counts the writes per key: a record's version.
	versions map[string]int
	reads    int
	plans    int
	polls    int
	faults   Faults
	// pollPage is how many events PollPages hands over at a time (0: all
	// at once); polledPages counts the pages handed over.
	pollPage, polledPages int
	// Hold, when set, receives the action name before each call and blocks
	// it until the test reads from Release.
	Hold    chan string
	Release chan struct{}
}

// Write is one recorded write.
type Write struct {
	Key     string
	Record  cty.Value
	IdemKey string
}

// Faults make calls fail.
type Faults struct {
	// FailWrites fails the next N writes with a retryable error, nothing written.
	FailWrites int
	// LoseWriteAnswers lets the next N writes land, then returns an error as
	// if the connection dropped before the answer arrived.
	LoseWriteAnswers int
	// PermanentWrites fails every write with a permanent error.
	PermanentWrites bool
	// RetryAfter makes the next N calls answer with a RetryAfterError.
	RetryAfter      int
	RetryAfterDelay time.Duration
	// FailReads fails the next N reads with a retryable error.
	FailReads int
	// PartialReads answers the next N reads with a partial read
	// (connectors.PartialError): the record's output, and a permanent error
	// saying a part of it was left out.
	PartialReads int
	// DeferPlans makes the next N write plans wait (the target is not ready).
	DeferPlans int
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{records: map[string]cty.Value{}, versions: map[string]int{}} }

// Connector returns a constructor for the registry, bound to s.
func (s *Store) Connector() func() connectors.Connector {
	return func() connectors.Connector { return connector{s} }
}

// SetFaults replaces the faults.
func (s *Store) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// Put seeds a record.
func (s *Store) Put(key string, v cty.Value) {
	s.mu.Lock()
	s.records[key] = v
	s.mu.Unlock()
}

// Get returns a record.
func (s *Store) Get(key string) (cty.Value, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.records[key]
	return v, ok
}

// Keys returns the stored keys, sorted.
func (s *Store) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.records))
	for k := range s.records {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Writes returns every write that landed, in order.
func (s *Store) Writes() []Write {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Write(nil), s.writes...)
}

// Polls returns how many polls were served.
func (s *Store) Polls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls
}

// SetPollPage makes PollPages hand over n events a page (0: all at once).
func (s *Store) SetPollPage(n int) {
	s.mu.Lock()
	s.pollPage = n
	s.mu.Unlock()
}

// PolledPages counts the pages PollPages has handed over.
func (s *Store) PolledPages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polledPages
}

// Reads returns how many reads were served.
func (s *Store) Reads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// Output is the output type of both actions.
var Output = cty.Object(map[string]cty.Type{"key": cty.String, "value": cty.DynamicPseudoType, "version": cty.Number})

type connector struct{ s *Store }

func (c connector) Spec() connectors.Spec {
	return connectors.Spec{
		Type: "memory",
		Doc:  "An in-memory record store for tests.",
		Config: schema.Object{Attrs: []schema.Attr{
			{Name: "token", Type: cty.String, Sensitive: true, Doc: "Ignored; lets tests pass a secret."},
		}},
		Actions: []connectors.ActionSpec{
			{Name: "get", Kind: connectors.Read, Output: Output, Doc: "Read a record (null value when absent).",
				Args: schema.Object{Attrs: []schema.Attr{{Name: "key", Type: cty.String, Required: true}}}},
			{Name: "put", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: Output, Identity: []string{"key"}, Doc: "Write a record.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "key", Type: cty.String, Required: true},
					{Name: "value", Type: cty.DynamicPseudoType, Required: true},
				}}},
			{Name: "append", Kind: connectors.Write, Guarantee: connectors.AtMostOnce, Output: Output, Identity: []string{"key"},
				Doc: "Append a value to a record's log, which cannot be read back (as an email).",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "key", Type: cty.String, Required: true},
					{Name: "value", Type: cty.DynamicPseudoType, Required: true},
				}}},
		},
		Triggers: []connectors.TriggerSpec{{
			Kind: "memory_poll", Mode: connectors.Poll, Doc: "One event per record whose key starts with prefix.",
			Args:  schema.Object{Attrs: []schema.Attr{{Name: "prefix", Type: cty.String}}},
			Event: cty.Object(map[string]cty.Type{"key": cty.String}),
		}},
	}
}

func (c connector) Open(context.Context, connectors.Config) (connectors.Conn, error) {
	return conn{c.s}, nil
}

type conn struct{ s *Store }

func (conn) Close() error { return nil }

func (c conn) hold(ctx context.Context, action string) error {
	if c.s.Hold == nil {
		return nil
	}
	select {
	case c.s.Hold <- action:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-c.s.Release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c conn) Read(ctx context.Context, action string, args cty.Value) (cty.Value, error) {
	if err := c.hold(ctx, action); err != nil {
		return cty.NilVal, err
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if err := c.s.rateLimitedLocked(); err != nil {
		return cty.NilVal, err
	}
	if c.s.faults.FailReads > 0 {
		c.s.faults.FailReads--
		return cty.NilVal, errors.New("memory: read failed (injected)")
	}
	c.s.reads++
	key := args.GetAttr("key").AsString()
	if c.s.faults.PartialReads > 0 {
		c.s.faults.PartialReads--
		return cty.NilVal, &connectors.PartialError{Value: c.s.outputLocked(key),
			Err: connectors.Permanent(fmt.Errorf("memory: a part of %s could not be read (injected)", key))}
	}
	return c.s.outputLocked(key), nil
}

func (s *Store) outputLocked(key string) cty.Value {
	v, ok := s.records[key]
	if !ok {
		v = cty.NullVal(cty.DynamicPseudoType)
	}
	return cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": v, "version": cty.NumberIntVal(int64(s.versions[key]))})
}

func (s *Store) rateLimitedLocked() error {
	if s.faults.RetryAfter > 0 {
		s.faults.RetryAfter--
		return &connectors.RetryAfterError{After: s.faults.RetryAfterDelay, Err: errors.New("memory: rate limited (injected)")}
	}
	return nil
}

func (c conn) PlanWrite(ctx context.Context, action string, args cty.Value) (connectors.Change, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.s.plans++
	key := args.GetAttr("key").AsString()
	if c.s.faults.DeferPlans > 0 {
		c.s.faults.DeferPlans--
		return connectors.Change{}, connectors.Defer(time.Minute, fmt.Errorf("memory: %s is not ready (injected)", key))
	}
	if action == "append" {
		// Nothing to read back: every append is a create.
		return connectors.Change{Op: connectors.OpCreate, Before: cty.NullVal(cty.DynamicPseudoType), After: args}, nil
	}
	desired := args.GetAttr("value")
	current, ok := c.s.records[key]
	if !ok {
		return connectors.Change{Op: connectors.OpCreate, Before: cty.NullVal(cty.DynamicPseudoType), After: args}, nil
	}
	before := cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": connectors.Project(current, desired)})
	ch := connectors.Change{Op: connectors.OpUpdate, Before: before, After: args, Fingerprint: connectors.Fingerprint(current)}
	if connectors.Equivalent(connectors.Project(current, desired), desired) {
		ch.Op = connectors.OpNoop
		ch.Output = c.s.outputLocked(key)
	}
	return ch, nil
}

func (c conn) ApplyWrite(ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
	if err := c.hold(ctx, w.Action); err != nil {
		return cty.NilVal, err
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if err := c.s.rateLimitedLocked(); err != nil {
		return cty.NilVal, err
	}
	key := w.Args.GetAttr("key").AsString()
	switch {
	case c.s.faults.PermanentWrites:
		return cty.NilVal, connectors.Permanent(fmt.Errorf("memory: %s rejected (injected)", key))
	case c.s.faults.FailWrites > 0:
		c.s.faults.FailWrites--
		return cty.NilVal, fmt.Errorf("memory: write of %s failed (injected)", key)
	}
	val, _ := w.Args.GetAttr("value").UnmarkDeep()
	c.s.records[key] = val
	c.s.writes = append(c.s.writes, Write{Key: key, Record: val, IdemKey: w.Key})
	c.s.versions[key]++
	if c.s.faults.LoseWriteAnswers > 0 {
		c.s.faults.LoseWriteAnswers--
		return cty.NilVal, fmt.Errorf("memory: connection lost after writing %s (injected)", key)
	}
	return c.s.outputLocked(key), nil
}

// PollPages is Poll a page at a time (SetPollPage).
func (c conn) PollPages(ctx context.Context, trigger string, args cty.Value, w connectors.Window, page func([]connectors.Event) error) (string, error) {
	events, cursor, err := c.Poll(ctx, trigger, args, w)
	if err != nil {
		return w.Cursor, err
	}
	c.s.mu.Lock()
	size := c.s.pollPage
	c.s.mu.Unlock()
	if size <= 0 {
		size = max(1, len(events))
	}
	for start := 0; start < len(events); start += size {
		c.s.mu.Lock()
		c.s.polledPages++
		c.s.mu.Unlock()
		if err := page(events[start:min(start+size, len(events))]); err != nil {
			return w.Cursor, err
		}
	}
	return cursor, nil
}

func (c conn) Poll(ctx context.Context, trigger string, args cty.Value, w connectors.Window) ([]connectors.Event, string, error) {
	prefix := ""
	if p := args.GetAttr("prefix"); !p.IsNull() {
		prefix = p.AsString()
	}
	c.s.mu.Lock()
	c.s.polls++
	c.s.mu.Unlock()
	var events []connectors.Event
	for _, k := range c.s.Keys() {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix && k > w.Cursor {
			events = append(events, connectors.Event{Key: k, Data: cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(k)})})
		}
	}
	cursor := w.Cursor
	if len(events) > 0 {
		cursor = events[len(events)-1].Key
	}
	return events, cursor, nil
}

// ThreeSteps is the pipeline the engine's benchmarks run for each event: a
// read, a transform and a write through the ledger, on the memory
// connector, triggered by a cron tick.
const ThreeSteps = `
connection "memory" "m" {}
pipeline "p" {
  trigger "cron" "tick" {
    schedule = "@hourly"
  }
  step "read" {
    action = memory.get
    key    = "source"
  }
  transform "shape" {
    value = { tick = trigger.tick, source = step.read.output.key }
  }
  step "write" {
    action = memory.put
    key    = "out/${trigger.tick}"
    value  = transform.shape
  }
}
`
