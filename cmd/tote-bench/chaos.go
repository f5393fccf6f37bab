package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/sandbox"
	"github.com/toteworks/tote/engine/state"
)

// chaosFaults are the faults both fake vendors inject while the world
// trades: 20 % of API requests fail (5xx, 429 or no answer until the
// request times out), 5 % of writes are made but their answer is lost
// (the connection drops or the body is cut after the vendor committed)
// and 10 % of webhook deliveries come twice.
var chaosFaults = bigcommercetest.Faults{ErrorRate: 0.10, RateLimitStorm: 0.05, HangRate: 0.05,
	LostAnswerRate: 0.05, DuplicateWebhookRate: 0.10}

// chaosLeaseTTL is tote run's state lease in the bench: short, so that a
// paused holder loses it, and another takes over, within seconds.
const chaosLeaseTTL = 15 * time.Second

// chaosOptions shape a chaos run.
type chaosOptions struct {
	orders  int
	seed    uint64
	kills   int
	timeout time.Duration
	// relative runs the inventory and returns pipelines with
	// inventory_mode = "relative": stock deltas that must never be taken
	// twice, instead of levels that can be set again.
	relative bool
	// applyEvery runs `tote apply -auto-approve` on the same state beside
	// tote run this often while the world trades (0: never).
	applyEvery time.Duration
	// pause stops tote run with SIGSTOP once, past its state lease,
	// starts another, then lets the first go on.
	pause bool
}

