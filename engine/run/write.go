package run

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/lang"
	"github.com/toteworks/tote/engine/plan"
	"github.com/toteworks/tote/engine/state"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// write plans one write instance and, in apply, performs it through the
// ledger: an intent is committed before the vendor is called and closed
// after, so a crash in between is reconciled by reading the target (the
// next plan of the same write finds it done) and never by writing twice.
func (x *execution) write(ctx context.Context, n *compile.Node, addr string, args cty.Value) (cty.Value, error) {
	raw, _ := args.UnmarkDeep()
	x.redact.addSensitive(args)
	pc := &plan.Change{Address: addr, Action: n.ActionName, Connection: n.Conn.Addr()}
	identity, known := identityOf(args, n.Action.Identity)
	if !known {
		// Only in plan: which record is targeted depends on a write not yet made.
		pc.Op = connectors.OpCreate
		pc.Fields = plan.Diff(cty.NullVal(cty.DynamicPseudoType), args)
		x.addChange(pc)
		return cty.UnknownVal(n.Type), nil
	}
	pc.Identity = identity
	if raw.IsWhollyKnown() {
		pc.ArgsDigest = digest(raw)
	}
	conn, err := x.e.Conn(ctx, n.Conn)
	if err != nil {
		return cty.NilVal, err
	}
	if x.mode == Plan {
		var ch connectors.Change
		err := x.retry(ctx, n, addr, func(ctx context.Context) error {
			c, err := conn.PlanWrite(ctx, n.Action.Name, raw)
			ch = c
			return err
		})
		if err != nil {
			return cty.NilVal, err
		}
		x.describe(pc, ch)
		if out, done := x.appliedBefore(ctx, n, pc, ch); done {
			// The ledger has this very write, and the target shows nothing
			// new since (or cannot be read back, as an email): apply would
			// skip it, so the plan says unchanged.
			pc.Op = connectors.OpNoop
			x.addChange(pc)
			return out, nil
		}
		x.addChange(pc)
		if ch.Op == connectors.OpNoop {
			return conform(ch.Output, n.Type, n.ActionName)
		}
		return cty.UnknownVal(n.Type), nil
	}

	key := intentKey(x.pl.Name, n.Conn.Addr(), n.ActionName, identity, pc.ArgsDigest)
	defer x.e.records.Lock(n.Conn.Addr() + "\x00" + identity)()
	var out cty.Value
	err = x.retry(ctx, n, addr, func(ctx context.Context) error {
		v, err := x.applyOnce(ctx, n, conn, pc, key, raw)
		out = v
		return err
	})
	if err != nil {
		return cty.NilVal, err
	}
	x.addChange(pc)
	return out, nil
}

