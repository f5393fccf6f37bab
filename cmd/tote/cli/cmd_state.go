package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/toteworks/tote/engine/state"
)

func cmdState(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] != "prune" {
		if wantsHelp(args) {
			fmt.Fprintln(env.Stderr, "Usage: tote state prune [-retain 30d] [-retain-intents 90d] [-dry-run] [-json]")
			fmt.Fprintln(env.Stderr, "\nRemoves finished events, runs and old ledger entries past their retention; tote state prune -h for its flags.")
			return exitOK
		}
		fmt.Fprintln(env.Stderr, "Error: tote state has one subcommand: tote state prune [-retain D] [-retain-intents D] [-dry-run] [-json]")
		return exitError
	}
	fs := newFlags("state prune", "state prune [-retain 30d] [-retain-intents 90d] [-dry-run] [-json]", env.Stderr)
	var statePath string
	registerState(fs, env, &statePath)
	var ret retention
	ret.register(fs)
	dry := fs.Bool("dry-run", false, "count what would be removed; remove nothing")
	asJSON := fs.Bool("json", false, "print as JSON")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return exitError
	}
	if len(pos) > 0 {
		fmt.Fprintf(env.Stderr, "Error: unexpected argument %q\n", pos[0])
		return exitError
	}
	if ret.records <= 0 {
		fmt.Fprintln(env.Stderr, "Error: -retain must be a positive duration, e.g. 30d or 720h")
		return exitError
	}
	if msg := ret.check(); msg != "" {
		fmt.Fprintln(env.Stderr, "Error:", msg)
		return exitError
	}
	store, code := existingState(ctx, env, statePath, state.WithClock(env.Now))
	if store == nil {
		return code
	}
	defer store.Close()
	res, err := store.Prune(ctx, state.Retention{Records: ret.records, Intents: ret.intents, DryRun: *dry})
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return exitError
	}
	size, err := store.Size(ctx)
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return exitError
	}
	now := env.Now().UTC()
	keptSince, intentsSince := now.Add(-ret.records), now.Add(-ret.intents)
	if *asJSON {
		writeJSON(env.Stdout, map[string]any{
			"dry_run": *dry,
			"removed": map[string]int{"items": res.Items, "runs": res.Runs, "step_attempts": res.Attempts, "intents": res.Intents},
			"kept_since": map[string]time.Time{
				"items": keptSince, "runs": keptSince, "intents": intentsSince,
			},
			"size": map[string]int64{"bytes": size.Bytes(), "pages": size.Pages, "free_pages": size.FreePages},
		})
		return exitOK
	}
	verb := "Removed"
	if *dry {
		verb = "Would remove"
	}
	fmt.Fprintf(env.Stdout, "%s %d inbox %s, %d %s, %d step %s and %d %s.\n", verb,
		res.Items, plural(res.Items, "item", "items"), res.Runs, plural(res.Runs, "run", "runs"),
		res.Attempts, plural(res.Attempts, "attempt", "attempts"), res.Intents, plural(res.Intents, "intent", "intents"))
	fmt.Fprintf(env.Stdout, "Kept: finished items and runs since %s, closed intents since %s, and every dead item, open intent and link.\n",
		keptSince.Format(time.RFC3339), intentsSince.Format(time.RFC3339))
	if store.Backend() == state.Postgres {
		fmt.Fprintf(env.Stdout, "State tables: %s with their indexes (VACUUM makes what was pruned reusable; autovacuum runs it).\n", byteSize(size.Bytes()))
		return exitOK
	}
	fmt.Fprintf(env.Stdout, "State file: %s in %d pages, %d free for reuse.\n", byteSize(size.Bytes()), size.Pages, size.FreePages)
	return exitOK
}

// retention holds the -retain and -retain-intents flags of tote run and
// tote state prune.
type retention struct {
	records, intents time.Duration
	fs               *flag.FlagSet
}

func (r *retention) register(fs *flag.FlagSet) {
	r.fs = fs
	r.records, r.intents = state.DefaultRetain, state.DefaultRetainIntents
	fs.Var((*days)(&r.records), "retain", "keep finished events, runs and step attempts this long, e.g. 30d or 720h (tote run: 0 keeps everything)")
	fs.Var((*days)(&r.intents), "retain-intents", "keep the ledger of finished writes this long; never shorter than -retain (the default follows a longer -retain)")
}

// check reports a retention that would let a write be repeated. Unless
// -retain-intents was given, intents are kept at least as long as runs.
func (r *retention) check() string {
	if !flagSet(r.fs, "retain-intents") {
		r.intents = max(r.intents, r.records)
	}
	if r.records > 0 && r.intents < r.records {
		return fmt.Sprintf("-retain-intents (%s) is shorter than -retain (%s): a retried event could repeat a write it made",
			days(r.intents), days(r.records))
	}
	return ""
}

// days is a duration flag that also takes whole days ("30d").
type days time.Duration

func (d days) String() string {
	v := time.Duration(d)
	if v > 0 && v%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"
	}
	return v.String()
}

func (d *days) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		v, err := strconv.ParseUint(n, 10, 32)
		if err != nil || v > 100_000 {
			return fmt.Errorf("want a duration such as 30d or 720h, got %q", s)
		}
		*d = days(time.Duration(v) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("want a duration such as 30d or 720h, got %q", s)
	}
	*d = days(v)
	return nil
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
