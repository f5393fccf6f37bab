package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/sandbox"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
)

// CatalogResult is what the catalog bench measured; -json prints it.
type CatalogResult struct {
	SKUs int `json:"skus"`
	// Speedup is how many times faster than ShipStation's real one-minute
	// window the fake's window runs (1: real limits).
	Speedup int `json:"speedup"`
	// The plan of the products sweep (tote plan, a process of its own).
	PlanSSCalls int64   `json:"plan_ss_calls"`
	PlanBCCalls int64   `json:"plan_bc_calls"`
	PlanSeconds float64 `json:"plan_seconds"`
	// The apply, by tote run: product writes, the products they changed,
	// and ShipStation's product listings meanwhile.
	ApplySeconds    float64 `json:"apply_seconds"`
	ApplyFinished   bool    `json:"apply_finished"`
	ProductWrites   int     `json:"product_writes"` // PUTs ShipStation accepted
	MaxWritesOneSKU int     `json:"max_writes_one_sku"`
	ProductsChanged int     `json:"products_changed"`
	ProductListings int64   `json:"product_listings"`
	// Orders placed while the products were being written: seconds from
	// checkout to ShipStation.
	Orders          int              `json:"orders"`
	OrdersMissing   int              `json:"orders_missing"`
	OrderLatencyP50 float64          `json:"order_latency_p50_seconds"`
	OrderLatencyMax float64          `json:"order_latency_max_seconds"`
	SS429           int64            `json:"ss_429"`
	SSRequests      map[string]int64 `json:"ss_requests"`
}

