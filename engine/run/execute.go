package run

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/cpugate"
	"github.com/toteworks/tote/engine/plan"
	"github.com/toteworks/tote/engine/state"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Event is one trigger event for one pipeline.
type Event struct {
	Pipeline string
	// Trigger is the trigger's name; empty for a manual run of a pipeline
	// without triggers.
	Trigger string
	Key     string
	// Data is of the trigger's event type; null for manual runs.
	Data cty.Value
}

// Result is what one run did.
type Result struct {
	RunID string
	// Plan lists the reads, the writes (planned, or performed in apply) and
	// the failures.
	Plan   *plan.Run
	Writes int
	// Err is nil when every node succeeded.
	Err error
	// RetryAfter is the longest wait a connector asked for.
	RetryAfter time.Duration
	// Permanent is true when every failure is permanent: retrying the run
	// cannot help.
	Permanent bool
	// Parked is true when a write's outcome is unknown and cannot be read
	// back (UnknownOutcomeError): the event waits for tote retry.
	Parked bool
	// Took is how long the run took.
	Took time.Duration
	// Deferred, when positive, says some writes wait for their target to
	// be ready: the event should run again after it.
	Deferred time.Duration
}

// Record is a run's rows in state (the run and its step attempts, and
// what it learnt of its event), left by ExecuteDeferred for its caller to
// commit.
type Record struct {
	// Subjects are the orders and SKUs of an event whose records were
	// fetched when the run started (a ShipStation notification): its
	// enqueue could not name them.
	Subjects []state.Subject
	// Resolved is the event the run saw when its records were fetched as
	// it started; nil otherwise.
	Resolved []byte
	Run      state.Run
	Attempts []state.StepAttempt
	// Intents are the ledger entries of the run's idempotent writes, which
	// open no intent before the call: the caller records them, with Links,
	// when it commits the run (state.Settlement.Intents).
	Intents []state.Intent
	Links   []state.Link
}

// Execute runs pipeline ev.Pipeline for one event. In Apply mode with a
// non-nil constraint, only the writes of that plan are performed, and only
// while their targets are as they were when planned. runID, when not empty,
// records the run and its step attempts in state.
func (e *Engine) Execute(ctx context.Context, mode Mode, ev Event, constraint *plan.Run, runID string) *Result {
	res, _ := e.execute(ctx, mode, ev, constraint, runID, false)
	return res
}

// ExecuteDeferred applies like Execute, but returns the run's record for
// the caller to commit together with what it does next (the worker settles
// the inbox item in the same commit). The record is zero when the event
// never became a run.
func (e *Engine) ExecuteDeferred(ctx context.Context, ev Event, runID string) (*Result, Record) {
	return e.execute(ctx, Apply, ev, nil, runID, true)
}

