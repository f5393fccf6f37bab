package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/sandbox"
)

// PlanMemoryResult is the memory of `tote plan -since` (and, with -apply,
// of `tote apply PLANFILE`) over one backlog size; -json prints a list.
type PlanMemoryResult struct {
	Orders int `json:"orders"`
	// PlanPeakRSSMB is the plan process's peak resident memory (its VmHWM),
	// PlanSeconds its wall time.
	PlanPeakRSSMB float64 `json:"plan_peak_rss_mb"`
	PlanSeconds   float64 `json:"plan_seconds"`
	// PlanFileMB is the size of the saved plan, PlanCreates the orders it
	// would create in ShipStation.
	PlanFileMB  float64 `json:"plan_file_mb"`
	PlanCreates int     `json:"plan_creates"`
	// The apply of the saved plan, with -apply.
	ApplyPeakRSSMB float64 `json:"apply_peak_rss_mb,omitempty"`
	ApplySeconds   float64 `json:"apply_seconds,omitempty"`
	// ShipStationOrders counts tote's orders in ShipStation after the apply.
	ShipStationOrders int `json:"shipstation_orders,omitempty"`
}

func planMemoryMain(args []string) int {
	flags := flag.NewFlagSet("plan-memory", flag.ExitOnError)
	sizes := flags.String("orders", "10000,50000,100000", "backlog sizes, comma-separated: orders in BigCommerce, none yet in ShipStation")
	apply := flags.Bool("apply", false, "also apply each saved plan (tote apply PLANFILE) and measure that")
	timeout := flags.Duration("timeout", 2*time.Hour, "give up after")
	asJSON := flags.Bool("json", false, "print the results as JSON")
	_ = flags.Parse(args)
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "Error: -orders: %q is not a positive number\n", s)
			return 2
		}
		ns = append(ns, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var results []*PlanMemoryResult
	for _, n := range ns {
		res, err := planMemory(ctx, n, *apply, os.Stderr)
		if err != nil {
			fmt.Fprintf(os.Stderr, "Error: %d orders: %v\n", n, err)
			return 1
		}
		results = append(results, res)
	}
	if *asJSON {
		printJSON(results)
		return 0
	}
	for _, r := range results {
		fmt.Printf("%7d orders: tote plan -since peak RSS %.1f MB in %.0fs (plan file %.0f MB, %d to create)",
			r.Orders, r.PlanPeakRSSMB, r.PlanSeconds, r.PlanFileMB, r.PlanCreates)
		if *apply {
			fmt.Printf("; tote apply peak RSS %.1f MB in %.0fs, %d orders in ShipStation", r.ApplyPeakRSSMB, r.ApplySeconds, r.ShipStationOrders)
		}
		fmt.Println()
	}
	return 0
}

// planMemory seeds n orders of history into a fresh fake BigCommerce and
// runs `tote plan -since 72h -out FILE` over every shipped pipeline as a
// child process, measuring its peak RSS; with apply, `tote apply FILE` too.
func planMemory(ctx context.Context, n int, apply bool, progress io.Writer) (*PlanMemoryResult, error) {
	// Limits out of the way: this measures memory, not rate limits.
	opts := sandbox.Options{Addresses: loopback,
		Seed: 1, BigCommerceQuota: 1_000_000, ShipStationPerMinute: 1_000_000, ShipStationV2PerMinute: 1_000_000}
	fakes, err := sandbox.StartFakes(opts)
	if err != nil {
		return nil, err
	}
	defer fakes.Close()
	now := time.Now()
	start := time.Now()
	if _, _, err := fakes.BigCommerce.SeedOrders(bigcommercetest.SeedOrders{Count: n, From: now.Add(-71 * time.Hour), To: now.Add(-time.Hour)}); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "seeded %d orders in %.1fs\n", n, time.Since(start).Seconds())

	dir, pipeDir, env, err := newWorkspace("tote-bench-planmem-", fakes, opts) // every pipeline a plan covers
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	planFile := filepath.Join(dir, "backlog.plan.json")
	res := &PlanMemoryResult{Orders: n}
	out := filepath.Join(dir, "plan.out")
	rss, took, err := runTote(ctx, env, out, "plan", "-dir", pipeDir, "-since", "72h", "-out", planFile)
	if err != nil {
		return nil, err
	}
	res.PlanPeakRSSMB, res.PlanSeconds = rss, took.Seconds()
	if fi, err := os.Stat(planFile); err == nil {
		res.PlanFileMB = float64(fi.Size()) / (1 << 20)
	}
	if res.PlanCreates, err = footerCreates(out); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "%d orders: tote plan peak RSS %.1f MB in %.1fs; BigCommerce %v, ShipStation %v\n", n, rss, took.Seconds(),
		fakes.BigCommerce.Stats().ByRequest, fakes.ShipStation.Stats().ByRequest)
	if !apply {
		return res, nil
	}
	rss, took, err = runTote(ctx, env, filepath.Join(dir, "apply.out"), "apply", "-dir", pipeDir, planFile)
	if err != nil {
		return nil, err
	}
	res.ApplyPeakRSSMB, res.ApplySeconds = rss, took.Seconds()
	res.ShipStationOrders = totesOrders(fakes)
	fmt.Fprintf(progress, "%d orders: tote apply peak RSS %.1f MB in %.1fs\n", n, rss, took.Seconds())
	return res, nil
}

// runTote runs tote (this binary as `tote-bench tote ...`) with args, its
// output in outPath, and returns its peak RSS in MB, its own VmHWM as it
// exits (see writePeak).
func runTote(ctx context.Context, env map[string]string, outPath string, args ...string) (float64, time.Duration, error) {
	cmd, err := selfTote(ctx, env, args...)
	if err != nil {
		return 0, 0, err
	}
	out, err := os.Create(outPath)
	if err != nil {
		return 0, 0, err
	}
	defer out.Close()
	peakFile := outPath + ".peak"
	cmd.Env = append(cmd.Env, "TOTE_BENCH_PEAK_FILE="+peakFile)
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 2) { // 2: changes present
		tail, _ := os.ReadFile(outPath)
		if len(tail) > 4000 {
			tail = tail[len(tail)-4000:]
		}
		return 0, took, fmt.Errorf("tote %s: %w\n%s", args[0], err, tail)
	}
	rss, ok := childPeakRSSMB(peakFile)
	if !ok {
		return 0, took, errors.New("tote did not report its peak memory (it does on Linux)")
	}
	return rss, took, nil
}

// footerCreates reads "Plan: N to create" from a plan's output.
func footerCreates(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	// The footer is near the end; read the last 64 KiB.
	if fi, err := f.Stat(); err == nil && fi.Size() > 64<<10 {
		_, _ = f.Seek(-64<<10, io.SeekEnd)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return 0, err
	}
	i := strings.LastIndex(string(b), "Plan: ")
	if i < 0 {
		return 0, fmt.Errorf("no plan footer in %s", path)
	}
	var creates int
	if _, err := fmt.Sscanf(string(b[i:]), "Plan: %d to create", &creates); err != nil {
		return 0, fmt.Errorf("reading the plan footer: %w", err)
	}
	return creates, nil
}
