package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/sandbox"
	"github.com/toteworks/tote/engine/priority"
)

// AckResult is what the ack bench measured; -json prints it.
type AckResult struct {
	RealLimits      bool    `json:"real_limits"`
	Rate            float64 `json:"rate"` // asked for, requests per second
	DurationSeconds float64 `json:"duration_seconds"`
	Sent            int     `json:"sent"`
	Acknowledged    int     `json:"acknowledged"` // 2xx answers
	Failed          int     `json:"failed"`       // other answers and transport errors
	AchievedRate    float64 `json:"achieved_rate"`
	// Latencies from when each request was due (not when it left).
	latencyMs
	// SenderLate is the part of them before the sender took each request
	// up: the measuring's own delay, on tote's machine.
	SenderLate latencyMs `json:"sender_late"`
	// SenderAnswer is the latency from when the sender took each request
	// up: without the sender's own delay.
	SenderAnswer latencyMs `json:"sender_answer"`
	// Tote's own measure (tote_webhook_ack_seconds), from a request
	// reaching its handler until its events were committed: the part of
	// the latency above spent in tote run, less the answer's write and the
	// wait for a connection and a core before the handler starts.
	ServerP50ms float64 `json:"server_p50_ms"`
	ServerP99ms float64 `json:"server_p99_ms"`
	// Drained counts the orders tote put in ShipStation by the end of the
	// sending: the worker was draining meanwhile.
	Drained int `json:"drained"`
	// DrainedAfter counts the orders tote put in ShipStation in the
	// -after window that follows the sending, when the worker has the
	// machine to itself but for the floor probe, if it ran.
	AfterSeconds float64 `json:"after_seconds"`
	DrainedAfter int     `json:"drained_after"`
	// The machine's floor (floor.go), measured for FloorSeconds at Rate
	// in the state's directory: on the idle machine before tote run
	// starts, and while the worker drains alone after the sending (with
	// neither the sender nor the intake busy, so lower than what the
	// acknowledgements met).
	FloorSeconds  float64      `json:"floor_seconds,omitempty"`
	FloorIdle     *floorResult `json:"floor_idle,omitempty"`
	FloorDraining *floorResult `json:"floor_draining,omitempty"`
	// With -floor-http: a bare HTTP server that syncs each body before
	// answering (floorhttp.go), sent FloorHTTPRate requests a second by a
	// second sender during the sending, as its sender measured it.
	FloorHTTPRate float64       `json:"floor_http_rate,omitempty"`
	FloorHTTP     *senderResult `json:"floor_http,omitempty"`
	PeakRSSMB     float64       `json:"peak_rss_mb"`   // of tote run
	IntakeRSSMB   float64       `json:"intake_rss_mb"` // of its intake process, if it has one
	// Intake is tote run's -intake, when one was given.
	Intake string `json:"intake,omitempty"`
	// IntakeCPUs is tote run's -intake-cpus, if the bench gave one.
	IntakeCPUs string `json:"intake_cpus,omitempty"`
	// The nice values the sender's process and the fakes' (this one) had
	// while sending, where the system tells (Linux).
	SenderNice *int `json:"sender_nice,omitempty"`
	FakesNice  *int `json:"fakes_nice,omitempty"`
}

// ackOptions are the ack bench's flags.
type ackOptions struct {
	rate        float64
	duration    time.Duration
	after       time.Duration
	floor       time.Duration
	floorHTTP   float64
	concurrency int
	cpuSlots    int
	realLimits  bool
	scope       string
	intake      string
	intakeCPUs  string
	fakesNice   int
	logPath     string
}

