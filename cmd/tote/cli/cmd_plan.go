package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/lease"
	"github.com/toteworks/tote/engine/plan"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
	"github.com/zclconf/go-cty/cty"
)

// planFlags are the selectors plan and apply share.
type planFlags struct {
	common
	pipelines   string
	since       time.Duration
	from, to    string
	parallelism int
	publicURL   string
	// pinned are a saved plan's variable values (apply PLANFILE).
	pinned map[string]cty.Value
}

func (f *planFlags) register(fs *flag.FlagSet, env Env) {
	f.common.register(fs, env, true)
	fs.StringVar(&f.pipelines, "pipeline", "", "only these pipelines (comma-separated)")
	fs.DurationVar(&f.since, "since", 0, "ask poll triggers for this window back from now, e.g. 72h")
	fs.StringVar(&f.from, "from", "", "window start for poll triggers (RFC 3339)")
	fs.StringVar(&f.to, "to", "", "window end for poll triggers (RFC 3339)")
	fs.IntVar(&f.parallelism, "parallelism", 10, "steps and instances run at once")
	fs.StringVar(&f.publicURL, "public-url", "", "where vendors reach tote run; plans the webhook subscriptions there ($TOTE_PUBLIC_URL, else var.public_url)")
}

func (f *planFlags) selection(now time.Time) (run.Selection, error) {
	var sel run.Selection
	if f.pipelines != "" {
		for _, p := range strings.Split(f.pipelines, ",") {
			if p = strings.TrimSpace(p); p != "" {
				sel.Pipelines = append(sel.Pipelines, p)
			}
		}
	}
	if f.since > 0 {
		if f.from != "" {
			return sel, errors.New("use -since or -from, not both")
		}
		sel.From = now.Add(-f.since)
	}
	for _, x := range []struct {
		s   string
		dst *time.Time
	}{{f.from, &sel.From}, {f.to, &sel.To}} {
		if x.s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, x.s)
		if err != nil {
			return sel, fmt.Errorf("%q is not an RFC 3339 time such as 2026-11-20T00:00:00Z", x.s)
		}
		*x.dst = t
	}
	if !sel.To.IsZero() && sel.From.IsZero() {
		return sel, errors.New("-to needs -from or -since")
	}
	return sel, nil
}

func cmdPlan(ctx context.Context, env Env, args []string) int {
	fs := newFlags("plan", "plan [-pipeline P] [-since 24h | -from T -to T] [-out FILE] [-json] [-detailed-exitcode]", env.Stderr)
	var f planFlags
	f.register(fs, env)
	out := fs.String("out", "", "save the plan to this file for tote apply")
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	detailed := fs.Bool("detailed-exitcode", false, "exit 0 with no changes, 2 with changes, 1 on error")
	pos, err := parse(fs, args)
	if err != nil {
		return exitError
	}
	if len(pos) > 0 {
		fmt.Fprintf(env.Stderr, "Error: unexpected argument %q\n", pos[0])
		return exitError
	}
	eng, closeAll, code := engineFor(ctx, env, &f, false)
	if eng == nil {
		return code
	}
	defer closeAll()
	p, code := makePlan(ctx, env, eng, &f)
	if p == nil {
		return code
	}
	if *out != "" {
		if err := p.Save(*out); err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
	}
	if *asJSON {
		writeJSON(env.Stdout, planJSON(p))
	} else {
		renderPlan(env.Stdout, p)
		if *out != "" {
			fmt.Fprintf(env.Stdout, "\nSaved the plan to %s. Apply exactly this plan with:\n    tote apply %s\n", *out, *out)
		}
	}
	if reportFailures(env, p, eng.Program().Config.Files) {
		return exitError
	}
	if *detailed && (p.Count().Changes() > 0 || p.SubscriptionChanges() > 0) {
		return exitChanges
	}
	return exitOK
}

func planJSON(p *plan.Plan) map[string]any {
	c := p.Count()
	return map[string]any{
		"format_version": p.FormatVersion, "tote_version": p.ToteVersion, "config_hash": p.ConfigHash,
		"created_at": p.CreatedAt, "runs": p.Runs, "cursors": p.Cursors,
		"public_url": p.PublicURL, "subscriptions": p.Subscriptions, "variables": p.Variables,
		"summary": map[string]int{"create": c.Create, "update": c.Update, "delete": c.Delete, "unchanged": c.Noop},
	}
}

// reportFailures prints the nodes that failed to plan; true if any did.
func reportFailures(env Env, p *plan.Plan, files map[string]*hcl.File) bool {
	failed := false
	for _, r := range p.Runs {
		for _, f := range r.Errors {
			failed = true
			writeFailure(env, r, f, files)
		}
	}
	return failed
}

// writeFailure prints one node's failure; a failed expression is shown in
// its source, as validate shows mistakes.
func writeFailure(env Env, r *plan.Run, f plan.Failure, files map[string]*hcl.File) {
	if len(f.Diagnostics) == 0 {
		fmt.Fprintf(env.Stderr, "Error: pipeline %q, %s: %s: %s\n", r.Pipeline, eventLabel(r), f.Address, f.Error)
		return
	}
	var diags hcl.Diagnostics
	for _, d := range f.Diagnostics {
		hd := d.HCL()
		hd.Summary = fmt.Sprintf("pipeline %q, %s: %s: %s", r.Pipeline, eventLabel(r), f.Address, hd.Summary)
		diags = append(diags, hd)
	}
	writeDiagnostics(env.Stderr, diags, files)
}

