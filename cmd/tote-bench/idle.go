package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors/sandbox"
)

// IdleResult is what the shipped pipelines cost ShipStation in an hour on
// an idle store, at the shipped schedules: the reconcile polls every 5
// minutes (12 ticks an hour, the inventory pipeline's shipments poll
// among them) and the inventory sweep hourly. One tick of
// each is measured with `tote plan` against the fakes and multiplied out.
// Each tick is a fresh process, so the names (tags, stores) it resolves are
// read every tick; `tote run` keeps them 10 minutes, so the figure is an
// upper bound.
type IdleResult struct {
	// One reconcile tick of every pipeline (the inventory sweep aside),
	// with the webhook subscription check tote run makes as often.
	TickV1Calls int64            `json:"tick_v1_calls"`
	TickV2Calls int64            `json:"tick_v2_calls"`
	TickBCCalls int64            `json:"tick_bc_calls"`
	TickV1ByReq map[string]int64 `json:"tick_v1_requests"`
	// One inventory sweep.
	SweepV1Calls int64 `json:"sweep_v1_calls"`
	SweepV2Calls int64 `json:"sweep_v2_calls"`
	// An hour: 12 ticks and one sweep.
	HourV1Calls   int64   `json:"hour_v1_calls"`
	HourV2Calls   int64   `json:"hour_v2_calls"`
	HourBCCalls   int64   `json:"hour_bc_calls"`
	BudgetPercent float64 `json:"v1_budget_percent"` // of 2,400 an hour
}

func idleMain(args []string) int {
	flags := flag.NewFlagSet("idle", flag.ExitOnError)
	asJSON := flags.Bool("json", false, "print the result as JSON")
	_ = flags.Parse(args)
	res, err := idleBench(context.Background())
	return finish(res, err, *asJSON, func(res *IdleResult) {
		fmt.Printf("one reconcile tick: ShipStation v1 %d, v2 %d, BigCommerce %d calls\n", res.TickV1Calls, res.TickV2Calls, res.TickBCCalls)
		for _, k := range slices.Sorted(maps.Keys(res.TickV1ByReq)) {
			fmt.Printf("  %4d  %s\n", res.TickV1ByReq[k], k)
		}
		fmt.Printf("one inventory sweep: ShipStation v1 %d, v2 %d calls\n", res.SweepV1Calls, res.SweepV2Calls)
		fmt.Printf("an idle hour: ShipStation v1 %d calls (%.1f%% of 2,400), v2 %d, BigCommerce %d\n",
			res.HourV1Calls, res.BudgetPercent, res.HourV2Calls, res.HourBCCalls)
	})
}

func idleBench(ctx context.Context) (*IdleResult, error) {
	opts := vendorLimits()
	fakes, err := sandbox.StartFakes(opts)
	if err != nil {
		return nil, err
	}
	defer fakes.Close()
	dir, pipeDir, env, err := newWorkspace("tote-bench-idle-", fakes, opts)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	env["TOTE_PUBLIC_URL"] = "https://tote.example.com"
	// The subscriptions exist, as on a store tote has run on for a while.
	if err := registerWebhooks(ctx, pipeDir, env, nil, "https://tote.example.com"); err != nil {
		return nil, err
	}
	// A five-minute window before the fakes were seeded: nothing happened
	// in it, as on an idle store.
	to := time.Now().Add(-time.Hour)
	window := []string{"-from", to.Add(-5 * time.Minute).UTC().Format(time.RFC3339), "-to", to.UTC().Format(time.RFC3339)}
	measure := func(args ...string) (v1, v2, bc int64, byReq map[string]int64, err error) {
		ss0, bc0 := fakes.ShipStation.Stats(), fakes.BigCommerce.Stats().Calls
		if err := toteCommand(ctx, env, filepath.Join(dir, "plan.log"), append(append([]string{"plan", "-dir", pipeDir}, window...), args...)...); err != nil {
			return 0, 0, 0, nil, err
		}
		ss1 := fakes.ShipStation.Stats()
		byReq = map[string]int64{}
		for k, n := range ss1.ByRequest {
			if d := n - ss0.ByRequest[k]; d > 0 {
				byReq[k] = d
			}
		}
		return ss1.V1Calls - ss0.V1Calls, ss1.V2Calls - ss0.V2Calls, fakes.BigCommerce.Stats().Calls - bc0, byReq, nil
	}
	res := &IdleResult{}
	allV1, allV2, allBC, allReq, err := measure()
	if err != nil {
		return nil, err
	}
	// The inventory pipeline alone, without the subscription check (a
	// tick's): its shipments poll runs every tick, its catalog sweep hourly.
	// In relative mode the sweep reads nothing, which leaves the poll.
	delete(env, "TOTE_PUBLIC_URL")
	invV1, invV2, invBC, invReq, err := measure("-pipeline", "inventory")
	if err != nil {
		return nil, err
	}
	pollV1, pollV2, pollBC, pollReq, err := measure("-pipeline", "inventory", "-var", "inventory_mode=relative")
	if err != nil {
		return nil, err
	}
	sweepV1, sweepV2, sweepBC := invV1-pollV1, invV2-pollV2, invBC-pollBC
	sweepReq := map[string]int64{}
	for k, n := range invReq {
		if d := n - pollReq[k]; d > 0 {
			sweepReq[k] = d
		}
	}
	res.TickV1Calls, res.TickV2Calls, res.TickBCCalls = allV1-sweepV1, allV2-sweepV2, allBC-sweepBC
	res.TickV1ByReq = allReq
	for k, n := range sweepReq {
		if res.TickV1ByReq[k] -= n; res.TickV1ByReq[k] <= 0 {
			delete(res.TickV1ByReq, k)
		}
	}
	for k := range res.TickV1ByReq {
		if strings.Contains(k, " /v2/") {
			delete(res.TickV1ByReq, k)
		}
	}
	res.SweepV1Calls, res.SweepV2Calls = sweepV1, sweepV2
	res.HourV1Calls = 12*res.TickV1Calls + sweepV1
	res.HourV2Calls = 12*res.TickV2Calls + sweepV2
	res.HourBCCalls = 12*res.TickBCCalls + sweepBC
	res.BudgetPercent = float64(res.HourV1Calls) / 2400 * 100
	return res, nil
}