// execute runs ev. For a worker, the run's record is returned instead of
// being written to state. (It is a local that x.finish fills, not a field
// of an execution or reached from one: the heap is where a part's
// execution is, and the record would be put there too.)
func (e *Engine) execute(ctx context.Context, mode Mode, ev Event, constraint *plan.Run, runID string, worker bool) (*Result, Record) {
	pl := e.prog.Pipeline(ev.Pipeline)
	res := &Result{RunID: runID, Plan: &plan.Run{Pipeline: ev.Pipeline, Trigger: ev.Trigger, EventKey: ev.Key}}
	if pl == nil {
		res.Err = connectors.Permanent(fmt.Errorf("no pipeline %q", ev.Pipeline))
		res.Permanent = true
		return res, Record{}
	}
	if mode == Apply && e.store == nil {
		res.Err = errors.New("apply needs a state store")
		return res, Record{}
	}
	var trig *compile.Trigger
	if ev.Trigger != "" {
		if trig = pl.Trigger(ev.Trigger); trig == nil {
			res.Err = connectors.Permanent(fmt.Errorf("pipeline %q has no trigger %q", ev.Pipeline, ev.Trigger))
			res.Permanent = true
			return res, Record{}
		}
	}
	data := ev.Data
	if data == cty.NilVal {
		data = cty.NullVal(cty.DynamicPseudoType)
	}
	resolved, changed, resolveErr := e.resolveEvent(ctx, trig, data)
	var rec Record // a worker's
	if resolveErr == nil {
		if changed && !resolved.RawEquals(data) {
			// Unmarked and encoded once, for the plan and for the run's record.
			plain := unmarked(resolved)
			res.Plan.Event = encodePlain(trig, plain)
			if worker {
				rec.Subjects, rec.Resolved = subjectsOf(trig, plain), res.Plan.Event
			}
		}
		data = resolved
	}
	if trig != nil && !data.IsNull() && res.Plan.Event == nil && !worker {
		// A worker's run leaves it out: its event is its item's payload.
		res.Plan.Event = EncodeEvent(trig, data)
	}
	now := e.opts.Clock()
	// One redactor for the run: it learns the sensitive values its walks see.
	redact := e.secrets.clone()
	// x collects the run's outcome; each part is walked by an execution of
	// its own, which alone needs a scope.
	run := func() *execution {
		return &execution{e: e, mode: mode, pl: pl, constraint: constraint, runID: runID, res: res, worker: worker, started: now,
			redact: redact}
	}
	x := run()
	newExecution := func(p part) *execution {
		px := run()
		px.values = make([]nodeValue, 0, len(pl.Nodes))
		if runID != "" && mode == Apply {
			// One attempt per step, unless some retry or have for_each.
			px.attempts = make([]state.StepAttempt, 0, len(pl.Decl.Steps))
		}
		px.inst = p.instance
		px.base = &compile.Scope{
			Vars: e.prog.Vars, Locals: e.prog.Locals, Connections: e.connections,
			Trigger: pl.EventValue(trig, p.data),
			Run:     cty.DynamicVal, // when no expression refers to it
			Funcs:   e.prog.Functions(mode == Plan),
		}
		if pl.RefersToRun {
			px.base.Run = cty.ObjectVal(map[string]cty.Value{
				"id": runIDValue(mode, runID), "pipeline": cty.StringVal(pl.Name),
				"mode": cty.StringVal(string(mode)), "time": cty.StringVal(now.UTC().Format(time.RFC3339)),
			})
		}
		if pl.ForEach != nil && len(pl.ForEach.Instances) > 1 && p.instance != nil {
			// Which store a change is for, once there are several.
			px.prefix = "[" + p.instance.Name + "] "
		}
		return px
	}
	if runID != "" && mode == Apply && !worker {
		if err := e.store.StartRun(ctx, state.Run{ID: runID, Pipeline: pl.Name, Trigger: ev.Trigger, EventKey: ev.Key,
			Mode: string(mode), Status: state.RunRunning, StartedAt: now}); err != nil {
			res.Err = fmt.Errorf("recording the run: %w", err)
			return res, rec
		}
	}

	if resolveErr != nil {
		// Appended here, not by x.fail: its lock would move x to the heap.
		x.failures = append(x.failures, failure{"trigger." + trig.Name, resolveErr})
		x.finish(ctx, nil, &rec)
		return res, rec
	}
	// The instances of a split event run one after another, as one run.
	var walkErr error
	for _, p := range e.route(pl, trig, ev.Key, data) {
		px := newExecution(p)
		if err := pl.Graph.Walk(ctx, e.opts.Parallelism, px.node).Err(); err != nil && walkErr == nil {
			walkErr = err
		}
		x.failures = adopt(x.failures, px.failures)
		x.attempts = adopt(x.attempts, px.attempts)
		x.ledger = adopt(x.ledger, px.ledger)
		x.links = adopt(x.links, px.links)
	}
	x.finish(ctx, walkErr, &rec)
	return res, rec
}

// adopt is append(to, from...), which takes from itself while to is
// empty: most runs have one part, whose slices need no copy.
func adopt[T any](to, from []T) []T {
	if len(to) == 0 {
		return from
	}
	return append(to, from...)
}

// part is what one instance of a pipeline runs: the whole event, or in a
// for_each pipeline the records of its instance's connection.
type part struct {
	instance *compile.Connection
	data     cty.Value
}

