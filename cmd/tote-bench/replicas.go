package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/engine/state"
)

// heartbeat is a pipeline of the replicas bench alone: a cron trigger
// every two seconds whose every tick is an event (overlap "all"), so that
// the state shows how often each tick was fired.
const heartbeat = `pipeline "heartbeat" {
  description = "One event per tick, to count how often each tick fires across replicas."

  trigger "cron" "beat" {
    schedule = "*/2 * * * * *"
    overlap  = "all"
    catch_up = 100
  }

  transform "tick" {
    value = trigger.tick
  }
}
`

// heartbeatEvery is the heartbeat's period.
const heartbeatEvery = 2 * time.Second

// replicasLeaseTTL is each replica's lease in the bench: the events a
// killed replica had claimed come back this long after it died.
const replicasLeaseTTL = 10 * time.Second

// ReplicasResult is what the replicas bench measured; -json prints it.
type ReplicasResult struct {
	Orders       int     `json:"orders"`
	Replicas     int     `json:"replicas"`
	Kills        int     `json:"kills"`
	State        string  `json:"state"` // sqlite or postgres
	SaleSeconds  float64 `json:"sale_seconds"`
	DrainSeconds float64 `json:"drain_seconds"`
	// Missing and Duplicates count tote's orders in ShipStation per order
	// number against BigCommerce's orders.
	Missing    int `json:"missing"`
	Duplicates int `json:"duplicates"`
	// Ticks are the heartbeat's ticks from its first to its last; Doubled
	// those with more than one event, Missed those with none.
	Ticks   int `json:"ticks"`
	Doubled int `json:"ticks_doubled"`
	Missed  int `json:"ticks_missed"`
	// SelfStops counts the replicas that stopped by themselves, having lost
	// their lease (a renewal came too late); the bench starts them again,
	// as a supervisor would.
	SelfStops int `json:"self_stops"`
	// Dead and Parked count the events left dead or parked.
	Dead   int `json:"dead"`
	Parked int `json:"parked"`
	// Deliveries the proxy passed on; Rerouted those it passed to another
	// replica because the first did not answer (it was killed); Refused
	// those no replica answered (the vendor delivers them again).
	Deliveries int64 `json:"deliveries"`
	Rerouted   int64 `json:"rerouted"`
	Refused    int64 `json:"refused"`
	SS429      int64 `json:"ss_429"`
	BC429      int64 `json:"bc_429"`
}

type replicasOptions struct {
	orders, replicas, kills int
	window, timeout         time.Duration
	seed                    uint64
	stateURL                string
}

