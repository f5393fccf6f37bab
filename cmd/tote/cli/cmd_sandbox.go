package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/toteworks/tote/connectors/sandbox"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/metrics"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/service"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/pipelines"
)

type sandboxFlags struct {
	fakeFlags
	orders      int
	noSimulate  bool
	keepRunning bool
	listen      string
	timeout     time.Duration
	stateDir    string
}

func (f *sandboxFlags) register(fs *flag.FlagSet) {
	f.fakeFlags.register(fs)
	fs.IntVar(&f.orders, "orders", 200, "orders the simulated shoppers place")
	fs.BoolVar(&f.noSimulate, "no-simulate", false, "simulate nobody: drive the fakes yourself")
	fs.BoolVar(&f.keepRunning, "keep-running", false, "keep serving after the run reconciles, until interrupted")
	fs.StringVar(&f.listen, "listen", "127.0.0.1:7400", "where the engine receives webhooks")
	fs.DurationVar(&f.timeout, "timeout", 3*time.Minute, "give up when not reconciled by then")
	fs.StringVar(&f.stateDir, "state-dir", "", "keep state and the engine's log here (default a temporary directory)")
}

func cmdSandbox(ctx context.Context, env Env, args []string) int {
	fs := newFlags("sandbox", "sandbox [flags]", env.Stderr)
	var f sandboxFlags
	f.register(fs)
	if _, err := parse(fs, args); err != nil {
		return exitError
	}
	out := env.Stdout
	fail := func(err error) int {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return exitError
	}

	opts := f.options()
	fakes, err := sandbox.StartFakes(opts)
	if err != nil {
		return fail(err)
	}
	defer fakes.Close()

	dir := f.stateDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "tote-sandbox-"); err != nil {
			return fail(err)
		}
		defer os.RemoveAll(dir)
	}
	logFile, err := os.OpenFile(filepath.Join(dir, "engine.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fail(err)
	}
	defer logFile.Close()
	logger := slog.New(slog.NewTextHandler(logFile, nil))

	publicURL := "http://" + f.listen
	prog, err := sandboxProgram(env, fakes, opts, publicURL)
	if err != nil {
		return fail(err)
	}
	store, err := state.Open(ctx, filepath.Join(dir, "state.db"))
	if err != nil {
		return fail(err)
	}
	defer store.Close()
	m := metrics.New(metrics.Options{Store: store, Lease: service.LeaseName})
	eng := run.New(prog, store, run.Options{Logger: logger, Observer: m})
	defer eng.Close()

	fmt.Fprintf(out, "tote sandbox: %d pipelines, fake vendors, seed %d\n\n", len(prog.Pipelines), f.seed)
	fakes.Describe(out)
	subs, err := eng.PlanSubscriptions(ctx, publicURL)
	if err != nil {
		return fail(err)
	}
	for _, s := range subs {
		if err := eng.ApplySubscription(ctx, s); err != nil {
			return fail(err)
		}
	}
	fmt.Fprintf(out, "Engine       %s (%d webhook subscriptions registered; log %s)\n", publicURL, len(subs), logFile.Name())
	fmt.Fprintf(out, "Status page  %s/\n\n", publicURL)

	runCtx, stopEngine := context.WithCancel(ctx)
	defer stopEngine()
	ready := make(chan struct{})
	engineDone := make(chan error, 1)
	go func() {
		engineDone <- service.Run(runCtx, eng, service.Options{Listen: f.listen, Logger: logger, Concurrency: 32, Metrics: m,
			Backoff: 200 * time.Millisecond, MaxBackoff: 5 * time.Second, Grace: 10 * time.Second,
			Ready: func(string) { close(ready) }, Status: statusPage(eng.Program(), store, "", env.Now, logger)})
	}()
	select {
	case <-ready:
	case err := <-engineDone:
		return fail(fmt.Errorf("the engine did not start: %w", err))
	}

	world := &sandbox.World{Fakes: fakes, Orders: f.orders, Seed: f.seed}
	if !f.noSimulate {
		go func() {
			if err := world.Run(runCtx); err != nil {
				fmt.Fprintln(env.Stderr, "Error: simulation:", err)
			}
		}()
	} else {
		fmt.Fprintln(out, "Nobody is simulated: place orders with POST /_sim/orders and ship them with /_sim/orders/{id}/ship.")
	}

	started := time.Now()
	deadline := time.After(f.timeout)
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	var checks []sandbox.Check
	reconciled := false
	stable := 0
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-deadline:
			if !f.keepRunning {
				break loop
			}
		case <-tick.C:
		}
		checks = sandbox.Reconcile(fakes)
		counts, _ := store.InboxCounts(ctx)
		waiting := waitingItems(ctx, store)
		fmt.Fprintf(out, "%5.0fs  orders placed %d/%d · in ShipStation %d · labels %d · inbox %d pending, %d done, %d dead, %d parked · %s\n",
			time.Since(started).Seconds(), world.Placed(), f.orders, len(fakes.ShipStation.Orders()), len(fakes.ShipStation.Shipments()),
			counts[state.ItemPending]+counts[state.ItemRunning], counts[state.ItemDone], counts[state.ItemDead], counts[state.ItemParked], verdictLine(checks))
		done := f.noSimulate || (world.Placed() >= f.orders && world.Idle())
		// Updates waiting for ShipStation to know a SKU wait for an order
		// that may never come: they do not hold the verdict up.
		if done && counts[state.ItemPending]+counts[state.ItemRunning]-waiting == 0 && sandbox.AllOK(checks) {
			stable++
		} else {
			stable = 0
		}
		if stable >= 2 && !f.keepRunning {
			reconciled = true
			break loop
		}
	}
	stopEngine()
	<-engineDone
	fmt.Fprintln(out)
	writeFlowTable(out, ctx, store, fakes, world, pipelineNames(prog))
	fmt.Fprintln(out)
	sandbox.WriteChecks(out, checks)
	if !reconciled && !sandbox.AllOK(checks) {
		fmt.Fprintln(out, "\nNot reconciled.")
		return exitError
	}
	if !reconciled {
		fmt.Fprintln(out, "\nStopped before everything settled.")
		return exitError
	}
	if n := waitingItems(ctx, store); n > 0 {
		fmt.Fprintf(out, "\n%d product updates wait for ShipStation to know their SKU (no order has brought it yet).", n)
	}
	fmt.Fprintf(out, "\nEverything reconciled in %.0fs. World: %s\n", time.Since(started).Seconds(), describeCounts(world.Counts()))
	return exitOK
}