// route splits an event of trig among pl's instances. A pipeline without
// for_each, and a trigger of one instance, run the event whole; a cron
// tick (and a run by hand) runs in every instance; a connector's event is
// split by the route key of its records, and the records of a key no
// enabled connection serves are left out, with a log line.
func (e *Engine) route(pl *compile.Pipeline, trig *compile.Trigger, key string, data cty.Value) []part {
	switch {
	case pl.ForEach == nil:
		return []part{{data: data}}
	case trig != nil && trig.Instance != nil:
		return []part{{instance: trig.Instance, data: data}}
	case trig == nil || trig.Mode == compile.ModeCron || trig.Spec.Route == nil:
		out := make([]part, 0, len(pl.ForEach.Instances))
		for _, c := range pl.ForEach.Instances {
			out = append(out, part{instance: c, data: data})
		}
		return out
	}
	if data.IsNull() || !data.IsWhollyKnown() {
		return nil
	}
	clean, _ := data.UnmarkDeep()
	split := trig.Spec.Route(clean)
	keys := make([]string, 0, len(split))
	for k := range split {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []part
	served := map[*compile.Connection]bool{}
	for _, k := range keys {
		if k == connectors.EveryInstance {
			continue
		}
		c := pl.ForEach.Instance(k)
		if c == nil {
			e.opts.Logger.Info("records skipped: no enabled connection serves them",
				"pipeline", pl.Name, "trigger", trig.Name, "event", key, "serves", k, "for_each", pl.ForEach.Type)
			continue
		}
		served[c] = true
		out = append(out, part{instance: c, data: split[k]})
	}
	if every, ok := split[connectors.EveryInstance]; ok {
		for _, c := range pl.ForEach.Instances {
			if !served[c] {
				out = append(out, part{instance: c, data: every})
			}
		}
	}
	return out
}

type execution struct {
	e          *Engine
	mode       Mode
	pl         *compile.Pipeline
	constraint *plan.Run
	runID      string
	// worker is set when the run's record is left for its caller, a
	// worker, instead of being written to state.
	worker  bool
	started time.Time
	res     *Result
	base    *compile.Scope
	sem     chan struct{}
	redact  *redactor
	// inst is the connection of the pipeline instance this walk
	// serves (for_each pipelines); prefix sets its addresses apart.
	inst   *compile.Connection
	prefix string

	mu sync.Mutex
	// values are the transforms' and steps' values so far.
	values   []nodeValue
	failures []failure
	attempts []state.StepAttempt
	// ledger and links are the intents of writes made without an open
	// intent, and their links, for the settlement (a worker's runs only).
	ledger []state.Intent
	links  []state.Link
	// transformsObj and stepsObj are transform.* and step.* built from
	// values, NilVal when stale; hctx is the HCL context of
	// them and base, nil when stale.
	transformsObj, stepsObj cty.Value
	hctx                    *hcl.EvalContext
}

type failure struct {
	addr string
	err  error
}

// finish settles the run: its failures, and w, the first error of its
// walks (nil when none, or when the run stopped before its graph). A
// worker's run leaves its record in rec.
func (x *execution) finish(ctx context.Context, w error, rec *Record) {
	res := x.res
	var errs []error
	permanent := true
	for _, f := range x.failures {
		msg := x.redact.String(f.err.Error())
		if d, ok := connectors.Deferred(f.err); ok {
			res.Plan.Waiting = append(res.Plan.Waiting, plan.Failure{Address: f.addr, Error: msg})
			res.Deferred = max(res.Deferred, d)
			continue
		}
		res.Plan.Errors = append(res.Plan.Errors, plan.Failure{Address: f.addr, Error: msg, Diagnostics: diagnosticsOf(f.err, x.redact.String)})
		var unknown *UnknownOutcomeError
		if errors.As(f.err, &unknown) {
			res.Parked = true
		}
		errs = append(errs, fmt.Errorf("%s: %s", f.addr, msg))
		if !connectors.IsPermanent(f.err) {
			permanent = false
		}
		if d, ok := connectors.RetryAfter(f.err); ok && d > res.RetryAfter {
			res.RetryAfter = d
		}
	}
	if w != nil && len(x.failures) == 0 {
		// Only a cancelled walk fails without a node failure of ours.
		errs = append(errs, w)
		permanent = false
	}
	if len(errs) > 0 {
		res.Err = errors.Join(errs...)
		res.Permanent = permanent
	}
	sort.Slice(res.Plan.Changes, func(i, j int) bool { return res.Plan.Changes[i].Address < res.Plan.Changes[j].Address })
	sort.Slice(res.Plan.Reads, func(i, j int) bool { return res.Plan.Reads[i].Address < res.Plan.Reads[j].Address })
	res.Took = x.e.opts.Clock().Sub(x.started)
	if x.worker {
		rec.Intents, rec.Links = x.ledger, x.links
	}
	if x.runID == "" || x.mode != Apply {
		return
	}
	status, msg := state.RunSucceeded, ""
	if res.Err != nil {
		status, msg = state.RunFailed, x.redact.String(res.Err.Error())
	}
	if x.worker {
		rec.Run = state.Run{ID: x.runID, Pipeline: x.pl.Name, Trigger: res.Plan.Trigger, EventKey: res.Plan.EventKey,
			Mode: string(x.mode), Status: status, Writes: res.Writes, Error: msg, StartedAt: x.started, FinishedAt: x.e.opts.Clock()}
		rec.Attempts = x.attempts
		return
	}
	// Recording must happen even when the run's context was cancelled.
	rctx := context.WithoutCancel(ctx)
	if len(x.attempts) > 0 {
		if err := x.e.store.RecordAttempts(rctx, x.attempts...); err != nil {
			x.e.opts.Logger.Error("recording step attempts", "run", x.runID, "err", err)
		}
	}
	if err := x.e.store.FinishRun(rctx, x.runID, status, res.Writes, msg); err != nil {
		x.e.opts.Logger.Error("recording the run", "run", x.runID, "err", err)
	}
}

func (x *execution) fail(addr string, err error) {
	x.mu.Lock()
	x.failures = append(x.failures, failure{addr, err})
	x.mu.Unlock()
}

// scope returns what a node starting now is evaluated with: the HCL
// context of the run's values so far, and for a node with for_each (whose
// instances add each to it) the scope it was built from. The context is
// built once per change of transform.* and step.*, not per node: the nodes
// that start before the next change share it, as HCL only reads it.
func (x *execution) scope(forEach bool) (*hcl.EvalContext, *compile.Scope) {
	x.mu.Lock()
	defer x.mu.Unlock()
	// transform.* and step.* are built once per change, not per node.
	if x.transformsObj == cty.NilVal {
		x.transformsObj = x.objectOf(compile.TransformNode)
	}
	if x.stepsObj == cty.NilVal {
		x.stepsObj = x.objectOf(compile.StepNode)
	}
	sc := *x.base
	sc.TransformsObject, sc.StepsObject = x.transformsObj, x.stepsObj
	if x.hctx == nil {
		x.hctx = sc.EvalContext()
	}
	if !forEach {
		return x.hctx, nil
	}
	c := sc
	return x.hctx, &c
}

func (x *execution) set(n *compile.Node, v cty.Value) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if n.Kind == compile.TransformNode {
		x.transformsObj = cty.NilVal
	} else {
		x.stepsObj = cty.NilVal
	}
	x.hctx = nil
	for i := range x.values {
		if x.values[i].kind == n.Kind && x.values[i].name == n.Name {
			x.values[i].v = v
			return
		}
	}
	x.values = append(x.values, nodeValue{n.Kind, n.Name, v})
}