func chaosMain(args []string) int {
	flags := flag.NewFlagSet("chaos", flag.ExitOnError)
	var o chaosOptions
	flags.IntVar(&o.orders, "orders", 200, "orders the simulated shoppers place")
	flags.Uint64Var(&o.seed, "seed", 1, "the world's and the faults' seed")
	flags.IntVar(&o.kills, "kills", 5, "times tote run is killed with SIGKILL and started again")
	flags.DurationVar(&o.timeout, "timeout", 15*time.Minute, "give up when not reconciled by then")
	inventory := flags.String("inventory", "absolute", `inventory_mode of the pipelines: "absolute" or "relative"`)
	flags.DurationVar(&o.applyEvery, "apply-every", 20*time.Second, "run tote apply beside tote run this often (0: never)")
	flags.BoolVar(&o.pause, "pause", true, "pause tote run past its lease once, with another started meanwhile")
	_ = flags.Parse(args)
	switch *inventory {
	case "absolute":
	case "relative":
		o.relative = true
	default:
		fmt.Fprintf(os.Stderr, "Error: -inventory is %q, want absolute or relative\n", *inventory)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ok, err := chaos(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}

// chaos runs every shipped pipeline under `tote run` while the sandbox's
// world trades against the fakes with chaosFaults on; kills tote run with
// SIGKILL o.kills times along the way, starting it again on the same
// state each time; pauses it past its lease once while another starts;
// and runs tote apply beside it. Once the world has done its business the
// faults stop, and the sandbox's verdict must hold: no order, shipment,
// refund, stock delta or email lost or doubled, counted where the vendors
// hold them, and no event dead or parked.
func chaos(ctx context.Context, o chaosOptions, out io.Writer) (bool, error) {
	opts := sandbox.Options{Addresses: loopback,
		Seed: o.seed, BigCommerceQuota: 6000, ShipStationPerMinute: 3000, ShipStationV2PerMinute: 3000}
	fakes, err := sandbox.StartFakes(opts)
	if err != nil {
		return false, err
	}
	defer fakes.Close()
	dir, err := os.MkdirTemp("", "tote-chaos-")
	if err != nil {
		return false, err
	}
	passed := false
	defer func() {
		if passed {
			os.RemoveAll(dir)
		} else {
			fmt.Fprintf(out, "\nState and tote run's log are kept in %s\n", dir)
		}
	}()
	listen, err := freeAddr()
	if err != nil {
		return false, err
	}
	pipeDir := filepath.Join(dir, "pipelines")
	if err := writePipelines(pipeDir); err != nil {
		return false, err
	}
	env := fakes.Env(opts)
	env["SHIPSTATION_WEBHOOK_TOKEN"] = "chaos-token"
	env["SHIPSTATION_UNKNOWN_SKU_RETRY"] = "5s"
	env["TOTE_STATE"] = filepath.Join(dir, "state.db")
	// A request that gets no answer costs a run this long before it is
	// retried.
	env["BIGCOMMERCE_TIMEOUT"], env["SHIPSTATION_TIMEOUT"] = "3s", "3s"
	vars := []string{"reconcile_schedule=@every 3s", "inventory_schedule=@every 10s", "public_url=http://" + listen}
	expect := sandbox.Expectations{RelativeInventory: o.relative}
	if o.relative {
		vars = append(vars, "inventory_mode=relative")
	}
	if err := registerWebhooks(ctx, pipeDir, env, vars, "http://"+listen); err != nil {
		return false, err
	}
	var varArgs []string
	for _, v := range vars {
		varArgs = append(varArgs, "-var", v)
	}
	argsAt := func(addr string) []string {
		return append([]string{"-dir", pipeDir, "-listen", addr, "-backoff", "200ms", "-max-backoff", "5s", "-max-attempts", "20",
			"-lease-ttl", chaosLeaseTTL.String()}, varArgs...)
	}
	args := argsAt(listen)
	logPath := filepath.Join(dir, "tote-run.log")
	engine, err := startEngine(ctx, dir, logPath, env, args)
	if err != nil {
		return false, err
	}
	defer func() {
		if engine != nil {
			_ = engine.stop()
		}
	}()
	applier := &sideApply{dir: dir, env: env, args: append([]string{"-dir", pipeDir, "-auto-approve"}, varArgs...)}
	defer applier.wait()

	inventory := "absolute"
	if o.relative {
		inventory = "relative"
	}
	fmt.Fprintf(out, "tote-bench chaos: %d orders, seed %d, inventory %s; %.0f%% of requests fail (5xx %.0f%%, 429 %.0f%%, no answer %.0f%%), %.0f%% of writes lose their answer, %.0f%% of webhooks come twice; tote run is killed %d times",
		o.orders, o.seed, inventory, 100*(chaosFaults.ErrorRate+chaosFaults.RateLimitStorm+chaosFaults.HangRate), 100*chaosFaults.ErrorRate,
		100*chaosFaults.RateLimitStorm, 100*chaosFaults.HangRate, 100*chaosFaults.LostAnswerRate, 100*chaosFaults.DuplicateWebhookRate, o.kills)
	if o.pause {
		fmt.Fprint(out, " and paused past its lease once")
	}
	if o.applyEvery > 0 {
		fmt.Fprintf(out, "; tote apply runs beside it every %s", o.applyEvery)
	}
	fmt.Fprintln(out)
	fakes.BigCommerce.SetFaults(chaosFaults)
	fakes.ShipStation.SetFaults(chaosFaults)

	world := &sandbox.World{Fakes: fakes, Orders: o.orders, Seed: o.seed, ForeignStoreSKUs: o.relative}
	worldCtx, stopWorld := context.WithCancel(ctx)
	defer stopWorld()
	worldDone := make(chan error, 1)
	go func() { worldDone <- world.Run(worldCtx) }()

	started := time.Now()
	deadline := time.After(o.timeout)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastApply := time.Now()
	killed, paused, faultsOff, stable := 0, !o.pause, time.Time{}, 0
	var checks []sandbox.Check
	for stable < 3 {
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-deadline:
			if faultsOff.IsZero() {
				fmt.Fprintf(out, "\nThe world was not done after %s (%d of %d orders placed).\n", o.timeout, world.Placed(), o.orders)
			} else {
				fmt.Fprintf(out, "\nNot reconciled %s after the faults stopped.\n", time.Since(faultsOff).Round(time.Second))
			}
			sandbox.WriteChecks(out, checks)
			_ = engine.stop()
			engine = nil
			applier.wait()
			applier.report(out)
			printStuck(ctx, out, env["TOTE_STATE"])
			return false, nil
		case err := <-worldDone:
			if err != nil {
				return false, fmt.Errorf("the world: %w", err)
			}
			worldDone = nil
		case <-tick.C:
		}
		elapsed := time.Since(started).Seconds()
		// Kills are spread over the trading: one each time another share
		// of the orders has been placed.
		if killed < o.kills && world.Placed() >= (killed+1)*o.orders/(o.kills+1) {
			engine.kill()
			killed++
			fmt.Fprintf(out, "%5.0fs  killed tote run (%d/%d) with %d orders placed; starting it again\n",
				elapsed, killed, o.kills, world.Placed())
			if engine, err = startEngine(ctx, dir, logPath, env, args); err != nil {
				return false, err
			}
		}
		if !paused && world.Placed() >= o.orders/2 {
			paused = true
			if engine, err = pauseHolder(ctx, engine, dir, logPath, env, listen, argsAt, out, started); err != nil {
				return false, err
			}
		}
		if o.applyEvery > 0 && faultsOff.IsZero() && time.Since(lastApply) >= o.applyEvery {
			lastApply = time.Now()
			applier.start(ctx)
		}
		if faultsOff.IsZero() && killed == o.kills && paused && world.Placed() >= o.orders && world.Idle() {
			fakes.BigCommerce.SetFaults(bigcommercetest.Faults{})
			fakes.ShipStation.SetFaults(bigcommercetest.Faults{})
			faultsOff = time.Now()
			fmt.Fprintf(out, "%5.0fs  the world is done; faults off\n", elapsed)
		}
		if faultsOff.IsZero() {
			continue
		}
		if expect.Parked, err = parkedWrites(ctx, env["TOTE_STATE"]); err != nil {
			return false, err
		}
		checks = sandbox.ReconcileWith(fakes, expect)
		if sandbox.AllOK(checks) {
			stable++
		} else {
			stable = 0
			if waited := time.Since(faultsOff); waited >= 30*time.Second && int(waited.Seconds())%30 == 0 {
				fmt.Fprintf(out, "%5.0fs  not reconciled yet: %s\n", elapsed, firstProblem(checks))
			}
		}
	}
	fmt.Fprintf(out, "%5.0fs  reconciled %s after the faults stopped\n\n", time.Since(started).Seconds(), time.Since(faultsOff).Round(time.Second))
	err = engine.stop()
	engine = nil
	if err != nil {
		return false, fmt.Errorf("tote run: %w", err)
	}
	applier.wait()
	sandbox.WriteChecks(out, checks)
	bc, ss := fakes.BigCommerce.Stats(), fakes.ShipStation.Stats()
	fmt.Fprintf(out, "\nrequests: BigCommerce %d (%d answered 429), ShipStation %d (%d answered 429); webhook deliveries duplicated: %d\n",
		bc.Calls, bc.TooMany, ss.V1Calls+ss.V2Calls, ss.V1TooMany+ss.V2TooMany, duplicatedDeliveries(fakes))
	fmt.Fprintf(out, "tote run killed %d times\n", killed)
	applier.report(out)
	passed = printStuck(ctx, out, env["TOTE_STATE"]) == 0
	return passed, nil
}

// pauseHolder stops the tote run holding the state lease with SIGSTOP,
// starts another on the same state (which can serve only once the lease
// has expired), then lets the first go on: it must notice that its lease
// is gone and stop claiming and writing. A process stopped inside a state
// transaction keeps SQLite's write lock, so that no other can start until
// it goes on: then it is let go on after three lease periods, and must
// stop by itself before the other serves. The paused one keeps its
// listening socket, so the other serves elsewhere meanwhile (deliveries to
// the registered address wait or fail, and the polls catch up); once the
// first has stopped, it is started again on the registered address. It
// returns the tote run that serves from then on.
func pauseHolder(ctx context.Context, holder *engineProc, dir, logPath string, env map[string]string, home string, argsAt func(string) []string, out io.Writer, started time.Time) (*engineProc, error) {
	since := func() float64 { return time.Since(started).Seconds() }
	if err := holder.pause(); err != nil {
		return holder, err
	}
	elsewhere, err := freeAddr()
	if err != nil {
		return holder, err
	}
	fmt.Fprintf(out, "%5.0fs  paused tote run (pid %d); starting another on the same state\n", since(), holder.pid())
	resumed := false
	resume := func(why string) error {
		resumed = true
		fmt.Fprintf(out, "%5.0fs  %s; resuming the paused one\n", since(), why)
		return holder.resume()
	}
	giveUp := time.Now().Add(3 * chaosLeaseTTL)
	var next *engineProc
	for next == nil {
		p, err := startEngine(ctx, dir, logPath, env, argsAt(elsewhere))
		switch {
		case err == nil:
			next = p
		case ctx.Err() != nil:
			_ = holder.resume()
			return holder, ctx.Err()
		default:
			// The lease, or SQLite's write lock, is still the paused one's.
			if !resumed && time.Now().After(giveUp) {
				if err := resume("no other tote run could start: the paused one holds the state's write lock"); err != nil {
					return holder, err
				}
			}
			if resumed && time.Now().After(giveUp.Add(90*time.Second)) && !holder.done() {
				fmt.Fprintf(out, "%5.0fs  the resumed tote run was still going after 90s; killing it\n", since())
				holder.kill()
			}
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Second):
			}
		}
	}
	if !resumed {
		if err := resume(fmt.Sprintf("another tote run (pid %d) serves", next.pid())); err != nil {
			return next, err
		}
	}
	select {
	case <-holder.exited:
		fmt.Fprintf(out, "%5.0fs  the resumed tote run stopped (%s)\n", since(), exitText(holder.err))
	case <-time.After(90 * time.Second):
		fmt.Fprintf(out, "%5.0fs  the resumed tote run was still going after 90s; killing it\n", since())
		holder.kill()
	}
	if err := next.stop(); err != nil {
		fmt.Fprintf(out, "%5.0fs  the other tote run stopped: %v\n", since(), err)
	}
	return startEngine(ctx, dir, logPath, env, argsAt(home))
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// firstProblem names the first flow that does not reconcile and its
// first problem.
func firstProblem(checks []sandbox.Check) string {
	for _, c := range checks {
		if !c.OK() {
			return fmt.Sprintf("%s (%d problems): %s", c.Flow, len(c.Problems), c.Problems[0])
		}
	}
	return "no checks"
}