// engineFor loads the pipelines and opens state. Plan opens state only
// when it exists (a plan never creates it); apply creates it.
func engineFor(ctx context.Context, env Env, f *planFlags, apply bool) (*run.Engine, func(), int) {
	prog, ok := loadPinned(env, f.dir, f.vars, f.pinned)
	if !ok {
		return nil, nil, exitError
	}
	var store *state.Store
	if apply || stateExists(f.state) {
		st, err := openState(ctx, f.state)
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return nil, nil, exitError
		}
		store = st
	}
	eng := run.New(prog, store, run.Options{Parallelism: f.parallelism, Clock: env.Now, Logger: slog.New(slog.DiscardHandler),
		Progress: newProgressLine(env.Stderr, env.Now).callback()})
	return eng, func() {
		_ = eng.Close()
		if store != nil {
			_ = store.Close()
		}
	}, exitOK
}

func makePlan(ctx context.Context, env Env, eng *run.Engine, f *planFlags) (*plan.Plan, int) {
	sel, err := f.selection(env.Now())
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return nil, exitError
	}
	sel.PublicURL = publicURL(env, f.publicURL, eng.Program())
	p, err := eng.PlanAll(ctx, sel, version())
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return nil, exitError
	}
	return p, exitOK
}

func cmdApply(ctx context.Context, env Env, args []string) int {
	fs := newFlags("apply", "apply [PLANFILE | -pipeline P -since D ...] [-auto-approve]", env.Stderr)
	var f planFlags
	f.register(fs, env)
	auto := fs.Bool("auto-approve", false, "apply without asking")
	pos, err := parse(fs, args)
	if err != nil {
		return exitError
	}
	if len(pos) > 1 {
		fmt.Fprintln(env.Stderr, "Error: apply takes at most one plan file")
		return exitError
	}
	var p *plan.Plan
	if len(pos) == 1 {
		if len(f.vars) > 0 {
			fmt.Fprintf(env.Stderr, "Error: -var cannot be used with a saved plan\n\n%s holds the variable values it was made with. To use other values, make a new plan with tote plan -var ... -out FILE.\n", pos[0])
			return exitError
		}
		p, err = plan.Load(pos[0])
		if err == nil {
			f.pinned, err = p.PinnedValues()
		}
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
	}
	eng, closeAll, code := engineFor(ctx, env, &f, true)
	if eng == nil {
		return code
	}
	defer closeAll()
	if p != nil {
		if p.ConfigHash != eng.Program().Config.Hash {
			fmt.Fprintf(env.Stderr, "Error: %s was made from other pipeline files than those in %s; run tote plan again.\n", pos[0], f.dir)
			return exitError
		}
	} else {
		p, code = makePlan(ctx, env, eng, &f)
		if p == nil {
			return code
		}
		renderPlan(env.Stdout, p)
		if reportFailures(env, p, eng.Program().Config.Files) {
			return exitError
		}
		if p.Count().Changes() == 0 && p.SubscriptionChanges() == 0 {
			return exitOK
		}
		if !*auto && !confirm(env) {
			fmt.Fprintln(env.Stderr, "Apply cancelled.")
			return exitError
		}
	}
	release, ok := holdLease(ctx, env, eng, p)
	if !ok {
		return exitError
	}
	defer release()
	res, err := eng.ApplyPlan(ctx, p)
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return exitError
	}
	return reportApply(env, p, res, len(pos) == 1, eng.Program().Config.Files)
}

// holdLease takes the state lease for the apply, so that apply and tote
// run never write beside each other: while another process holds it, apply
// refuses, naming the holder. A plan that only changes webhook
// subscriptions (registrations at the vendors, which tote run repairs
// itself) goes ahead without it.
func holdLease(ctx context.Context, env Env, eng *run.Engine, p *plan.Plan) (release func(), ok bool) {
	held, err := lease.Acquire(ctx, eng.Store(), lease.Options{Kind: "apply", Clock: env.Now})
	var busy *lease.HeldError
	switch {
	case errors.As(err, &busy) && p.Count().Changes() == 0:
		return func() {}, true
	case errors.As(err, &busy):
		fmt.Fprintf(env.Stderr, "Error: %s.\ntote apply does not write beside it: let it make these changes (it runs the same pipelines), or stop it and apply again.\n", busy)
		return nil, false
	case err != nil:
		fmt.Fprintln(env.Stderr, "Error: taking the state lease:", err)
		return nil, false
	}
	fence := held.Fence()
	eng.SetFence(&fence)
	keep, stop := context.WithCancel(ctx)
	go held.Keep(keep)
	return func() {
		stop()
		eng.SetFence(nil)
		_ = held.Release(context.WithoutCancel(ctx))
	}, true
}

func confirm(env Env) bool {
	fmt.Fprint(env.Stdout, "\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ")
	line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

// publicURL is where vendors reach tote run: the flag, $TOTE_PUBLIC_URL, or
// the pipelines' public_url variable; empty when none is set.
func publicURL(env Env, flagValue string, prog *compile.Program) string {
	if flagValue != "" {
		return flagValue
	}
	if v, ok := env.Getenv("TOTE_PUBLIC_URL"); ok && v != "" {
		return v
	}
	if prog.Vars.Type().IsObjectType() && prog.Vars.Type().HasAttribute("public_url") {
		v, _ := prog.Vars.GetAttr("public_url").Unmark()
		if v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
			return v.AsString()
		}
	}
	return ""
}