func ackMain(args []string) int {
	var o ackOptions
	flags := flag.NewFlagSet("ack", flag.ExitOnError)
	flags.Float64Var(&o.rate, "rate", 2000, "webhooks per second, sent on schedule whatever the answers")
	flags.DurationVar(&o.duration, "duration", 20*time.Second, "how long to send, at most 4m (the requests are signed before the sending)")
	flags.IntVar(&o.concurrency, "concurrency", 0, "tote run's -concurrency (default: tote run's own)")
	asJSON := flags.Bool("json", false, "print the result as JSON")
	flags.StringVar(&o.logPath, "log", "", "keep tote run's log in this file")
	flags.BoolVar(&o.realLimits, "real-limits", false, "give the fakes the vendors' own rate limits (BigCommerce 150 requests per 30 s, ShipStation 40 a minute): "+
		"the worker then mostly waits on the vendors, as in production; without it they answer as fast as they can and the worker is busy on the CPU")
	flags.IntVar(&o.cpuSlots, "cpu-slots", -1, "tote run's -cpu-slots, 0 for no bound (default: tote run's own)")
	flags.DurationVar(&o.after, "after", 0, "after the sending, count the orders drained for this long too")
	flags.DurationVar(&o.floor, "floor", 5*time.Second, "measure the machine's floor for this long, on the idle machine and while the worker drains after the sending "+
		"(which makes -after at least as long): 1 KB records appended at -rate beside the state, each group synced, by a process that does nothing else; 0 skips it")
	flags.Float64Var(&o.floorHTTP, "floor-http", 0, "while sending, also send this many requests a second from a second sender to a bare HTTP server "+
		"that syncs each body beside the state before answering: the floor of any durable HTTP intake beside tote run (it adds its load to tote run's); 0 skips it")
	flags.StringVar(&o.scope, "scope", "store/order/created", "the deliveries' scope; one the orders pipeline does not take (store/cart/created) measures the acknowledgement with an idle worker")
	flags.StringVar(&o.intake, "intake", "", "tote run's -intake (default: tote run's own)")
	flags.StringVar(&o.intakeCPUs, "intake-cpus", "", "tote run's -intake-cpus (default: tote run's own)")
	flags.IntVar(&o.fakesNice, "fakes-nice", 10, "the nice value this process, which serves the fakes, takes once the sender has started, so the fakes "+
		"(stand-ins for remote vendors) yield the CPU to the sender and to tote run; 0 leaves it")
	runs := flags.Int("runs", 1, "run the bench this many times, one after another, printing each run and then the spread of their figures "+
		"(a shared machine varies from one run to the next)")
	goal := flags.Duration("goal", 10*time.Millisecond, "with -runs, count the runs whose sender p99 is at most this")
	_ = flags.Parse(args)
	if *runs < 1 || *goal <= 0 {
		fmt.Fprintln(os.Stderr, "Error: -runs must be at least 1 and -goal positive")
		return 2
	}
	if o.rate <= 0 || o.duration <= 0 || o.floor < 0 || o.after < 0 || o.floorHTTP < 0 {
		fmt.Fprintln(os.Stderr, "Error: -rate and -duration must be positive, -floor, -floor-http and -after not negative")
		return 2
	}
	if o.duration > signedFor {
		fmt.Fprintf(os.Stderr, "Error: -duration must be at most %v: the requests are signed before the sending, and a signature is good for 5 minutes\n", signedFor)
		return 2
	}
	if o.fakesNice < 0 || o.fakesNice > 19 {
		fmt.Fprintln(os.Stderr, "Error: -fakes-nice must be from 0 to 19")
		return 2
	}
	if *runs > 1 {
		series, err := ackSeries(o, *runs, *goal, os.Stderr)
		return finish(series, err, *asJSON, func(s *AckSeries) { s.print(os.Stdout) })
	}
	res, err := ackOnce(o, os.Stderr)
	return finish(res, err, *asJSON, func(res *AckResult) {
		fmt.Printf("%d signed BigCommerce webhooks at %.0f/s for %.0fs: %d acknowledged, %d failed, achieved %.0f/s\n",
			res.Sent, res.Rate, res.DurationSeconds, res.Acknowledged, res.Failed, res.AchievedRate)
		fmt.Printf("ack latency from when due: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", res.P50ms, res.P90ms, res.P99ms, res.MaxMs)
		fmt.Printf("of which the sender took each request up late, after it was due: p50 %.2f ms, p99 %.2f ms; "+
			"from when it took each up: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms\n",
			res.SenderLate.P50ms, res.SenderLate.P99ms, res.SenderAnswer.P50ms, res.SenderAnswer.P90ms, res.SenderAnswer.P99ms)
		fmt.Printf("of which in tote's handler until stored (tote_webhook_ack_seconds): p50 %.1f ms, p99 %.1f ms\n", res.ServerP50ms, res.ServerP99ms)
		fmt.Printf("meanwhile the worker put %d orders in ShipStation; peak RSS of tote run %.0f MB (its intake process %.0f MB)\n",
			res.Drained, res.PeakRSSMB, res.IntakeRSSMB)
		if res.AfterSeconds > 0 {
			beside := ""
			if res.FloorDraining != nil {
				beside = ", the floor probe beside it"
			}
			fmt.Printf("in the %.0fs after%s, it put %d more\n", res.AfterSeconds, beside, res.DrainedAfter)
		}
		if res.FloorIdle != nil && res.FloorDraining != nil {
			fmt.Printf("the machine's floor, 1 KB records appended at %.0f/s beside the state and synced in groups by a bare process: "+
				"p50 %.2f ms, p99 %.2f ms on the idle machine; p50 %.2f ms, p99 %.2f ms while the worker drained alone after\n",
				res.Rate, res.FloorIdle.P50ms, res.FloorIdle.P99ms, res.FloorDraining.P50ms, res.FloorDraining.P99ms)
		}
		if f := res.FloorHTTP; f != nil {
			fmt.Printf("a bare HTTP server syncing each body before answering, sent %.0f/s beside tote run by a sender of its own: "+
				"p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (%d answered, %d failed)\n", res.FloorHTTPRate, f.P50ms, f.P90ms, f.P99ms, f.MaxMs, f.OK, f.Failed)
		}
		fmt.Printf("the sender ran in a process of its own at nice %s, the fakes at nice %s\n", niceText(res.SenderNice), niceText(res.FakesNice))
	})
}