// sideApply runs `tote apply -auto-approve` beside tote run, one at a
// time, and tallies how each ended.
type sideApply struct {
	dir  string
	env  map[string]string
	args []string

	mu      sync.Mutex
	running bool
	done    sync.WaitGroup
	ok      int
	failed  map[string]int // first line of the output -> times
}

// start runs tote apply unless one still runs.
func (a *sideApply) start(ctx context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.running {
		return
	}
	cmd, err := selfTote(ctx, a.env, append([]string{"apply"}, a.args...)...)
	if err != nil {
		return
	}
	a.running = true
	a.done.Add(1)
	go func() {
		defer a.done.Done()
		outb, err := cmd.CombinedOutput()
		a.mu.Lock()
		defer a.mu.Unlock()
		a.running = false
		if err == nil {
			a.ok++
			return
		}
		if a.failed == nil {
			a.failed = map[string]int{}
		}
		a.failed[firstLine(string(outb), err)]++
	}()
}

func (a *sideApply) wait() { a.done.Wait() }

func (a *sideApply) report(out io.Writer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := a.ok
	for _, c := range a.failed {
		n += c
	}
	if n == 0 {
		return
	}
	fmt.Fprintf(out, "tote apply beside tote run: %d runs, %d succeeded\n", n, a.ok)
	for _, line := range slices.Sorted(maps.Keys(a.failed)) {
		fmt.Fprintf(out, "  %dx %s\n", a.failed[line], line)
	}
}