func (x *execution) applyOnce(ctx context.Context, n *compile.Node, conn connectors.Conn, pc *plan.Change, key string, raw cty.Value) (cty.Value, error) {
	store := x.e.store
	in, found, err := store.Intent(ctx, key)
	if err != nil {
		return cty.NilVal, fmt.Errorf("reading the ledger: %w", err)
	}
	ch, err := conn.PlanWrite(ctx, n.Action.Name, raw)
	if err != nil {
		return cty.NilVal, err
	}
	x.describe(pc, ch)
	if found && in.Status == state.IntentDone && doneBefore(in, ch) {
		// Applied before (a replay, a retried run, the same plan twice).
		// The target either shows it, or cannot be read back at all (an
		// email): either way, once is enough. Only a target that changed
		// since our write is written again.
		pc.Op = connectors.OpNoop
		return decodeOutput(in.Output, n.Type)
	}
	if ch.Op == connectors.OpNoop {
		out, err := conform(ch.Output, n.Type, n.ActionName)
		if err != nil {
			return cty.NilVal, err
		}
		if found && in.Status == state.IntentPending {
			// An earlier attempt wrote and lost the answer: reading the
			// target shows the write landed, so the intent is done.
			if err := store.CloseIntent(ctx, key, state.IntentDone, outputJSON(out, n.Type), ""); err != nil {
				return cty.NilVal, fmt.Errorf("closing the intent: %w", err)
			}
		}
		return out, nil
	}
	if err := x.checkConstraint(n, pc); err != nil {
		return cty.NilVal, err
	}
	if err := store.OpenIntent(ctx, state.Intent{
		Key: key, RunID: x.runID, Pipeline: x.pl.Name, Step: pc.Address, Connection: pc.Connection,
		Action: pc.Action, Identity: pc.Identity, Fingerprint: ch.Fingerprint, Status: state.IntentPending, Op: string(pc.Op),
	}); err != nil {
		return cty.NilVal, fmt.Errorf("opening the intent: %w", err)
	}
	v, err := conn.ApplyWrite(ctx, connectors.WriteRequest{Action: n.Action.Name, Args: raw, Change: ch, Key: key})
	if err != nil {
		if connectors.IsPermanent(err) {
			if cerr := store.CloseIntent(context.WithoutCancel(ctx), key, state.IntentFailed, nil, x.redact.String(err.Error())); cerr != nil {
				return cty.NilVal, errors.Join(err, cerr)
			}
		}
		// Otherwise the intent stays pending: the write may have landed,
		// and the next attempt finds out by planning again.
		return cty.NilVal, err
	}
	out, err := conform(v, n.Type, n.ActionName)
	if err != nil {
		return cty.NilVal, err
	}
	var links []state.Link
	if id := outputID(out); id != "" {
		links = append(links, state.Link{Namespace: pc.Connection + "." + pc.Action, Key: pc.Identity, Value: id})
	}
	if err := store.CloseIntent(context.WithoutCancel(ctx), key, state.IntentDone, outputJSON(out, n.Type), "", links...); err != nil {
		return cty.NilVal, fmt.Errorf("closing the intent: %w", err)
	}
	x.mu.Lock()
	x.res.Writes++
	x.mu.Unlock()
	return out, nil
}

// checkConstraint refuses a write that a saved plan did not contain, or
// whose target or arguments changed since that plan was made.
func (x *execution) checkConstraint(n *compile.Node, pc *plan.Change) error {
	if x.constraint == nil {
		return nil
	}
	planned := x.constraint.Find(pc.Address)
	switch {
	case planned == nil && x.constraint.Find(n.Addr+"[*]") != nil:
		// The plan could not know this step's instances (its for_each
		// waits for a write): it planned them all, whichever they are.
		return nil
	case planned == nil:
		if pc.Op == connectors.OpNoop {
			return nil
		}
		return connectors.Permanent(fmt.Errorf("not in the saved plan (it would %s); run tote plan again", pc.Op))
	case planned.Fingerprint != pc.Fingerprint:
		if d := plan.Drift(planned.Fields, pc.Fields, false); len(d) > 0 {
			return connectors.Permanent(fmt.Errorf("the record changed since the plan was made (%s); run tote plan again", plan.DriftText(d)))
		}
		return connectors.Permanent(errors.New("the record changed since the plan was made; run tote plan again"))
	case planned.ArgsDigest != "" && planned.ArgsDigest != pc.ArgsDigest:
		if d := plan.Drift(planned.Fields, pc.Fields, true); len(d) > 0 {
			return connectors.Permanent(fmt.Errorf("the arguments differ from the saved plan (%s); run tote plan again", plan.DriftText(d)))
		}
		return connectors.Permanent(errors.New("the arguments differ from the saved plan; run tote plan again"))
	case planned.Op == connectors.OpNoop && pc.Op != connectors.OpNoop:
		return connectors.Permanent(fmt.Errorf("the plan had nothing to do here but now it would %s; run tote plan again", pc.Op))
	}
	return nil
}

func (x *execution) describe(pc *plan.Change, ch connectors.Change) {
	pc.Op = ch.Op
	pc.Fingerprint = ch.Fingerprint
	before := ch.Before
	if before == cty.NilVal {
		before = cty.NullVal(cty.DynamicPseudoType)
	}
	after := ch.After
	if after == cty.NilVal {
		after = cty.NullVal(cty.DynamicPseudoType)
	}
	pc.Fields = x.redact.Fields(plan.Diff(before, after))
}

// identityOf renders the identity arguments as canonical JSON. It is shown
// in plans and kept in state, so an identity holding a sensitive value is
// replaced by a digest.
func identityOf(args cty.Value, names []string) (string, bool) {
	attrs := map[string]cty.Value{}
	for _, name := range names {
		v := args.GetAttr(name)
		if !v.IsWhollyKnown() {
			return "", false
		}
		attrs[name] = v
	}
	obj := cty.ObjectVal(attrs)
	b, err := connectors.JSON(obj)
	if err != nil {
		return "", false
	}
	if lang.IsSensitive(obj) {
		sum := sha256.Sum256(b)
		return "sha256:" + hex.EncodeToString(sum[:16]), true
	}
	return string(b), true
}

