package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/sandbox"
	"github.com/toteworks/tote/engine/state"
)

// chaosFaults are the faults both fake vendors inject while the world
// trades: 20 % of API requests fail (5xx, 429 or no answer until the
// request times out) and 10 % of webhook deliveries come twice.
var chaosFaults = bigcommercetest.Faults{ErrorRate: 0.10, RateLimitStorm: 0.05, HangRate: 0.05, DuplicateWebhookRate: 0.10}

func chaosMain(args []string) int {
	flags := flag.NewFlagSet("chaos", flag.ExitOnError)
	orders := flags.Int("orders", 200, "orders the simulated shoppers place")
	seed := flags.Uint64("seed", 1, "the world's and the faults' seed")
	kills := flags.Int("kills", 5, "times tote run is killed with SIGKILL and started again")
	timeout := flags.Duration("timeout", 10*time.Minute, "give up when not reconciled by then")
	_ = flags.Parse(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ok, err := chaos(ctx, *orders, *seed, *kills, *timeout, os.Stdout)
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
// world trades against the fakes with chaosFaults on, and kills tote run
// with SIGKILL kills times along the way, starting it again on the same
// state each time. Once the world has done its business the faults stop,
// and the sandbox's verdict must hold: no order, shipment, refund, stock
// level or email lost or doubled, and no event dead.
func chaos(ctx context.Context, orders int, seed uint64, kills int, timeout time.Duration, out io.Writer) (bool, error) {
	any := "127.0.0.1:0"
	opts := sandbox.Options{Addresses: sandbox.Addresses{BigCommerce: any, ShipStation: any, SMTP: any, Mail: any},
		Seed: seed, BigCommerceQuota: 6000, ShipStationPerMinute: 3000, ShipStationV2PerMinute: 3000}
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
	if err := registerWebhooks(ctx, pipeDir, env, vars, "http://"+listen); err != nil {
		return false, err
	}
	args := []string{"-dir", pipeDir, "-listen", listen, "-backoff", "200ms", "-max-backoff", "5s", "-max-attempts", "20"}
	for _, v := range vars {
		args = append(args, "-var", v)
	}
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

	fmt.Fprintf(out, "tote-bench chaos: %d orders, seed %d; %.0f%% of requests fail (5xx %.0f%%, 429 %.0f%%, no answer %.0f%%), %.0f%% of webhooks come twice; tote run is killed %d times\n",
		orders, seed, 100*(chaosFaults.ErrorRate+chaosFaults.RateLimitStorm+chaosFaults.HangRate), 100*chaosFaults.ErrorRate,
		100*chaosFaults.RateLimitStorm, 100*chaosFaults.HangRate, 100*chaosFaults.DuplicateWebhookRate, kills)
	fakes.BigCommerce.SetFaults(chaosFaults)
	fakes.ShipStation.SetFaults(chaosFaults)

	world := &sandbox.World{Fakes: fakes, Orders: orders, Seed: seed}
	worldCtx, stopWorld := context.WithCancel(ctx)
	defer stopWorld()
	worldDone := make(chan error, 1)
	go func() { worldDone <- world.Run(worldCtx) }()

	started := time.Now()
	deadline := time.After(timeout)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	killed, faultsOff, stable := 0, time.Time{}, 0
	var checks []sandbox.Check
	for stable < 3 {
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-deadline:
			if faultsOff.IsZero() {
				fmt.Fprintf(out, "\nThe world was not done after %s (%d of %d orders placed).\n", timeout, world.Placed(), orders)
			} else {
				fmt.Fprintf(out, "\nNot reconciled %s after the faults stopped.\n", time.Since(faultsOff).Round(time.Second))
			}
			sandbox.WriteChecks(out, checks)
			_ = engine.stop()
			engine = nil
			printDead(ctx, out, env["TOTE_STATE"])
			return false, nil
		case err := <-worldDone:
			if err != nil {
				return false, fmt.Errorf("the world: %w", err)
			}
			worldDone = nil
		case <-tick.C:
		}
		// Kills are spread over the trading: one each time another share
		// of the orders has been placed.
		if killed < kills && world.Placed() >= (killed+1)*orders/(kills+1) {
			engine.kill()
			killed++
			fmt.Fprintf(out, "%5.0fs  killed tote run (%d/%d) with %d orders placed; starting it again\n",
				time.Since(started).Seconds(), killed, kills, world.Placed())
			if engine, err = startEngine(ctx, dir, logPath, env, args); err != nil {
				return false, err
			}
		}
		if faultsOff.IsZero() && killed == kills && world.Placed() >= orders && world.Idle() {
			fakes.BigCommerce.SetFaults(bigcommercetest.Faults{})
			fakes.ShipStation.SetFaults(bigcommercetest.Faults{})
			faultsOff = time.Now()
			fmt.Fprintf(out, "%5.0fs  the world is done; faults off\n", time.Since(started).Seconds())
		}
		if faultsOff.IsZero() {
			continue
		}
		checks = sandbox.Reconcile(fakes)
		if sandbox.AllOK(checks) {
			stable++
		} else {
			stable = 0
		}
	}
	fmt.Fprintf(out, "%5.0fs  reconciled %s after the faults stopped\n\n", time.Since(started).Seconds(), time.Since(faultsOff).Round(time.Second))
	err = engine.stop()
	engine = nil
	if err != nil {
		return false, fmt.Errorf("tote run: %w", err)
	}
	sandbox.WriteChecks(out, checks)
	bc, ss := fakes.BigCommerce.Stats(), fakes.ShipStation.Stats()
	fmt.Fprintf(out, "\nrequests: BigCommerce %d (%d answered 429), ShipStation %d (%d answered 429); webhook deliveries duplicated: %d\n",
		bc.Calls, bc.TooMany, ss.V1Calls+ss.V2Calls, ss.V1TooMany+ss.V2TooMany, duplicatedDeliveries(fakes))
	fmt.Fprintf(out, "tote run killed %d times\n", killed)
	passed = printDead(ctx, out, env["TOTE_STATE"]) == 0
	return passed, nil
}

// printDead prints the events that exhausted their attempts, with why, and
// returns how many there are. Parked events (a write of unknown outcome,
// left for a person) are listed too; they are not failures.
func printDead(ctx context.Context, out io.Writer, path string) int {
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
