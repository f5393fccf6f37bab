// Command tote-bench measures tote against the fake vendors at their real
// rate limits. `tote-bench flash-sale -orders 10000 -window 60s` places the
// orders through the BigCommerce fake's checkout within the window and
// reports how long after the last webhook every order is in ShipStation,
// calls per order at each vendor, 429s, duplicates, missing orders and the
// peak memory of `tote run`, which runs as a process of its own.
// `tote-bench catalog -skus 10000` plans and applies the products sweep of
// a catalog whose every product changed while orders arrive, and `tote-bench
// idle` works out what the shipped pipelines cost ShipStation in an hour on
// an idle store. `tote-bench replicas -orders 2000` runs a flash sale
// against three tote run replicas on one state while killing them in turn.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/toteworks/tote/cmd/tote/cli"
	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/sandbox"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/run"
)

// Result is what a flash sale measured; -json prints it.
type Result struct {
	Orders          int     `json:"orders"`
	WindowSeconds   float64 `json:"window_seconds"`
	DrainSeconds    float64 `json:"drain_seconds"`
	SSCallsPerOrder float64 `json:"ss_calls_per_order"`
	BCCallsPerOrder float64 `json:"bc_calls_per_order"`
	SS429           int64   `json:"ss_429"`
	BC429           int64   `json:"bc_429"`
	Duplicates      int     `json:"duplicates"`
	Missing         int     `json:"missing"`
	PeakRSSMB       float64 `json:"peak_rss_mb"`   // of the tote run process
	IntakeRSSMB     float64 `json:"intake_rss_mb"` // of its intake process, if it has one
	FakesRSSMB      float64 `json:"fakes_rss_mb"`  // of this process, which serves the fakes
	// SSRequests and BCRequests count each vendor's requests by method and path.
	SSRequests map[string]int64 `json:"ss_requests"`
	BCRequests map[string]int64 `json:"bc_requests"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "tote" {
		// The engine under test: tote itself, run by flash-sale.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		endProfile := profileChild()
		code := cli.Main(ctx, os.Args[2:], cli.DefaultEnv())
		endProfile()
		writePeak()
		stop()
		os.Exit(code)
	}
	benches := map[string]func([]string) int{"flash-sale": flashSaleMain, "chaos": chaosMain, "catalog": catalogMain,
		"replicas": replicasMain, "ack": ackMain, "plan-memory": planMemoryMain, "idle": idleMain}
	if len(os.Args) > 1 {
		if bench, ok := benches[os.Args[1]]; ok {
			os.Exit(bench(os.Args[2:]))
		}
		if child, ok := ackChildren[os.Args[1]]; ok {
			os.Exit(child(os.Args[2:]))
		}
	}
	fmt.Fprintln(os.Stderr, "usage: tote-bench flash-sale [-orders N] [-window D] [-timeout D] [-json]\n"+
		"       tote-bench chaos [-orders N] [-seed N] [-kills N] [-timeout D]\n"+
		"       tote-bench catalog [-skus N] [-orders N] [-speedup N] [-for D] [-json]\n"+
		"       tote-bench replicas [-orders N] [-replicas N] [-kills N] [-window D] [-state URL] [-json]\n"+
		"       tote-bench idle [-json]\n"+
		"       tote-bench plan-memory [-orders 10000,50000,100000] [-apply] [-json]\n"+
		"       tote-bench ack [-rate 2000] [-duration 20s] [-after D] [-floor 5s] [-floor-http N] [-scope S] [-concurrency N] [-cpu-slots N]\n"+
		"                      [-intake MODE] [-intake-cpus LIST] [-fakes-nice 10] [-real-limits] [-log FILE] [-json]")
	os.Exit(2)
}

func flashSaleMain(args []string) int {
	flags := flag.NewFlagSet("flash-sale", flag.ExitOnError)
	orders := flags.Int("orders", 10000, "orders placed")
	window := flags.Duration("window", 60*time.Second, "how long the sale lasts")
	timeout := flags.Duration("timeout", 15*time.Minute, "give up after")
	asJSON := flags.Bool("json", false, "print the result as JSON")
	concurrency := flags.Int("concurrency", 0, "tote run's -concurrency (default: tote run's own)")
	reconcile := flags.String("reconcile", "", "the orders sweep's schedule (default: the shipped reconcile_schedule, every 5 minutes)")
	_ = flags.Parse(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := flashSale(ctx, *orders, *window, *timeout, *concurrency, *reconcile, os.Stderr)
	return finish(res, err, *asJSON, func(res *Result) {
		fmt.Printf("%d orders in %.0fs: every order in ShipStation %.1fs after the last webhook\n", res.Orders, res.WindowSeconds, res.DrainSeconds)
		fmt.Printf("calls per order: ShipStation %.4f, BigCommerce %.4f; 429s: ShipStation %d, BigCommerce %d\n", res.SSCallsPerOrder, res.BCCallsPerOrder, res.SS429, res.BC429)
		fmt.Printf("duplicates %d, missing %d; peak RSS of tote run %.0f MB (its intake process %.0f MB, the fakes' process %.0f MB)\n",
			res.Duplicates, res.Missing, res.PeakRSSMB, res.IntakeRSSMB, res.FakesRSSMB)
		for _, v := range []struct {
			name string
			reqs map[string]int64
		}{{"ShipStation", res.SSRequests}, {"BigCommerce", res.BCRequests}} {
			fmt.Printf("%s requests:\n", v.name)
			for _, op := range slices.Sorted(maps.Keys(v.reqs)) {
				fmt.Printf("  %6d  %s\n", v.reqs[op], op)
			}
		}
	})
}

// finish ends a bench's main: an error is printed and exits 1; otherwise
// the result is printed, as JSON with -json or else by text.
func finish[R any](res R, err error, asJSON bool, text func(R)) int {
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 1
	}
	if asJSON {
		printJSON(res)
	} else {
		text(res)
	}
	return 0
}

// startSale starts the fakes of a flash sale of orders orders, at the
// vendors' own rate limits, with a catalog of 20 products stocked so that
// stock does not run out in the sale; it returns the products' ids.
func startSale(orders int) (*sandbox.Fakes, sandbox.Options, []int, error) {
	opts := vendorLimits()
	fakes, err := sandbox.StartFakes(opts)
	if err != nil {
		return nil, opts, nil, err
	}
	var products []int
	for i := 0; i < 20; i++ {
		p, err := fakes.BigCommerce.AddProduct(bigcommercetest.NewProduct{Name: fmt.Sprintf("Sale item %d", i),
			SKU: fmt.Sprintf("SALE-%02d", i), Price: "19.99", Weight: "1.5", InventoryLevel: orders * 3, InventoryTracking: "product"})
		if err != nil {
			fakes.Close()
			return nil, opts, nil, err
		}
		products = append(products, p.ID)
	}
	return fakes, opts, products, nil
}

func flashSale(ctx context.Context, n int, window, timeout time.Duration, concurrency int, reconcile string, progress io.Writer) (*Result, error) {
	fakes, opts, products, err := startSale(n)
	if err != nil {
		return nil, err
	}
	defer fakes.Close()
	// The sale exercises the orders pipeline alone, as shipped.
	dir, pipeDir, env, err := newWorkspace("tote-bench-", fakes, opts, "connections.hcl", "orders.hcl")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	listen, err := freeAddr()
	if err != nil {
		return nil, err
	}
	var vars []string
	if reconcile != "" {
		vars = append(vars, "reconcile_schedule="+reconcile)
	}
	if err := registerWebhooks(ctx, pipeDir, env, vars, "http://"+listen); err != nil {
		return nil, err
	}

	// `tote run` is a process of its own, so its memory is measured alone.
	args := []string{"-dir", pipeDir, "-listen", listen, "-backoff", "1s", "-max-backoff", "30s"}
	if concurrency > 0 {
		args = append(args, "-concurrency", strconv.Itoa(concurrency))
	}
	for _, v := range vars {
		args = append(args, "-var", v)
	}
	engine, err := startEngine(ctx, dir, filepath.Join(dir, "tote-run.log"), env, args)
	if err != nil {
		return nil, err
	}
	defer func() { _ = engine.stop() }()

	start := time.Now()
	gap := window / time.Duration(n)
	for i := 0; i < n; i++ {
		if err := placeSaleOrder(fakes.BigCommerce, products, i); err != nil {
			return nil, err
		}
		if next := start.Add(time.Duration(i+1) * gap); time.Until(next) > 0 {
			time.Sleep(time.Until(next)) // pacing the shoppers, not synchronising
		}
	}
	lastPlaced := time.Now()
	fmt.Fprintf(progress, "placed %d orders in %.1fs\n", n, lastPlaced.Sub(start).Seconds())
	// The last webhook is sent right after the last order.
	giveUp := time.After(timeout)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var inSS int
	for inSS < n {
		select {
		case <-giveUp:
			return nil, fmt.Errorf("after %s only %d of %d orders are in ShipStation", timeout, inSS, n)
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
		inSS = totesOrders(fakes)
		fmt.Fprintf(progress, "%5.0fs after the sale: %d/%d orders in ShipStation\n", time.Since(lastPlaced).Seconds(), inSS, n)
	}
	drain := time.Since(lastPlaced)
	engineRSS, intakeRSS := peakRSSMB(engine.pid()), childrenPeakRSSMB(engine.pid())

	// Orders are counted per order number, as a merchant would see them
	// in ShipStation: the fake upserts by orderKey, so a count by key
	// could never show a duplicate. Other channels' orders (seeded with
	// numbers that collide with BigCommerce's) are not tote's.
	numbers := map[string]int{}
	for _, o := range fakes.ShipStation.Orders() {
		if isTotes(o) {
			numbers[o.OrderNumber]++
		}
	}
	res := &Result{Orders: n, WindowSeconds: window.Seconds(), DrainSeconds: drain.Seconds(), PeakRSSMB: engineRSS,
		IntakeRSSMB: intakeRSS, FakesRSSMB: peakRSSMB(os.Getpid())}
	for _, o := range fakes.BigCommerce.Orders() {
		c := numbers[strconv.Itoa(o.ID)]
		switch {
		case c == 0:
			res.Missing++
		case c > 1:
			res.Duplicates += c - 1
		}
	}
	ss := fakes.ShipStation.Stats()
	res.SSCallsPerOrder = float64(ss.V1Calls) / float64(n)
	res.SS429 = ss.V1TooMany
	res.SSRequests = ss.ByRequest
	bc := fakes.BigCommerce.Stats()
	res.BCCallsPerOrder = float64(bc.Calls) / float64(n)
	res.BC429 = bc.TooMany
	res.BCRequests = bc.ByRequest
	return res, nil
}

// printJSON prints a bench's result as indented JSON on stdout (-json).
func printJSON(v any) {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// isTotes reports whether a ShipStation order is one tote made for the
// sandbox store, not another channel's.
func isTotes(o shipstationtest.Order) bool {
	return strings.HasPrefix(o.OrderKey, "bc:"+sandbox.StoreHash+":")
}

// totesOrders counts the ShipStation orders tote made.
func totesOrders(f *sandbox.Fakes) int {
	n := 0
	for _, o := range f.ShipStation.Orders() {
		if isTotes(o) {
			n++
		}
	}
	return n
}

func freeAddr() (string, error) {
	l, err := netListen()
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// peakRSSMB is a process's peak resident memory (VmHWM), on Linux.
func peakRSSMB(pid int) float64 {
	kb, _ := vmHWM(pid)
	return float64(kb) / 1024
}

// childrenPeakRSSMB sums the peak resident memory of pid's children: tote
// run's intake process.
func childrenPeakRSSMB(pid int) float64 {
	procs, _ := os.ReadDir("/proc")
	var kb int64
	for _, p := range procs {
		child, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child))
		if err != nil {
			continue
		}
		// The parent's pid is the second field after the command's ")".
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			if k, ok := vmHWM(child); ok {
				kb += k
			}
		}
	}
	return float64(kb) / 1024
}

// vmHWM is a process's peak resident memory in KiB.
func vmHWM(pid int) (int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}

// registerWebhooks subscribes the webhook topics of the pipelines in dir at
// url, as `tote apply` with public_url set would.
func registerWebhooks(ctx context.Context, dir string, env map[string]string, vars []string, url string) error {
	reg, err := cli.Registry()
	if err != nil {
		return err
	}
	cfg, diags := config.Load(os.DirFS(dir), dir)
	if diags.HasErrors() {
		return diags
	}
	vm := map[string]string{}
	for _, v := range vars {
		k, val, _ := strings.Cut(v, "=")
		vm[k] = val
	}
	prog, diags := compile.Compile(cfg, compile.Options{Registry: reg, Vars: vm,
		Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if diags.HasErrors() {
		return diags
	}
	eng := run.New(prog, nil, run.Options{Logger: slog.New(slog.DiscardHandler)})
	defer eng.Close()
	subs, err := eng.PlanSubscriptions(ctx, url)
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		return fmt.Errorf("no webhooks to register at %s", url)
	}
	for _, s := range subs {
		if err := eng.ApplySubscription(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// placeSaleOrder checks out the i-th shopper of a flash sale: one unit of
// one of products, in turn, shipped by ground to a fixed address.
func placeSaleOrder(bc *bigcommercetest.Server, products []int, i int) error {
	in := bigcommercetest.OrderInput{
		BillingAddress: &bigcommercetest.Address{AddressFields: bigcommercetest.AddressFields{FirstName: "Flash", LastName: strconv.Itoa(i),
			Street1: "1 Sale St", City: "Austin", State: "Texas", Zip: "78701", Country: "United States", CountryISO2: "US", Email: "flash@example.com"}},
		Products: []bigcommercetest.OrderProductInput{{ProductID: products[i%len(products)], Quantity: 1}},
	}
	in.ShippingAddresses = []bigcommercetest.ShippingAddressInput{{AddressFields: in.BillingAddress.AddressFields, ShippingMethod: "Ground"}}
	if _, err := bc.PlaceOrder(in); err != nil {
		return fmt.Errorf("placing order %d: %w", i, err)
	}
	return nil
}