// ackOnce runs the bench once, given its sending's length and ten minutes
// more to finish.
func ackOnce(o ackOptions, progress io.Writer) (*AckResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), o.duration+10*time.Minute)
	defer cancel()
	return ackBench(ctx, o, progress)
}

// ackSeries runs the bench n times, one after another, each line of
// progress on progress, and spreads their figures.
func ackSeries(o ackOptions, n int, goal time.Duration, progress io.Writer) (*AckSeries, error) {
	var runs []*AckResult
	for i := 1; i <= n; i++ {
		res, err := ackOnce(o, io.Discard)
		if err != nil {
			return nil, fmt.Errorf("run %d of %d: %w", i, n, err)
		}
		printRun(progress, i, n, res)
		runs = append(runs, res)
	}
	return summarise(runs, float64(goal)/float64(time.Millisecond)), nil
}

// niceText prints a nice value, or "unknown".
func niceText(n *int) string {
	if n == nil {
		return "unknown"
	}
	return strconv.Itoa(*n)
}

// ackRunArgs are tote run's arguments in the ack bench.
func ackRunArgs(pipeDir, listen string, o ackOptions) []string {
	args := []string{"-dir", pipeDir, "-listen", listen}
	if o.concurrency > 0 {
		args = append(args, "-concurrency", strconv.Itoa(o.concurrency))
	}
	if o.cpuSlots >= 0 {
		args = append(args, "-cpu-slots", strconv.Itoa(o.cpuSlots))
	}
	if o.intake != "" {
		args = append(args, "-intake", o.intake)
	}
	if o.intakeCPUs != "" {
		args = append(args, "-intake-cpus", o.intakeCPUs)
	}
	return args
}