func replicasMain(args []string) int {
	flags := flag.NewFlagSet("replicas", flag.ExitOnError)
	var o replicasOptions
	flags.IntVar(&o.orders, "orders", 2000, "orders placed in the sale")
	flags.IntVar(&o.replicas, "replicas", 3, "tote run replicas on the one state")
	flags.IntVar(&o.kills, "kills", 5, "times a random replica is killed with SIGKILL during the sale, and started again")
	flags.DurationVar(&o.window, "window", 60*time.Second, "how long the sale lasts")
	flags.DurationVar(&o.timeout, "timeout", 15*time.Minute, "give up when the orders are not all in ShipStation by then")
	flags.Uint64Var(&o.seed, "seed", 1, "chooses the replicas killed")
	flags.StringVar(&o.stateURL, "state", os.Getenv("TOTE_STATE"), "the state the replicas share: a postgres:// URL ($TOTE_STATE); default a SQLite file of the bench's own")
	asJSON := flags.Bool("json", false, "print the result as JSON")
	_ = flags.Parse(args)
	if o.replicas < 1 || o.orders < 1 {
		fmt.Fprintln(os.Stderr, "Error: -replicas and -orders must be at least 1")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := replicasBench(ctx, o, os.Stderr)
	if code := finish(res, err, *asJSON, func(res *ReplicasResult) {
		fmt.Printf("%d orders in %.0fs to %d tote run replicas on %s state, %d killed with SIGKILL and started again: every order in ShipStation %.1fs after the last\n",
			res.Orders, res.SaleSeconds, res.Replicas, res.State, res.Kills, res.DrainSeconds)
		fmt.Printf("orders missing %d, duplicated %d (per order number in ShipStation)\n", res.Missing, res.Duplicates)
		fmt.Printf("heartbeat ticks %d: fired twice %d, missed %d\n", res.Ticks, res.Doubled, res.Missed)
		fmt.Printf("replicas that lost their lease and were started again: %d\n", res.SelfStops)
		fmt.Printf("events dead %d, parked %d; webhooks through the proxy %d, rerouted from a dead replica %d, refused %d; 429s: ShipStation %d, BigCommerce %d\n",
			res.Dead, res.Parked, res.Deliveries, res.Rerouted, res.Refused, res.SS429, res.BC429)
	}); code != 0 {
		return code
	}
	if res.Missing+res.Duplicates+res.Doubled+res.Missed+res.Dead > 0 {
		return 1
	}
	return 0
}

// replicasBench runs o.replicas tote run processes on one state behind a
// round-robin proxy that the vendors deliver webhooks to, places a flash
// sale of o.orders orders through the BigCommerce fake, kills a random
// replica with SIGKILL o.kills times along the way (starting it again at
// once), waits until every order is in ShipStation, stops the replicas,
// and counts: orders per order number at ShipStation, and events per tick
// of a two-second heartbeat in the state.
func replicasBench(ctx context.Context, o replicasOptions, progress io.Writer) (*ReplicasResult, error) {
	fakes, opts, products, err := startSale(o.orders)
	if err != nil {
		return nil, err
	}
	defer fakes.Close()
	dir, pipeDir, env, err := newWorkspace("tote-replicas-", fakes, opts, "connections.hcl", "orders.hcl")
	if err != nil {
		return nil, err
	}
	keep := true
	defer func() {
		if keep {
			fmt.Fprintf(progress, "state and the replicas' logs are kept in %s\n", dir)
		} else {
			os.RemoveAll(dir)
		}
	}()
	res := &ReplicasResult{Orders: o.orders, Replicas: o.replicas, State: "sqlite"}
	if o.stateURL != "" {
		env["TOTE_STATE"] = o.stateURL
		if strings.HasPrefix(o.stateURL, "postgres") {
			res.State = "postgres"
		}
	}
	if err := os.WriteFile(filepath.Join(pipeDir, "heartbeat.hcl"), []byte(heartbeat), 0o644); err != nil {
		return nil, err
	}

	// The vendors deliver to the proxy, which passes each delivery to the
	// replicas in turn.
	proxy := &roundRobin{client: &http.Client{Timeout: 10 * time.Second}}
	for range o.replicas {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		proxy.backends = append(proxy.backends, "http://"+addr)
	}
	pl, err := netListen()
	if err != nil {
		return nil, err
	}
	psrv := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = psrv.Serve(pl) }()
	defer psrv.Close()
	public := "http://" + pl.Addr().String()
	vars := []string{"public_url=" + public}
	if err := registerWebhooks(ctx, pipeDir, env, vars, public); err != nil {
		return nil, err
	}

	engines := make([]*engineProc, o.replicas)
	began := time.Now()
	start := func(i int) error {
		addr := strings.TrimPrefix(proxy.backends[i], "http://")
		args := []string{"-dir", pipeDir, "-listen", addr, "-replica", "-lease-ttl", replicasLeaseTTL.String(), "-claim-lease", "30s",
			"-backoff", "1s", "-max-backoff", "30s", "-var", vars[0]}
		p, err := startEngineReady(ctx, filepath.Join(dir, fmt.Sprintf("ready-%d", i)), filepath.Join(dir, fmt.Sprintf("replica-%d.log", i)), env, args)
		engines[i] = p
		return err
	}
	defer func() {
		for _, e := range engines {
			if e != nil && !e.done() {
				_ = e.stop()
			}
		}
	}()
	for i := range engines {
		if err := start(i); err != nil {
			return nil, fmt.Errorf("replica %d: %w", i, err)
		}
	}
	// supervise starts again the replicas that stopped by themselves.
	supervise := func() error {
		for i, e := range engines {
			if !e.done() {
				continue
			}
			res.SelfStops++
			fmt.Fprintf(progress, "%5.1fs  replica %d (pid %d) stopped by itself (%s); starting it again\n",
				time.Since(began).Seconds(), i, e.pid(), exitText(e.err))
			if err := start(i); err != nil {
				return fmt.Errorf("restarting replica %d: %w", i, err)
			}
		}
		return nil
	}
	fmt.Fprintf(progress, "%d tote run replicas serve on one %s state behind %s\n", o.replicas, res.State, public)
	began = time.Now()

	rng := rand.New(rand.NewPCG(o.seed, 14))
	gap := o.window / time.Duration(o.orders)
	for i := 0; i < o.orders; i++ {
		if res.Kills < o.kills && i >= (res.Kills+1)*o.orders/(o.kills+1) {
			k := rng.IntN(o.replicas)
			engines[k].kill()
			res.Kills++
			fmt.Fprintf(progress, "%5.1fs  killed replica %d (pid %d) with %d orders placed; starting it again\n",
				time.Since(began).Seconds(), k, engines[k].pid(), i)
			if err := start(k); err != nil {
				return nil, fmt.Errorf("restarting replica %d: %w", k, err)
			}
		}
		if err := supervise(); err != nil {
			return nil, err
		}
		if err := placeSaleOrder(fakes.BigCommerce, products, i); err != nil {
			return nil, err
		}
		if next := began.Add(time.Duration(i+1) * gap); time.Until(next) > 0 {
			time.Sleep(time.Until(next)) // pacing the shoppers, not synchronising
		}
	}
	lastPlaced := time.Now()
	res.SaleSeconds = lastPlaced.Sub(began).Seconds()
	fmt.Fprintf(progress, "placed %d orders in %.1fs\n", o.orders, res.SaleSeconds)
	giveUp := time.After(o.timeout)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for inSS := 0; inSS < o.orders; {
		select {
		case <-giveUp:
			return nil, fmt.Errorf("after %s only %d of %d orders are in ShipStation", o.timeout, inSS, o.orders)
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
		if err := supervise(); err != nil {
			return nil, err
		}
		inSS = totesOrders(fakes)
		if s := int(time.Since(lastPlaced).Seconds()); s%10 == 0 || inSS == o.orders {
			fmt.Fprintf(progress, "%5.0fs after the sale: %d/%d orders in ShipStation\n", time.Since(lastPlaced).Seconds(), inSS, o.orders)
		}
	}
	res.DrainSeconds = time.Since(lastPlaced).Seconds()
	for i, e := range engines {
		if e.done() { // it stopped by itself since the last look
			res.SelfStops++
			continue
		}
		if err := e.stop(); err != nil {
			res.SelfStops++
			fmt.Fprintf(progress, "replica %d stopped with %s\n", i, exitText(err))
		}
	}

	numbers := map[string]int{}
	for _, so := range fakes.ShipStation.Orders() {
		if isTotes(so) {
			numbers[so.OrderNumber]++
		}
	}
	for _, bo := range fakes.BigCommerce.Orders() {
		switch c := numbers[strconv.Itoa(bo.ID)]; {
		case c == 0:
			res.Missing++
		case c > 1:
			res.Duplicates += c - 1
		}
	}
	if err := countTicks(ctx, env["TOTE_STATE"], res); err != nil {
		return nil, err
	}
	res.Deliveries, res.Rerouted, res.Refused = proxy.passed.Load(), proxy.rerouted.Load(), proxy.refused.Load()
	res.SS429, res.BC429 = fakes.ShipStation.Stats().V1TooMany, fakes.BigCommerce.Stats().TooMany
	keep = res.Missing+res.Duplicates+res.Doubled+res.Missed+res.Dead > 0
	return res, nil
}

// countTicks counts the heartbeat's events per tick, and the events left
// dead or parked, in the state.
func countTicks(ctx context.Context, path string, res *ReplicasResult) error {
	st, err := state.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	items, err := st.Items(ctx, state.ItemFilter{Pipeline: "heartbeat", Limit: 1 << 30})
	if err != nil {
		return err
	}
	per := map[time.Time]int{}
	for _, it := range items {
		t, err := time.Parse(time.RFC3339, it.Key)
		if err != nil {
			return fmt.Errorf("heartbeat event %d: key %q: %w", it.ID, it.Key, err)
		}
		per[t]++
	}
	ticks := slices.SortedFunc(func(yield func(time.Time) bool) {
		for t := range per {
			if !yield(t) {
				return
			}
		}
	}, time.Time.Compare)
	if len(ticks) > 0 {
		for t := ticks[0]; !t.After(ticks[len(ticks)-1]); t = t.Add(heartbeatEvery) {
			res.Ticks++
			switch n := per[t]; {
			case n == 0:
				res.Missed++
			case n > 1:
				res.Doubled++
			}
		}
	}
	counts, err := st.InboxCounts(ctx)
	if err != nil {
		return err
	}
	res.Dead, res.Parked = counts[state.ItemDead], counts[state.ItemParked]
	return nil
}

// roundRobin passes each request to the next of its backends, and to the
// one after when a backend does not answer (it is down): the load balancer
// in front of the replicas.
type roundRobin struct {
	backends []string
	client   *http.Client
	next     atomic.Uint64

	passed, rerouted, refused atomic.Int64
}

func (p *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		http.Error(w, "reading the request", http.StatusBadRequest)
		return
	}
	first := int(p.next.Add(1))
	for i := range p.backends {
		req, err := http.NewRequestWithContext(r.Context(), r.Method, p.backends[(first+i)%len(p.backends)]+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := p.client.Do(req)
		if err != nil {
			p.rerouted.Add(1)
			continue
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		resp.Body.Close()
		p.passed.Add(1)
		return
	}
	p.refused.Add(1)
	http.Error(w, "no replica answered", http.StatusBadGateway)
}