// nodeValue is the value of a transform or step that ran.
type nodeValue struct {
	kind compile.NodeKind
	name string
	v    cty.Value
}

// objectOf is transform.* or step.*, the values of the nodes of kind that
// ran. x.mu is held.
func (x *execution) objectOf(kind compile.NodeKind) cty.Value {
	// Built in a map of constant small size, which stays on the stack
	// (cty.ObjectVal copies it) while the pipeline has few nodes.
	m := make(map[string]cty.Value, 8)
	for _, nv := range x.values {
		if nv.kind == kind {
			m[nv.name] = nv.v
		}
	}
	return objectOf(m)
}

// node evaluates one transform or step, all its instances included. A
// returned error makes the walk skip the node's dependents; it is recorded
// once, here.
func (x *execution) node(ctx context.Context, addr string) error {
	n := x.pl.Nodes[addr]
	addr = x.prefix + addr
	defer stepDone(ctx)
	hctx, sc := x.scope(n.ForEach != nil)
	if n.ForEach == nil {
		v, _, err := x.instance(ctx, n, hctx, addr)
		if err != nil {
			x.fail(addr, err)
			if _, deferred := connectors.Deferred(err); deferred || (n.Kind == compile.StepNode && n.Step.OnError == "continue") {
				// Recorded; dependents see a null output and go on.
				x.set(n, cty.ObjectVal(map[string]cty.Value{"output": cty.NullVal(n.Type)}))
				return nil
			}
			return err
		}
		x.set(n, v)
		return nil
	}
	fe, diags := n.ForEach.Value(hctx)
	if diags.HasErrors() {
		err := diagError(diags)
		x.fail(addr, err)
		return err
	}
	if !fe.IsWhollyKnown() {
		// Only in plan: the keys depend on a write not yet performed.
		x.set(n, cty.DynamicVal)
		if n.IsWrite() {
			x.addChange(&plan.Change{Address: addr + "[*]", Action: n.ActionName, Connection: x.conn(n).Addr(), Op: connectors.OpCreate,
				Fields: []plan.Field{{Path: "for_each", AfterUnknown: true, Changed: true}}})
		}
		return nil
	}
	instances, err := forEachInstances(fe)
	if err != nil {
		x.fail(addr, err)
		return err
	}
	type outcome struct {
		key      string
		val      cty.Value
		included bool
		err      error
	}
	outcomes := make([]outcome, len(instances))
	sem := x.semaphore()
	// The goroutines capture a copy: were they to capture addr, it would
	// be moved to the heap for every node.
	nodeAddr := addr
	var wg sync.WaitGroup
	for i, inst := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				outcomes[i] = outcome{key: inst.key, err: ctx.Err()}
				return
			}
			ia := fmt.Sprintf("%s[%q]", nodeAddr, inst.key)
			v, included, err := x.instance(ctx, n, sc.With(&compile.Each{Key: cty.StringVal(inst.key), Value: inst.val}).EvalContext(), ia)
			outcomes[i] = outcome{inst.key, v, included, err}
		}()
	}
	wg.Wait()
	vals := map[string]cty.Value{}
	var errs []error
	for _, o := range outcomes {
		switch {
		case o.err != nil:
			ia := fmt.Sprintf("%s[%q]", addr, o.key)
			x.fail(ia, o.err)
			if _, deferred := connectors.Deferred(o.err); !deferred {
				errs = append(errs, o.err)
			}
		case o.included:
			vals[o.key] = o.val
		}
	}
	if len(errs) > 0 && n.Kind == compile.StepNode && n.Step.OnError == "continue" {
		errs = nil // recorded above; dependents go on with the instances that succeeded
	}
	if len(errs) > 0 {
		return &recordedError{errors.Join(errs...)}
	}
	x.set(n, objectOf(vals))
	return nil
}