func catalogMain(args []string) int {
	flags := flag.NewFlagSet("catalog", flag.ExitOnError)
	skus := flags.Int("skus", 10000, "products in both BigCommerce and ShipStation, each with a changed weight")
	orders := flags.Int("orders", 20, "orders placed while the products are written")
	gap := flags.Duration("order-gap", 3*time.Second, "time between those orders")
	speedup := flags.Int("speedup", 1, "run ShipStation's rate window this many times faster (1: the real 40 calls a minute); "+
		"for counting the writes of a whole sweep: tote's budget then meets 429s, so order latencies mean little")
	applyFor := flags.Duration("for", 0, "stop the apply after this long, finished or not (0: when every product is written)")
	timeout := flags.Duration("timeout", 6*time.Hour, "give up after")
	asJSON := flags.Bool("json", false, "print the result as JSON")
	_ = flags.Parse(args)
	if *speedup < 1 || 60%*speedup != 0 {
		fmt.Fprintln(os.Stderr, "Error: -speedup must divide 60")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	res, err := catalogBench(ctx, *skus, *orders, *gap, *speedup, *applyFor, os.Stderr)
	return finish(res, err, *asJSON, func(res *CatalogResult) {
		fmt.Printf("plan of %d SKUs: %d ShipStation calls, %d BigCommerce calls, %.0fs\n", res.SKUs, res.PlanSSCalls, res.PlanBCCalls, res.PlanSeconds)
		fmt.Printf("apply (speedup %d): %d writes (at most %d per SKU) changed %d products in %.0fs (finished: %v); %d product listings\n",
			res.Speedup, res.ProductWrites, res.MaxWritesOneSKU, res.ProductsChanged, res.ApplySeconds, res.ApplyFinished, res.ProductListings)
		fmt.Printf("%d orders meanwhile: in ShipStation after %.1fs (median), %.1fs (max); %d missing; ShipStation 429s %d\n",
			res.Orders, res.OrderLatencyP50, res.OrderLatencyMax, res.OrdersMissing, res.SS429)
	})
}

const (
	catalogSeedOz = 1 // what ShipStation's products weigh before the sweep
	catalogWeight = "2"
)

func catalogBench(ctx context.Context, n, nOrders int, gap time.Duration, speedup int, applyFor time.Duration, progress io.Writer) (*CatalogResult, error) {
	opts := vendorLimits()
	if speedup > 1 {
		opts.ShipStationWindow = time.Minute / time.Duration(speedup)
	}
	fakes, err := sandbox.StartFakes(opts)
	if err != nil {
		return nil, err
	}
	defer fakes.Close()
	var first int
	for i := 0; i < n; i++ {
		sku := fmt.Sprintf("CAT-%05d", i)
		p, err := fakes.BigCommerce.AddProduct(bigcommercetest.NewProduct{Name: "Catalog item " + sku, SKU: sku, Price: "9.99",
			Weight: catalogWeight, InventoryLevel: 1000, InventoryTracking: "product"})
		if err != nil {
			return nil, err
		}
		if i == 0 {
			first = p.ID
		}
		oz := float64(catalogSeedOz)
		if _, err := fakes.ShipStation.AddProduct(shipstationtest.Product{SKU: sku, Name: "Catalog item " + sku, WeightOz: &oz, Active: true}); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(progress, "seeded %d products in each store\n", n)

	dir, pipeDir, env, err := newWorkspace("tote-bench-catalog-", fakes, opts, "connections.hcl", "orders.hcl", "products.hcl")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	// Orders arrive by webhook; the products by the sweep alone.
	hookDir := filepath.Join(dir, "hooks")
	if err := writePipelines(hookDir, "connections.hcl", "orders.hcl"); err != nil {
		return nil, err
	}
	listen, err := freeAddr()
	if err != nil {
		return nil, err
	}
	if err := registerWebhooks(ctx, hookDir, env, nil, "http://"+listen); err != nil {
		return nil, err
	}
	res := &CatalogResult{SKUs: n, Speedup: speedup, Orders: nOrders}

	// The plan, as `tote plan` in CI would make it.
	ss0, bc0 := fakes.ShipStation.Stats().V1Calls, fakes.BigCommerce.Stats().Calls
	began := time.Now()
	if err := toteCommand(ctx, env, filepath.Join(dir, "plan.log"), "plan", "-dir", pipeDir, "-pipeline", "products", "-since", "2h"); err != nil {
		return nil, err
	}
	res.PlanSeconds = time.Since(began).Seconds()
	res.PlanSSCalls = fakes.ShipStation.Stats().V1Calls - ss0
	res.PlanBCCalls = fakes.BigCommerce.Stats().Calls - bc0
	fmt.Fprintf(progress, "plan: %d ShipStation calls, %d BigCommerce calls in %.1fs\n", res.PlanSSCalls, res.PlanBCCalls, res.PlanSeconds)

	// The apply: tote run sweeps every minute; orders come in meanwhile.
	listings0 := fakes.ShipStation.Stats().ByRequest["GET /products"]
	vars := []string{"reconcile_schedule=* * * * *"}
	args := []string{"-dir", pipeDir, "-listen", listen, "-backoff", "1s", "-max-backoff", "30s"}
	for _, v := range vars {
		args = append(args, "-var", v)
	}
	engine, err := startEngine(ctx, dir, filepath.Join(dir, "tote-run.log"), env, args)
	if err != nil {
		return nil, err
	}
	defer func() { _ = engine.stop() }()
	writes := func() int64 { return fakes.ShipStation.Stats().ByRequest["PUT /products/{id}"] }
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for writes() == 0 {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no product was written: %w", ctx.Err())
		case <-tick.C:
		}
	}
	applyStart := time.Now()
	fmt.Fprintln(progress, "the first product is written; placing orders")
	placed := map[string]time.Time{}
	seen := map[string]time.Time{}
	next := time.Now()
	changed := func() int {
		c := 0
		for _, p := range fakes.ShipStation.Products() {
			if strings.HasPrefix(p.SKU, "CAT-") && (p.WeightOz == nil || *p.WeightOz != catalogSeedOz) {
				c++
			}
		}
		return c
	}
	lastReport := time.Now()
	for {
		now := time.Now()
		if len(placed) < nOrders && !now.Before(next) {
			o, err := fakes.BigCommerce.PlaceOrder(catalogOrder(first, len(placed)))
			if err != nil {
				return nil, err
			}
			placed[fmt.Sprintf("bc:%s:%d", sandbox.StoreHash, o.ID)] = now
			next = now.Add(gap)
		}
		for _, o := range fakes.ShipStation.Orders() {
			if _, ok := placed[o.OrderKey]; ok {
				if _, done := seen[o.OrderKey]; !done {
					seen[o.OrderKey] = now
				}
			}
		}
		ordersDone := len(placed) == nOrders && len(seen) == nOrders
		c := changed()
		if c >= n && ordersDone {
			res.ApplyFinished = true
			break
		}
		if applyFor > 0 && now.Sub(applyStart) >= applyFor && len(placed) == nOrders {
			break
		}
		if now.Sub(lastReport) >= 10*time.Second {
			lastReport = now
			fmt.Fprintf(progress, "%5.0fs: %d/%d products written, %d/%d orders in ShipStation\n",
				now.Sub(applyStart).Seconds(), c, n, len(seen), len(placed))
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("after %s: %d of %d products written: %w", time.Since(applyStart).Round(time.Second), c, n, ctx.Err())
		case <-tick.C:
		}
	}
	res.ApplySeconds = time.Since(applyStart).Seconds()
	st := fakes.ShipStation.Stats()
	for _, w := range fakes.ShipStation.ProductUpdates() {
		res.ProductWrites += w
		res.MaxWritesOneSKU = max(res.MaxWritesOneSKU, w)
	}
	res.ProductsChanged = changed()
	res.ProductListings = st.ByRequest["GET /products"] - listings0
	res.SS429 = st.V1TooMany
	res.SSRequests = st.ByRequest
	var lat []float64
	for k, at := range placed {
		s, ok := seen[k]
		if !ok {
			res.OrdersMissing++
			continue
		}
		lat = append(lat, s.Sub(at).Seconds())
	}
	sort.Float64s(lat)
	if len(lat) > 0 {
		res.OrderLatencyP50 = lat[len(lat)/2]
		res.OrderLatencyMax = slices.Max(lat)
	}
	return res, nil
}

func catalogOrder(productID, i int) bigcommercetest.OrderInput {
	addr := bigcommercetest.AddressFields{FirstName: "Catalog", LastName: strconv.Itoa(i), Street1: "1 Main St", City: "Austin",
		State: "Texas", Zip: "78701", Country: "United States", CountryISO2: "US", Email: "catalog@example.com"}
	return bigcommercetest.OrderInput{
		BillingAddress:    &bigcommercetest.Address{AddressFields: addr},
		Products:          []bigcommercetest.OrderProductInput{{ProductID: productID, Quantity: 1}},
		ShippingAddresses: []bigcommercetest.ShippingAddressInput{{AddressFields: addr, ShippingMethod: "Ground"}},
	}
}

// toteCommand runs `tote ARGS...` (this binary as tote) to its end, its
// output in logPath.
func toteCommand(ctx context.Context, env map[string]string, logPath string, args ...string) error {
	cmd, err := selfTote(ctx, env, args...)
	if err != nil {
		return err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 2 {
			return nil // changes present
		}
		log, _ := os.ReadFile(logPath)
		return fmt.Errorf("tote %s: %w\n%s", strings.Join(args, " "), err, log)
	}
	return nil
}