// sandboxProgram compiles the embedded pipelines against the fakes, with
// the reconcile polls and the inventory sweep shortened to a few seconds.
func sandboxProgram(env Env, fakes *sandbox.Fakes, opts sandbox.Options, publicURL string) (*compile.Program, error) {
	cfg, diags := config.Load(pipelines.FS, "pipelines")
	if diags.HasErrors() {
		return nil, fmt.Errorf("the embedded pipelines: %s", diags.Error())
	}
	vals := fakes.Env(opts)
	vals["SHIPSTATION_WEBHOOK_TOKEN"] = "sandbox-webhook-token"
	vals["SHIPSTATION_UNKNOWN_SKU_RETRY"] = "5s"
	prog, diags := compile.Compile(cfg, compile.Options{
		Registry: env.Registry, Now: env.Now,
		Getenv: func(k string) (string, bool) { v, ok := vals[k]; return v, ok },
		Vars:   map[string]string{"reconcile_schedule": "@every 3s", "inventory_schedule": inventorySweep(opts), "public_url": publicURL},
	})
	if diags.HasErrors() {
		return nil, fmt.Errorf("the embedded pipelines: %s", diags.Error())
	}
	return prog, nil
}

// inventorySweep is how often the inventory pipeline brings every SKU in
// line: stock the world changes in ShipStation reaches BigCommerce only
// that way. Each sweep reads every SKU's BigCommerce level, so at the real
// rate limits it runs once a minute.
func inventorySweep(opts sandbox.Options) string {
	if opts.BigCommerceQuota <= 150 {
		return "@every 1m"
	}
	return "@every 10s"
}