func digest(v cty.Value) string {
	b, err := connectors.JSON(v)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// intentKey identifies one intended write: the same arguments for the same
// record from the same pipeline are the same write, however often replayed.
func intentKey(pipeline, conn, action, identity, argsDigest string) string {
	h := sha256.New()
	for _, s := range []string{pipeline, conn, action, identity, argsDigest} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:20])
}

// outputJSON records an output with its declared type, so dynamic parts
// keep their concrete types when read back.
func outputJSON(v cty.Value, t cty.Type) []byte {
	b, err := ctyjson.Marshal(v, t)
	if err != nil {
		return nil
	}
	return b
}

func decodeOutput(b []byte, t cty.Type) (cty.Value, error) {
	if len(b) == 0 {
		return cty.NullVal(t), nil
	}
	v, err := ctyjson.Unmarshal(b, t)
	if err != nil {
		return cty.NilVal, fmt.Errorf("reading a recorded output: %w", err)
	}
	return v, nil
}

// outputID is the id a write's output names, for the links table.
func outputID(out cty.Value) string {
	if out.IsNull() || !out.IsKnown() || !out.Type().IsObjectType() {
		return ""
	}
	for _, name := range []string{"id", "key"} {
		if out.Type().HasAttribute(name) {
			v := out.GetAttr(name)
			if v.IsNull() || !v.IsKnown() {
				continue
			}
			switch v.Type() {
			case cty.String:
				return v.AsString()
			case cty.Number:
				return v.AsBigFloat().Text('f', -1)
			}
		}
	}
	return ""
}

// EncodeEvent renders event data as typed JSON for the inbox and plans.
func EncodeEvent(t *compile.Trigger, data cty.Value) json.RawMessage {
	data, _ = data.UnmarkDeep()
	b, err := ctyjson.Marshal(data, t.Event())
	if err != nil {
		return nil
	}
	return b
}

// DecodeEvent reads event data written by EncodeEvent.
func DecodeEvent(t *compile.Trigger, b []byte) (cty.Value, error) {
	if len(b) == 0 {
		return cty.NullVal(t.Event()), nil
	}
	v, err := ctyjson.Unmarshal(b, t.Event())
	if err != nil {
		return cty.NilVal, fmt.Errorf("event of trigger %s: %w", t.Name, err)
	}
	return v, nil
}

// doneBefore reports whether a done intent covers the change planned now.
// A noop is covered, and so is a create or delete planned against the same
// version of the target (a record not readable yet, an email), unless the
// connector observed the target absent just now. An update
// of a readable target is not: the target no longer shows the write, even
// if it is back where it was before it (a stock level set, then set back
// by someone else).
func doneBefore(in state.Intent, ch connectors.Change) bool {
	switch {
	case ch.Op == connectors.OpNoop:
		return true
	case ch.Op == connectors.OpCreate && ch.Observed:
		// The target was read and is gone: the ledger's write was undone.
		return false
	case ch.Fingerprint != in.Fingerprint:
		return false
	}
	return ch.Op != connectors.OpUpdate || ch.Fingerprint == ""
}

// appliedBefore reports whether the ledger holds this exact write as done,
// with the target unchanged since, and returns its recorded output.
func (x *execution) appliedBefore(ctx context.Context, n *compile.Node, pc *plan.Change, ch connectors.Change) (cty.Value, bool) {
	if x.e.store == nil || pc.ArgsDigest == "" || ch.Op == connectors.OpNoop {
		return cty.NilVal, false
	}
	key := intentKey(x.pl.Name, n.Conn.Addr(), n.ActionName, pc.Identity, pc.ArgsDigest)
	in, found, err := x.e.store.Intent(ctx, key)
	if err != nil || !found || in.Status != state.IntentDone || !doneBefore(in, ch) {
		return cty.NilVal, false
	}
	out, err := decodeOutput(in.Output, n.Type)
	if err != nil {
		return cty.NilVal, false
	}
	return out, true
}