// ackBench runs tote run on the orders pipeline against the fakes and has
// the sender (acksend.go), a process of its own, send it signed
// store/order/created webhooks at o.rate on a fixed schedule. The orders
// exist in the fake, so the worker drains them into ShipStation as they
// arrive.
func ackBench(ctx context.Context, o ackOptions, progress io.Writer) (*AckResult, error) {
	// By default limits are out of the way: the worker drains as fast as
	// it can, which is when it competes most with the acknowledgements.
	opts := sandbox.Options{Addresses: loopback,
		Seed: 1, BigCommerceQuota: 1_000_000, ShipStationPerMinute: 1_000_000, ShipStationV2PerMinute: 1_000_000, SignWebhooks: true}
	if o.realLimits {
		opts = vendorLimits()
		opts.SignWebhooks = true
	}
	fakes, err := sandbox.StartFakes(opts)
	if err != nil {
		return nil, err
	}
	defer fakes.Close()
	n := int(o.rate * o.duration.Seconds())
	now := time.Now()
	first, _, err := fakes.BigCommerce.SeedOrders(bigcommercetest.SeedOrders{Count: n, From: now.Add(-time.Hour), To: now.Add(-time.Minute)})
	if err != nil {
		return nil, err
	}
	dir, pipeDir, env, err := newWorkspace("tote-bench-ack-", fakes, opts, "connections.hcl", "orders.hcl")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	listen, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logPath := o.logPath
	if logPath == "" {
		logPath = filepath.Join(dir, "tote-run.log")
	}
	floorCount := int(o.rate * o.floor.Seconds())
	var floorIdle *floorResult
	if floorCount > 0 {
		fmt.Fprintf(progress, "measuring the machine's floor for %v on the idle machine\n", o.floor)
		if floorIdle, err = measureFloorNow(ctx, dir, o.rate, floorCount, progress); err != nil {
			return nil, err
		}
	}
	engine, err := startEngine(ctx, dir, logPath, env, ackRunArgs(pipeDir, listen, o))
	if err != nil {
		return nil, err
	}
	defer func() { _ = engine.stop() }()

	// A real vendor's sender is not on tote's machine, and this process is
	// busy serving the fakes while the worker drains into them: the sender
	// is a process of its own, which builds every request before its
	// clock starts.
	spec := senderSpec{URL: "http://" + listen + "/hooks/orders/changed", Rate: o.rate, Count: n, FirstOrder: first,
		Scope: o.scope, StoreHash: sandbox.StoreHash, Secret: sandbox.ClientSecret, Created: now.Unix()}
	sender, err := startSender(ctx, spec, progress)
	if err != nil {
		return nil, err
	}
	defer sender.h.kill()
	// Ready before the sending, its file written out.
	var floor *floorProc
	if floorCount > 0 {
		if floor, err = startFloor(ctx, dir, o.rate, floorCount, progress); err != nil {
			return nil, err
		}
		defer floor.h.kill()
	}
	// The HTTP floor and its sender, also ready before the sending.
	var floorHTTP *floorServer
	var floorSender *senderProc
	m := int(o.floorHTTP * o.duration.Seconds())
	if m > 0 {
		if floorHTTP, err = startFloorServer(ctx, dir, m, progress); err != nil {
			return nil, err
		}
		defer floorHTTP.h.kill()
		// Not killed on a failure: the goroutine that sends runs it, and it
		// dies with this process.
		spec.URL, spec.Rate, spec.Count = floorHTTP.url, o.floorHTTP, m
		if floorSender, err = startSender(ctx, spec, progress); err != nil {
			return nil, err
		}
	}
	// Started before this, the senders, the floor probes and tote run keep
	// their priority.
	if o.fakesNice > 0 {
		if err := priority.Lower(o.fakesNice); err != nil {
			fmt.Fprintf(progress, "could not lower the fakes' priority: %v\n", err)
		} else {
			fmt.Fprintf(progress, "lowered this process, which serves the fakes, to nice %d\n", o.fakesNice)
		}
	} else {
		fmt.Fprintln(progress, "left this process, which serves the fakes, at its priority (-fakes-nice 0)")
	}
	res := &AckResult{RealLimits: o.realLimits, Rate: o.rate, DurationSeconds: o.duration.Seconds(), Sent: n, Intake: o.intake, IntakeCPUs: o.intakeCPUs, FloorIdle: floorIdle}
	if floor != nil {
		res.FloorSeconds = o.floor.Seconds()
	}
	if nice, ok := ownNice(); ok {
		res.FakesNice = &nice
	}
	fmt.Fprintf(progress, "sending %d webhooks at %.0f/s\n", n, o.rate)
	var floorSent func() (*senderResult, error)
	if floorSender != nil {
		floorSent = inBackground(func() (*senderResult, error) { return floorSender.send(m) })
	}
	sent, err := sender.send(n)
	if err != nil {
		return nil, err
	}
	if floorSent != nil {
		fs, err := floorSent()
		if err != nil {
			return nil, fmt.Errorf("the HTTP floor's sender: %w", err)
		}
		counted, err := floorHTTP.stop()
		if err != nil {
			return nil, err
		}
		if counted.Requests != fs.OK {
			return nil, fmt.Errorf("the HTTP floor answered %d requests, its sender counted %d", counted.Requests, fs.OK)
		}
		res.FloorHTTPRate, res.FloorHTTP = o.floorHTTP, fs
	}
	res.Drained = totesOrders(fakes)
	res.Acknowledged, res.Failed, res.SenderNice = sent.OK, sent.Failed, sent.Nice
	res.AchievedRate = float64(sent.OK) / sent.LastAnswerSeconds
	res.latencyMs, res.SenderLate, res.SenderAnswer = sent.latencyMs, sent.Late, sent.Answer
	if buckets, err := scrapeHistogram(ctx, "http://"+listen+"/metrics", "tote_webhook_ack_seconds"); err == nil {
		res.ServerP50ms, res.ServerP99ms = 1000*buckets.quantile(0.50), 1000*buckets.quantile(0.99)
	} else {
		fmt.Fprintf(progress, "reading tote run's metrics: %v\n", err)
	}
	if after := max(o.after, o.floor); after > 0 {
		var floorMeasured func() (*floorResult, error)
		if floor != nil {
			floorMeasured = inBackground(floor.measure)
		}
		time.Sleep(after) // the measuring window, not synchronisation
		res.AfterSeconds, res.DrainedAfter = after.Seconds(), totesOrders(fakes)-res.Drained
		if floorMeasured != nil {
			if res.FloorDraining, err = floorMeasured(); err != nil {
				return nil, err
			}
		}
	}
	res.PeakRSSMB, res.IntakeRSSMB = peakRSSMB(engine.pid()), childrenPeakRSSMB(engine.pid())
	return res, nil
}

// inBackground starts fn on a goroutine of its own and returns what waits
// for its result.
func inBackground[T any](fn func() (T, error)) func() (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() { v, err := fn(); done <- result{v, err} }()
	return func() (T, error) { r := <-done; return r.v, r.err }
}
