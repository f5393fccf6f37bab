package conformance

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// concurrentReads is how many copies of each sample read run at once: a
// Conn is shared by every run of a process.
const concurrentReads = 4

// open opens a connection with a completed config and the suite's logger.
func (s *suite) open(ctx context.Context, cfg cty.Value) (connectors.Conn, error) {
	v, err := complete(s.spec.Config, cfg)
	if err != nil {
		return nil, fmt.Errorf("harness: the config does not fit the spec: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return s.c.Open(ctx, connectors.Config{Name: "conformance", Values: v, Logger: logger})
}

// action finds a sample's action and completes its arguments.
func (s *suite) action(smp Sample, kind connectors.ActionKind) (connectors.ActionSpec, cty.Value, error) {
	a, ok := s.spec.Action(smp.Action)
	if !ok {
		return a, cty.NilVal, fmt.Errorf("harness: no action %q", smp.Action)
	}
	if a.Kind != kind {
		return a, cty.NilVal, fmt.Errorf("harness: action %q is a %s, not a %s", smp.Action, a.Kind, kind)
	}
	args, err := complete(a.Args, smp.Args)
	if err != nil {
		return a, cty.NilVal, fmt.Errorf("harness: arguments of %q: %w", smp.Action, err)
	}
	return a, args, nil
}

// checkOpenClose: Open accepts the harness config and Close may be called
// twice.
func (s *suite) checkOpenClose(ctx context.Context) ([]string, string) {
	conn, err := s.open(ctx, s.h.Config)
	if err != nil {
		return append([]string{fmt.Sprintf("Open: %v", err)}, s.errLeaks("Open", err)...), ""
	}
	var problems []string
	if err := conn.Close(); err != nil {
		problems = append(problems, fmt.Sprintf("Close: %v", err))
	}
	if err := conn.Close(); err != nil {
		problems = append(problems, fmt.Sprintf("a second Close failed (Close must be idempotent): %v", err))
	}
	return problems, ""
}

// checkReads: each sample read succeeds, conforms to the action's output
// type, and gives the same answer again, also when run concurrently.
func (s *suite) checkReads(ctx context.Context) ([]string, string) {
	if len(s.h.Reads) == 0 {
		return nil, "the harness has no sample reads"
	}
	conn, err := s.open(ctx, s.h.Config)
	if err != nil {
		return []string{fmt.Sprintf("Open: %v", err)}, ""
	}
	defer conn.Close()
	var problems []string
	for i, smp := range s.h.Reads {
		where := fmt.Sprintf("read #%d (%s)", i+1, smp.Action)
		a, args, err := s.action(smp, connectors.Read)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
			continue
		}
		first, err := conn.Read(ctx, a.Name, args)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
			problems = append(problems, s.errLeaks(where, err)...)
			continue
		}
		problems = append(problems, conforms(where+" output", first, a.Output)...)
		problems = append(problems, s.leaksIn(where+" output", first)...)
		outs := make([]cty.Value, concurrentReads)
		errs := make([]error, concurrentReads)
		var wg sync.WaitGroup
		for j := range concurrentReads {
			wg.Go(func() { outs[j], errs[j] = conn.Read(ctx, a.Name, args) })
		}
		wg.Wait()
		for j := range concurrentReads {
			switch {
			case errs[j] != nil:
				problems = append(problems, fmt.Sprintf("%s repeated: %v", where, errs[j]))
			case !same(first, outs[j]):
				problems = append(problems, fmt.Sprintf("%s is not repeatable: first %s, then %s", where, show(first), show(outs[j])))
			}
		}
	}
	return problems, ""
}

// checkWrites: planning a sample write twice gives the same plan and
// changes nothing; applying it returns an output of the declared type;
// planning it again then finds nothing to do (unless the action is
// Unreadable), which is how the engine recognises a write that landed.
func (s *suite) checkWrites(ctx context.Context) ([]string, string) {
	if len(s.h.Writes) == 0 {
		return nil, "the harness has no sample writes"
	}
	conn, err := s.open(ctx, s.h.Config)
	if err != nil {
		return []string{fmt.Sprintf("Open: %v", err)}, ""
	}
	defer conn.Close()
	var problems []string
	for i, smp := range s.h.Writes {
		where := fmt.Sprintf("write #%d (%s)", i+1, smp.Action)
		problems = append(problems, s.write(ctx, conn, where, smp, fmt.Sprintf("conformance/%s/%d", smp.Action, i+1))...)
	}
	return problems, ""
}