// semaphore bounds the instances of for_each nodes running at once. It
// is made with the first such node: most pipelines have none.
func (x *execution) semaphore() chan struct{} {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.sem == nil {
		x.sem = make(chan struct{}, x.e.opts.Parallelism)
	}
	return x.sem
}

// recordedError is a node failure already recorded per instance.
type recordedError struct{ error }

type instance struct {
	key string
	val cty.Value
}

func forEachInstances(fe cty.Value) ([]instance, error) {
	if fe.IsNull() {
		return nil, errors.New("for_each is null")
	}
	fe, _ = fe.Unmark()
	t := fe.Type()
	var out []instance
	switch {
	case t.IsMapType() || t.IsObjectType():
		for it := fe.ElementIterator(); it.Next(); {
			k, v := it.Element()
			out = append(out, instance{k.AsString(), v})
		}
	case t.IsSetType():
		for it := fe.ElementIterator(); it.Next(); {
			_, v := it.Element()
			s, err := convert.Convert(v, cty.String)
			if err != nil || s.IsNull() {
				return nil, errors.New("for_each over a set needs strings")
			}
			out = append(out, instance{s.AsString(), s})
		}
	default:
		return nil, fmt.Errorf("for_each needs a map, an object or a set of strings, not %s", t.FriendlyName())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

// instance evaluates one instance. included is false when its when is false.
// hctx is the scope it is evaluated in (each included).
func (x *execution) instance(ctx context.Context, n *compile.Node, hctx *hcl.EvalContext, addr string) (cty.Value, bool, error) {
	if n.Kind == compile.StepNode && !x.conn(n).Enabled {
		// A disabled connection's steps are skipped like a false when.
		return cty.ObjectVal(map[string]cty.Value{"output": cty.NullVal(n.Type)}), false, nil
	}
	if n.When != nil {
		w, diags := n.When.Value(hctx)
		if diags.HasErrors() {
			return cty.NilVal, false, diagError(diags)
		}
		w, _ = w.Unmark()
		if w.IsKnown() {
			b, err := convert.Convert(w, cty.Bool)
			if err != nil || b.IsNull() {
				return cty.NilVal, false, connectors.Permanent(errors.New("when must be true or false"))
			}
			if b.False() {
				if n.Kind == compile.StepNode {
					// step.<name>.output is null, so references still resolve.
					return cty.ObjectVal(map[string]cty.Value{"output": cty.NullVal(n.Type)}), false, nil
				}
				return cty.NullVal(n.Type), false, nil
			}
		}
	}
	if n.Kind == compile.TransformNode {
		v, diags := n.Transform.Value.Value(hctx)
		if diags.HasErrors() {
			return cty.NilVal, false, diagError(diags)
		}
		return v, true, nil
	}
	args, diags := n.DecodeArgs(hctx)
	if diags.HasErrors() {
		return cty.NilVal, false, diagError(diags)
	}
	var out cty.Value
	var err error
	if n.IsWrite() {
		out, err = x.write(ctx, n, addr, args)
	} else {
		out, err = x.read(ctx, n, addr, args)
	}
	if err != nil {
		return cty.NilVal, false, err
	}
	return cty.ObjectVal(map[string]cty.Value{"output": out}), true, nil
}

func (x *execution) read(ctx context.Context, n *compile.Node, addr string, args cty.Value) (cty.Value, error) {
	if !whollyKnown(args) {
		x.addRead(plan.Read{Address: addr, Action: n.ActionName, Deferred: true})
		return cty.UnknownVal(n.Type), nil
	}
	conn, err := x.e.Conn(ctx, x.conn(n))
	if err != nil {
		return cty.NilVal, err
	}
	raw, _ := unmarkDeep(args)
	var out cty.Value
	err = x.retry(ctx, n, addr, func(ctx context.Context) error {
		resume := cpugate.Wait(ctx) // the run waits on the vendor: its CPU slot is another's
		v, err := conn.Read(ctx, n.Action.Name, raw)
		resume()
		out = v
		return err
	})
	if p, ok := connectors.Partial(err); ok {
		// The records read go on; the run fails with those left out.
		x.fail(addr, p)
		out, err = p.Value, nil
	}
	if err != nil {
		return cty.NilVal, err
	}
	x.addRead(plan.Read{Address: addr, Action: n.ActionName})
	return conform(out, n.Type, n.ActionName)
}

func conform(v cty.Value, t cty.Type, action string) (cty.Value, error) {
	if v == cty.NilVal {
		return cty.NullVal(t), nil
	}
	if conformsAsIs(v, t) {
		return v, nil
	}
	c, err := convert.Convert(v, t)
	if err != nil {
		return cty.NilVal, fmt.Errorf("%s returned an output that does not match its type: %w", action, err)
	}
	return c, nil
}

// conformsAsIs reports whether converting v to t would give v back: its
// type is t, but where t has a dynamic part (an output of any shape),
// which any value passes as it is. A connector's output is mostly of this
// kind, and building it anew attribute by attribute is most of the cost of
// converting it.
func conformsAsIs(v cty.Value, t cty.Type) bool {
	switch {
	case t == cty.DynamicPseudoType:
		return true
	case v.IsMarked() || !v.IsKnown():
		return false
	case v.Type().Equals(t): // (a value's type has no optional attributes, so neither has t)
		return true
	case v.IsNull() || !t.IsObjectType() || !v.Type().IsObjectType() || len(t.OptionalAttributes()) > 0:
		return false
	}
	atys, vtys := t.AttributeTypes(), v.Type().AttributeTypes()
	if len(atys) != len(vtys) {
		return false
	}
	for name, aty := range atys {
		if _, ok := vtys[name]; !ok || !conformsAsIs(v.GetAttr(name), aty) {
			return false
		}
	}
	return true
}

func (x *execution) addRead(r plan.Read) {
	x.mu.Lock()
	x.res.Plan.Reads = append(x.res.Plan.Reads, r)
	x.mu.Unlock()
}

func (x *execution) addChange(c *plan.Change) {
	x.mu.Lock()
	x.res.Plan.Changes = append(x.res.Plan.Changes, c)
	x.mu.Unlock()
}

func objectOf(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// runIDValue is run.id: unknown while planning, since apply runs under an
// id of its own.
func runIDValue(mode Mode, id string) cty.Value {
	if mode == Plan {
		return cty.UnknownVal(cty.String)
	}
	return cty.StringVal(id)
}

// conn is the connection step n uses in this walk: its instance's for a
// step that names none in a for_each pipeline.
func (x *execution) conn(n *compile.Node) *compile.Connection {
	if n.Instanced && x.inst != nil {
		return x.inst
	}
	return n.Conn
}