func verdictLine(checks []sandbox.Check) string {
	var parts []string
	for _, c := range checks {
		mark := "ok"
		if !c.OK() {
			mark = fmt.Sprintf("%d open", len(c.Problems))
		}
		parts = append(parts, c.Flow+" "+mark)
	}
	return strings.Join(parts, ", ")
}

func describeCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

// flowOrder is the order of the flows in the summary: the order of the
// lifecycle. Pipelines not named here follow, by name.
var flowOrder = []string{"orders", "tracking", "inventory", "exceptions", "returns", "products"}

// pipelineNames lists the program's pipelines in flowOrder.
func pipelineNames(prog *compile.Program) []string {
	rank := func(name string) int {
		for i, n := range flowOrder {
			if n == name {
				return i
			}
		}
		return len(flowOrder)
	}
	var names []string
	for _, pl := range prog.Pipelines {
		names = append(names, pl.Name)
	}
	sort.SliceStable(names, func(i, j int) bool {
		if ri, rj := rank(names[i]), rank(names[j]); ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	return names
}

// writeFlowTable prints events, runs, writes, failures and latency per
// pipeline, read back from state, API calls per order from the fakes, and
// the customer emails captured.
func writeFlowTable(w io.Writer, ctx context.Context, store *state.Store, fakes *sandbox.Fakes, world *sandbox.World, flows []string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "flow\tevents\truns\twrites\tfailed runs\tlatency p50\tlatency p99\t")
	for _, name := range flows {
		items, _ := store.Items(ctx, state.ItemFilter{Pipeline: name})
		runs, _ := store.Runs(ctx, state.RunFilter{Pipeline: name})
		writes, failed := 0, 0
		for _, r := range runs {
			writes += r.Writes
			if r.Status == state.RunFailed || r.Status == state.RunDead {
				failed++
			}
		}
		var lat []time.Duration
		for _, it := range items {
			if it.Status == state.ItemDone {
				lat = append(lat, it.UpdatedAt.Sub(it.CreatedAt))
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t\n", name, len(items), len(runs), writes, failed, percentile(lat, 0.5), percentile(lat, 0.99))
	}
	tw.Flush()
	placed := max(world.Placed(), 1)
	st, bc := fakes.ShipStation.Stats(), fakes.BigCommerce.Stats()
	fmt.Fprintf(w, "\nAPI calls per order: ShipStation %.3f (%d calls, %d answered 429), BigCommerce %.3f (%d calls, %d answered 429), for %d orders\n",
		float64(st.V1Calls)/float64(placed), st.V1Calls, st.V1TooMany, float64(bc.Calls)/float64(placed), bc.Calls, bc.TooMany, world.Placed())
	mail := sandbox.Emails(fakes)
	if len(mail) == 0 {
		fmt.Fprintln(w, "Customer emails sent: 0")
		return
	}
	fmt.Fprintf(w, "Customer emails sent: %d (%s)\n", len(mail), sandbox.EmailSummary(mail))
}

func percentile(d []time.Duration, p float64) string {
	if len(d) == 0 {
		return "-"
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[min(int(float64(len(d))*p), len(d)-1)].Round(time.Millisecond).String()
}

// waitingItems counts pending events that wait for a target, not for a retry.
func waitingItems(ctx context.Context, store *state.Store) int {
	items, _ := store.Items(ctx, state.ItemFilter{Status: state.ItemPending})
	n := 0
	for _, it := range items {
		if strings.HasPrefix(it.LastError, "waiting: ") {
			n++
		}
	}
	return n
}