// firstLine is the line of an output that says why it failed: the first
// one starting with "Error", else the first.
func firstLine(s string, err error) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "Error") {
			return strings.TrimSpace(l)
		}
	}
	if len(lines) > 0 && lines[0] != "" {
		return strings.TrimSpace(lines[0])
	}
	return err.Error()
}

// printStuck prints the events that exhausted their attempts and those
// parked (a write of unknown outcome, left for a person), with why, and
// returns how many are dead: parked events are not failures.
func printStuck(ctx context.Context, out io.Writer, path string) int {
	dead, err := itemsIn(ctx, path, state.ItemDead)
	if err != nil {
		fmt.Fprintln(out, "reading the dead events:", err)
		return -1
	}
	parked, err := itemsIn(ctx, path, state.ItemParked)
	if err != nil {
		fmt.Fprintln(out, "reading the parked events:", err)
		return -1
	}
	fmt.Fprintf(out, "%d events dead, %d parked (outcome unknown)\n", len(dead), len(parked))
	for _, d := range dead {
		fmt.Fprintf(out, "  dead: %s\n", d)
	}
	for _, p := range parked {
		fmt.Fprintf(out, "  parked: %s\n", p)
	}
	return len(dead)
}

// parkedWrites reads the writes tote parked as of unknown outcome, for
// the verdict to count as parked rather than lost.
func parkedWrites(ctx context.Context, path string) ([]sandbox.ParkedWrite, error) {
	st, err := state.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	// Every write whose outcome is unknown is a parked event's. It may be
	// an earlier attempt's, whose run was never recorded (the process was
	// killed during it), so the writes are read from the ledger, not by run.
	intents, err := st.AllUnknownIntents(ctx)
	if err != nil {
		return nil, err
	}
	var out []sandbox.ParkedWrite
	for _, in := range intents {
		// The ledger names actions with their connector's type.
		w := sandbox.ParkedWrite{Action: in.Action[strings.LastIndex(in.Action, ".")+1:]}
		if err := json.Unmarshal([]byte(in.Identity), &w.Identity); err != nil {
			return nil, fmt.Errorf("intent %s: identity: %w", in.Key, err)
		}
		out = append(out, w)
	}
	return out, nil
}

// itemsIn lists the events in status, with why.
func itemsIn(ctx context.Context, path string, status state.ItemStatus) ([]string, error) {
	st, err := state.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	items, err := st.Items(ctx, state.ItemFilter{Status: status})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		out = append(out, fmt.Sprintf("%s.%s %s: %s", it.Pipeline, it.Trigger, it.Key, strings.TrimSpace(it.LastError)))
	}
	return out, nil
}

func duplicatedDeliveries(f *sandbox.Fakes) int {
	n := 0
	for _, d := range f.BigCommerce.Deliveries() {
		if d.Duplicate {
			n++
		}
	}
	for _, d := range f.ShipStation.Deliveries() {
		if d.Duplicate {
			n++
		}
	}
	return n
}
