package run

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/cpugate"
	"github.com/toteworks/tote/engine/lang"
	"github.com/toteworks/tote/engine/plan"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/valjson"
	"github.com/zclconf/go-cty/cty"
)

// write plans one write instance and, in apply, performs it through the
// ledger: an intent is committed before the vendor is called and closed
// after, so a crash in between is reconciled by reading the target (the
// next plan of the same write finds it done) and never by writing twice.
func (x *execution) write(ctx context.Context, n *compile.Node, addr string, args cty.Value) (cty.Value, error) {
	raw, marks := unmarkDeep(args)
	if _, sensitive := marks[lang.Sensitive]; sensitive {
		x.redact.addSensitive(args)
	}
	pc := &plan.Change{Address: addr, Action: n.ActionName, Connection: x.conn(n).Addr()}
	identity, known := identityOf(args, raw, n.Action.Identity, len(marks) > 0)
	if !known {
		// Only in plan: which record is targeted depends on a write not yet made.
		pc.Op = connectors.OpCreate
		pc.Fields = plan.Diff(cty.NullVal(cty.DynamicPseudoType), args)
		x.addChange(pc)
		return cty.UnknownVal(n.Type), nil
	}
	pc.Identity = identity
	if whollyKnown(raw) {
		pc.ArgsDigest = digest(raw)
	}
	conn, err := x.e.Conn(ctx, x.conn(n))
	if err != nil {
		return cty.NilVal, err
	}
	if x.mode == Plan {
		var ch connectors.Change
		err := x.retry(ctx, n, addr, func(ctx context.Context) error {
			resume := cpugate.Wait(ctx)
			c, err := conn.PlanWrite(ctx, n.Action.Name, raw)
			resume()
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

	key := intentKey(x.pl.Name, x.conn(n).Addr(), n.ActionName, identity, pc.ArgsDigest)
	// Waiting for another run's write of the record, this run gives up its
	// CPU slot: the other may need one to finish.
	resume := cpugate.Wait(ctx)
	unlock := x.e.records.Lock(x.conn(n).Addr() + "\x00" + identity)
	resume()
	defer unlock()
	var out cty.Value
	err = x.retry(ctx, n, addr, func(ctx context.Context) error {
		v, err := x.applyClaimed(ctx, n, conn, pc, key, raw)
		out = v
		return err
	})
	if err != nil {
		return cty.NilVal, err
	}
	x.addChange(pc)
	return out, nil
}

// applyClaimed is applyOnce, planned again when another writer changed the
// write's intent between our reading and our opening it, and after waiting
// for another owner (another tote process) that is making the same write.
// A write another owner holds for longer than ClaimWait is given up with a
// retry-after: it is never made a second time meanwhile.
func (x *execution) applyClaimed(ctx context.Context, n *compile.Node, conn connectors.Conn, pc *plan.Change, key string, raw cty.Value) (cty.Value, error) {
	deadline := time.Now().Add(x.e.opts.ClaimWait)
	for changed := 0; ; {
		v, err := x.applyOnce(ctx, n, conn, pc, key, raw)
		if err == nil {
			return v, nil // before claimed, which errors.As puts on the heap
		}
		var claimed *state.IntentClaimedError
		switch {
		case errors.Is(err, state.ErrIntentChanged) && changed < 5:
			changed++
			continue
		case errors.As(err, &claimed):
			if !time.Now().Before(deadline) {
				return cty.NilVal, &connectors.RetryAfterError{After: max(time.Second, time.Until(claimed.Until)),
					Err: fmt.Errorf("another tote (%s) is making this write: %w", claimed.Owner, err)}
			}
			if err := x.waitClaim(ctx, key, claimed, deadline); err != nil {
				return cty.NilVal, err
			}
			continue
		}
		return v, err
	}
}

// waitClaim waits until another owner's claim on an intent ends (it closed
// the write, or its claim expired) or deadline passes.
func (x *execution) waitClaim(ctx context.Context, key string, c *state.IntentClaimedError, deadline time.Time) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		resume := cpugate.Wait(ctx)
		select {
		case <-ctx.Done():
			resume()
			return ctx.Err()
		case <-t.C:
		}
		resume()
		in, found, err := x.e.store.Intent(ctx, key)
		if err != nil {
			return fmt.Errorf("reading the ledger: %w", err)
		}
		if !found || in.Status != state.IntentPending || in.Owner != c.Owner || !in.ClaimUntil.After(x.e.opts.Clock()) || !time.Now().Before(deadline) {
			return nil
		}
		t.Reset(claimPoll)
	}
}

// claimPoll is how often a write waiting for another owner looks again.
const claimPoll = 20 * time.Millisecond

func (x *execution) applyOnce(ctx context.Context, n *compile.Node, conn connectors.Conn, pc *plan.Change, key string, raw cty.Value) (cty.Value, error) {
	store := x.e.store
	in, found, err := store.IntentState(ctx, key) // its output is read only if it is used
	if err != nil {
		return cty.NilVal, fmt.Errorf("reading the ledger: %w", err)
	}
	if found && in.Status == state.IntentPending && in.Owner != x.e.opts.Owner && in.ClaimUntil.After(x.e.opts.Clock()) {
		// Another process is making this write now: its outcome decides.
		return cty.NilVal, &state.IntentClaimedError{Key: key, Owner: in.Owner, Until: in.ClaimUntil}
	}
	if found && in.Status == state.IntentUnknown {
		return cty.NilVal, parked(key, errors.New(in.Error))
	}
	atMostOnce := n.Action.Guarantee == connectors.AtMostOnce
	resume := cpugate.Wait(ctx)
	ch, err := conn.PlanWrite(ctx, n.Action.Name, raw)
	resume()
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
		out, err := store.IntentOutput(ctx, key)
		if err != nil {
			return cty.NilVal, fmt.Errorf("reading the ledger: %w", err)
		}
		return decodeOutput(out, n.Type)
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
	if found && in.Status == state.IntentPending && atMostOnce {
		// An earlier attempt (this process's before a timeout, or one that
		// died) may have made this write, and it cannot be read back.
		return cty.NilVal, x.markUnknown(ctx, key, fmt.Errorf("an earlier attempt (run %s) ended without an answer", in.RunID))
	}
	in0 := state.Intent{Key: key, RunID: x.runID, Pipeline: x.pl.Name, Step: pc.Address, Connection: pc.Connection,
		Action: pc.Action, Identity: pc.Identity, Fingerprint: ch.Fingerprint, Owner: x.e.opts.Owner, Op: string(pc.Op)}
	// An idempotent write of a worker's run records its intent after the
	// call, with the run's settlement: made twice, it changes nothing, so
	// a crash before the settlement simply makes it again when the item
	// runs again. Every other write opens its intent before the call.
	late := x.worker && n.Action.Guarantee == connectors.Idempotent
	if late {
		if f := x.e.fence.Load(); f != nil {
			if err := store.FenceHeld(ctx, *f); err != nil {
				return cty.NilVal, fmt.Errorf("checking the state lease: %w", err)
			}
		}
		in0.CreatedAt = x.e.opts.Clock()
	} else {
		// The intent is opened only if nobody touched it since we read it
		// (a writer that finished meanwhile made the very write we
		// planned), only while no other owner claims it, and only while
		// this process still holds the state lease it works under.
		var seen *state.Intent
		if found {
			c := in // a copy: taking in's address would put it on the heap in every write
			seen = &c
		}
		if err := store.OpenIntentWith(ctx, in0, state.OpenOptions{TTL: x.e.opts.IntentClaim, Compare: true, Seen: seen,
			Fence: x.e.fence.Load()}); err != nil {
			if errors.Is(err, state.ErrIntentUnknown) {
				return cty.NilVal, parked(key, err)
			}
			return cty.NilVal, fmt.Errorf("opening the intent: %w", err)
		}
	}
	resume = cpugate.Wait(ctx)
	v, err := conn.ApplyWrite(ctx, connectors.WriteRequest{Action: n.Action.Name, Args: raw, Change: ch, Key: key})
	resume()
	if err != nil {
		switch {
		case connectors.IsPermanent(err) || connectors.IsNotApplied(err):
			// Refused, or provably never made: a later attempt may write.
			msg := x.redact.String(err.Error())
			if late {
				x.lateIntent(in0, state.IntentFailed, nil, msg)
				return cty.NilVal, err
			}
			if cerr := store.CloseIntent(context.WithoutCancel(ctx), key, state.IntentFailed, nil, msg); cerr != nil {
				return cty.NilVal, errors.Join(err, cerr)
			}
		case atMostOnce:
			return cty.NilVal, x.markUnknown(ctx, key, err)
		}
		// Otherwise the intent stays pending: the write may have landed,
		// and the next attempt finds out by planning again. Nothing is in
		// flight any more, so the claim ends.
		if late {
			x.lateIntent(in0, state.IntentPending, nil, "")
			return cty.NilVal, err
		}
		if cerr := store.ReleaseIntentClaim(context.WithoutCancel(ctx), key, x.e.opts.Owner); cerr != nil {
			return cty.NilVal, errors.Join(err, cerr)
		}
		return cty.NilVal, err
	}
	out, err := conform(v, n.Type, n.ActionName)
	if err != nil {
		if late {
			x.lateIntent(in0, state.IntentPending, nil, "")
		}
		return cty.NilVal, err
	}
	var links []state.Link
	if id := outputID(out); id != "" {
		links = append(links, state.Link{Namespace: pc.Connection + "." + pc.Action, Key: pc.Identity, Value: id})
	}
	if late {
		x.lateIntent(in0, state.IntentDone, outputJSON(out, n.Type), "", links...)
	} else if err := store.CloseIntent(context.WithoutCancel(ctx), key, state.IntentDone, outputJSON(out, n.Type), "", links...); err != nil {
		return cty.NilVal, fmt.Errorf("closing the intent: %w", err)
	}
	x.mu.Lock()
	x.res.Writes++
	x.mu.Unlock()
	return out, nil
}

// lateIntent keeps the ledger entry of a write made without an open
// intent, for the run's settlement; a later attempt of the same write in
// the same run replaces it.
func (x *execution) lateIntent(in state.Intent, status state.IntentStatus, output []byte, errMsg string, links ...state.Link) {
	in.Status, in.Output, in.Error, in.UpdatedAt = status, output, errMsg, x.e.opts.Clock()
	x.mu.Lock()
	defer x.mu.Unlock()
	x.links = adopt(x.links, links)
	for i := range x.ledger {
		if x.ledger[i].Key == in.Key {
			x.ledger[i] = in
			return
		}
	}
	x.ledger = append(x.ledger, in)
}

// markUnknown records that an at-most-once write may or may not have been
// made, and parks its run.
func (x *execution) markUnknown(ctx context.Context, key string, cause error) error {
	msg := x.redact.String(cause.Error())
	if _, err := x.e.store.MarkIntentUnknown(context.WithoutCancel(ctx), key, msg); err != nil {
		return errors.Join(cause, fmt.Errorf("recording the unknown outcome: %w", err))
	}
	return parked(key, cause)
}

// UnknownOutcomeError is a write that cannot be read back and may or may
// not have been made. Its run is parked: only a person (tote retry) has it
// made again.
type UnknownOutcomeError struct {
	Key string
	Err error
}

func (e *UnknownOutcomeError) Error() string {
	return fmt.Sprintf("outcome unknown, not sent again until tote retry: %v", e.Err)
}

func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// parked is an UnknownOutcomeError, permanent so that no retry makes it.
func parked(key string, err error) error {
	return connectors.Permanent(&UnknownOutcomeError{Key: key, Err: err})
}

// checkConstraint refuses a write that a saved plan did not contain, or
// whose target or arguments changed since that plan was made.
func (x *execution) checkConstraint(n *compile.Node, pc *plan.Change) error {
	if x.constraint == nil {
		return nil
	}
	planned := x.constraint.Find(pc.Address)
	switch {
	case planned == nil && x.constraint.Find(x.prefix+n.Addr+"[*]") != nil:
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
	if !x.worker {
		// A worker's run shows its changes to nobody: it skips their diffs.
		pc.Fields = x.redact.Fields(plan.Diff(before, after))
	}
	pc.Names = ch.Names
}

// identityOf renders the identity arguments as canonical JSON. It is shown
// in plans and kept in state, so an identity holding a sensitive value is
// replaced by a digest. raw is args without their marks; marked says
// whether args had any.
func identityOf(args, raw cty.Value, names []string, marked bool) (string, bool) {
	sensitive := false
	for _, name := range names {
		v := args.GetAttr(name)
		if !v.IsWhollyKnown() {
			return "", false
		}
		sensitive = sensitive || (marked && lang.IsSensitive(v))
	}
	b, err := valjson.MarshalAttrs(raw, names)
	if err != nil {
		return "", false
	}
	if sensitive {
		sum := sha256.Sum256(b)
		return "sha256:" + hex.EncodeToString(sum[:16]), true
	}
	return string(b), true
}

// unmarkDeep is v.UnmarkDeep, without the copy of v that it makes when
// nothing in v is marked (arguments seldom are): looking for marks costs
// less than rebuilding every value on the way.
func unmarkDeep(v cty.Value) (cty.Value, cty.ValueMarks) {
	if !containsMarked(v) {
		return v, nil
	}
	return v.UnmarkDeep()
}

// digest is a short digest of an unmarked value's JSON.
func digest(raw cty.Value) string {
	buf := jsonBufs.Get().(*[]byte)
	defer jsonBufs.Put(buf)
	b, err := valjson.Append((*buf)[:0], raw, raw.Type())
	*buf = b[:0]
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// jsonBufs hold the JSON of values that is only digested.
var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

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
	b, err := valjson.Marshal(v, t)
	if err != nil {
		return nil
	}
	return b
}

func decodeOutput(b []byte, t cty.Type) (cty.Value, error) {
	if len(b) == 0 {
		return cty.NullVal(t), nil
	}
	v, err := valjson.Unmarshal(b, t)
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
	key := intentKey(x.pl.Name, x.conn(n).Addr(), n.ActionName, pc.Identity, pc.ArgsDigest)
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