func (s *suite) write(ctx context.Context, conn connectors.Conn, where string, smp Sample, key string) []string {
	a, args, err := s.action(smp, connectors.Write)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", where, err)}
	}
	for _, id := range a.Identity {
		if args.GetAttr(id).IsNull() {
			return []string{fmt.Sprintf("%s: harness: the identity argument %q is null", where, id)}
		}
	}
	plan := func(what string) (connectors.Change, []string) {
		ch, err := conn.PlanWrite(ctx, a.Name, args)
		if err != nil {
			return ch, append([]string{fmt.Sprintf("%s: %s: %v", where, what, err)}, s.errLeaks(where, err)...)
		}
		var problems []string
		if !slices.Contains([]connectors.Op{connectors.OpCreate, connectors.OpUpdate, connectors.OpDelete, connectors.OpNoop}, ch.Op) {
			problems = append(problems, fmt.Sprintf("%s: %s: unknown op %q", where, what, ch.Op))
		}
		if ch.Op == connectors.OpCreate && ch.Before != cty.NilVal && !ch.Before.IsNull() {
			problems = append(problems, fmt.Sprintf("%s: %s: a create has a Before: %s", where, what, show(ch.Before)))
		}
		if ch.Op == connectors.OpNoop {
			problems = append(problems, conforms(where+" "+what+" noop Output", ch.Output, a.Output)...)
		}
		problems = append(problems, s.leaksIn(where+" "+what+" Before", ch.Before)...)
		problems = append(problems, s.leaksIn(where+" "+what+" After", ch.After)...)
		problems = append(problems, s.leaksIn(where+" "+what+" Output", ch.Output)...)
		return ch, problems
	}

	first, problems := plan("PlanWrite")
	if len(problems) > 0 {
		return problems
	}
	second, problems := plan("the second PlanWrite")
	if len(problems) > 0 {
		return problems
	}
	if first.Op != second.Op || first.Fingerprint != second.Fingerprint {
		problems = append(problems, fmt.Sprintf("%s: planning changed something: first %s (fingerprint %q), then %s (fingerprint %q)",
			where, first.Op, first.Fingerprint, second.Op, second.Fingerprint))
	}
	if !same(first.Before, second.Before) || !same(first.After, second.After) {
		problems = append(problems, fmt.Sprintf("%s: two plans disagree: %s -> %s, then %s -> %s",
			where, show(first.Before), show(first.After), show(second.Before), show(second.After)))
	}
	if first.Op == connectors.OpNoop {
		return append(problems, fmt.Sprintf("%s: harness: the sample plans as noop; give a write that changes something", where))
	}

	out, err := conn.ApplyWrite(ctx, connectors.WriteRequest{Action: a.Name, Args: args, Change: first, Key: key})
	if err != nil {
		return append(append(problems, fmt.Sprintf("%s: ApplyWrite: %v", where, err)), s.errLeaks(where+" ApplyWrite", err)...)
	}
	problems = append(problems, conforms(where+" ApplyWrite output", out, a.Output)...)
	problems = append(problems, s.leaksIn(where+" ApplyWrite output", out)...)

	after, more := plan("PlanWrite after ApplyWrite")
	problems = append(problems, more...)
	if len(more) == 0 && after.Op != connectors.OpNoop && !slices.Contains(s.h.Unreadable, a.Name) {
		problems = append(problems, fmt.Sprintf("%s: after ApplyWrite the write plans as %s, not noop: the engine could not tell that it landed", where, after.Op))
	}
	return problems
}

// checkFailing: errors from a connection that cannot work carry no secret.
func (s *suite) checkFailing(ctx context.Context) ([]string, string) {
	if s.h.Failing == cty.NilVal {
		return nil, "the harness has no Failing config"
	}
	var problems []string
	failures := 0
	fail := func(where string, err error) {
		if err != nil {
			failures++
			problems = append(problems, s.errLeaks(where, err)...)
		}
	}
	conn, err := s.open(ctx, s.h.Failing)
	fail("Open", err)
	if err == nil {
		for i, smp := range s.h.Reads {
			if a, args, err := s.action(smp, connectors.Read); err == nil {
				_, err := conn.Read(ctx, a.Name, args)
				fail(fmt.Sprintf("read #%d (%s)", i+1, smp.Action), err)
			}
		}
		for i, smp := range s.h.Writes {
			a, args, err := s.action(smp, connectors.Write)
			if err != nil {
				continue
			}
			where := fmt.Sprintf("write #%d (%s)", i+1, smp.Action)
			ch, err := conn.PlanWrite(ctx, a.Name, args)
			fail(where+" PlanWrite", err)
			if err == nil {
				_, err = conn.ApplyWrite(ctx, connectors.WriteRequest{Action: a.Name, Args: args, Change: ch, Key: "conformance/failing/" + a.Name})
				fail(where+" ApplyWrite", err)
			}
		}
		fail("Close", conn.Close())
	}
	if failures == 0 {
		problems = append(problems, "nothing failed with the Failing config, so no error text was checked")
	}
	return problems, ""
}

// checkLogs: nothing any connection of the suite logged carries a secret.
func (s *suite) checkLogs(context.Context) ([]string, string) {
	return s.leaks("the connector's log", s.logs.String()), ""
}

// conforms reports an output that is missing, not wholly known, or not
// convertible to the action's declared output type (the engine converts
// every output to it).
func conforms(where string, v cty.Value, t cty.Type) []string {
	switch {
	case v == cty.NilVal:
		return []string{where + ": no value"}
	case !v.IsWhollyKnown():
		return []string{fmt.Sprintf("%s: not wholly known: %s", where, show(v))}
	}
	if _, err := convert.Convert(v, t); err != nil {
		return []string{fmt.Sprintf("%s does not conform to the declared type %s: %v", where, t.FriendlyName(), err)}
	}
	return nil
}

// same compares two values as the engine would, treating absent and null
// alike.
func same(a, b cty.Value) bool {
	aNull := a == cty.NilVal || a.IsNull()
	bNull := b == cty.NilVal || b.IsNull()
	if aNull || bNull {
		return aNull == bNull
	}
	return connectors.Equivalent(a, b)
}

// show renders a value for a problem report.
func show(v cty.Value) string {
	if v == cty.NilVal || v.IsNull() {
		return "null"
	}
	if !v.IsWhollyKnown() {
		return v.GoString()
	}
	b, err := connectors.JSON(v)
	if err != nil {
		return v.GoString()
	}
	return string(b)
}
