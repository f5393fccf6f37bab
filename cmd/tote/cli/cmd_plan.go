package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
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
	p, discard, code := makePlan(ctx, env, eng, &f, *out)
	if p == nil {
		return code
	}
	defer discard()
	if *asJSON {
		if err := writePlanJSON(env.Stdout, p); err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
	} else {
		if err := renderPlan(env.Stdout, p); err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		if *out != "" {
			fmt.Fprintf(env.Stdout, "\nSaved the plan to %s. Apply exactly this plan with:\n    tote apply %s\n", *out, *out)
		}
	}
	if reportFailures(env, p, eng.Program().Config.Files) {
		return exitError
	}
	if *detailed && (p.Summary().Changes() > 0 || p.Head().SubscriptionChanges() > 0) {
		return exitChanges
	}
	return exitOK
}

// writePlanJSON prints a plan as the JSON object of tote plan -json: its
// keys in order, the runs streamed one at a time.
func writePlanJSON(w io.Writer, src plan.Source) error {
	p, sum := src.Head(), src.Summary()
	bw := bufio.NewWriterSize(w, 64<<10)
	value := func(v any, prefix string) error {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetIndent(prefix, "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err := bw.Write(bytes.TrimRight(b.Bytes(), "\n"))
		return err
	}
	fields := []struct {
		key string
		v   any
	}{
		{"config_hash", p.ConfigHash}, {"created_at", p.CreatedAt}, {"cursors", p.Cursors}, {"format_version", p.FormatVersion},
		{"public_url", p.PublicURL}, {"runs", nil}, {"subscriptions", p.Subscriptions},
		{"summary", map[string]int{"create": sum.Create, "update": sum.Update, "delete": sum.Delete, "unchanged": sum.Noop}},
		{"tote_version", p.ToteVersion}, {"variables", p.Variables},
	}
	bw.WriteString("{")
	for i, f := range fields {
		if i > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n  %q: ", f.key)
		if f.key != "runs" {
			if err := value(f.v, "  "); err != nil {
				return err
			}
			continue
		}
		bw.WriteString("[")
		n := 0
		err := src.EachRun(func(r *plan.Run) error {
			if n > 0 {
				bw.WriteString(",")
			}
			n++
			bw.WriteString("\n    ")
			return value(r, "    ")
		})
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteString("\n  ")
		}
		bw.WriteString("]")
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// reportFailures prints the nodes that failed to plan; true if any did.
func reportFailures(env Env, src plan.Source, files map[string]*hcl.File) bool {
	if src.Summary().Failures == 0 {
		return false
	}
	_ = src.EachRun(func(r *plan.Run) error {
		for _, f := range r.Errors {
			writeFailure(env, r, f, files)
		}
		return nil
	})
	return true
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

// makePlan plans the selection, writing each run to a plan file as it is
// planned: to out when it is set (a file appears there only once the plan
// is complete), else to a temporary file that discard removes. The plan is
// read back from that file, so a plan of any size is never all in memory.
func makePlan(ctx context.Context, env Env, eng *run.Engine, f *planFlags, out string) (plan.Source, func(), int) {
	sel, err := f.selection(env.Now())
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return nil, nil, exitError
	}
	sel.PublicURL = publicURL(env, f.publicURL, eng.Program())
	dir := ""
	if out != "" {
		dir = filepath.Dir(out)
	}
	file, err := os.CreateTemp(dir, ".tote-plan-*.json") // created 0600
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error: writing the plan:", err)
		return nil, nil, exitError
	}
	discard := func() { _ = os.Remove(file.Name()) }
	p := eng.NewPlan(version())
	w := plan.NewWriter(file, p, true)
	err = eng.PlanStream(ctx, sel, p, w.Add)
	if err == nil {
		err = w.Close(p)
	}
	if cerr := file.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("writing the plan: %w", cerr)
	}
	path := file.Name()
	if err == nil && out != "" {
		if err = os.Rename(path, out); err == nil {
			path, discard = out, func() {}
		}
	}
	if err != nil {
		discard()
		fmt.Fprintln(env.Stderr, "Error:", err)
		return nil, nil, exitError
	}
	return plan.Written(path, p, w.Summary()), discard, exitOK
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
	var p plan.Source
	if len(pos) == 1 {
		if len(f.vars) > 0 {
			fmt.Fprintf(env.Stderr, "Error: -var cannot be used with a saved plan\n\n%s holds the variable values it was made with. To use other values, make a new plan with tote plan -var ... -out FILE.\n", pos[0])
			return exitError
		}
		file, err := plan.Open(pos[0])
		if err == nil {
			p = file
			f.pinned, err = file.Head().PinnedValues()
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
		if p.Head().ConfigHash != eng.Program().Config.Hash {
			fmt.Fprintf(env.Stderr, "Error: %s was made from other pipeline files than those in %s; run tote plan again.\n", pos[0], f.dir)
			return exitError
		}
	} else {
		var discard func()
		p, discard, code = makePlan(ctx, env, eng, &f, "")
		if p == nil {
			return code
		}
		defer discard()
		if err := renderPlan(env.Stdout, p); err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		if reportFailures(env, p, eng.Program().Config.Files) {
			return exitError
		}
		if p.Summary().Changes() == 0 && p.Head().SubscriptionChanges() == 0 {
			return exitOK
		}
		if !*auto && !confirm(env) {
			fmt.Fprintln(env.Stderr, "Apply cancelled.")
			return exitError
		}
	}
	release, ok := holdLease(ctx, env, eng, p.Summary().Changes())
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
func holdLease(ctx context.Context, env Env, eng *run.Engine, changes int) (release func(), ok bool) {
	_, release, err := lease.Hold(ctx, eng.Store(), lease.Options{Kind: "apply", Clock: env.Now}, eng)
	var busy *lease.HeldError
	switch {
	case errors.As(err, &busy) && changes == 0:
		return func() {}, true
	case errors.As(err, &busy):
		fmt.Fprintf(env.Stderr, "Error: %s.\ntote apply does not write beside it: let it make these changes (it runs the same pipelines), or stop it and apply again.\n", busy)
		return nil, false
	case err != nil:
		fmt.Fprintln(env.Stderr, "Error: taking the state lease:", err)
		return nil, false
	}
	return release, true
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
