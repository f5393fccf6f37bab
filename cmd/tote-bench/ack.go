package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/sandbox"
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
	// Latencies from when each request was due (not when it left), in ms.
	P50ms float64 `json:"p50_ms"`
	P90ms float64 `json:"p90_ms"`
	P99ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
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
	// machine to itself.
	AfterSeconds float64 `json:"after_seconds"`
	DrainedAfter int     `json:"drained_after"`
	PeakRSSMB    float64 `json:"peak_rss_mb"` // of tote run
}

func ackMain(args []string) int {
	flags := flag.NewFlagSet("ack", flag.ExitOnError)
	rate := flags.Float64("rate", 2000, "webhooks per second, sent on schedule whatever the answers")
	duration := flags.Duration("duration", 20*time.Second, "how long to send")
	concurrency := flags.Int("concurrency", 0, "tote run's -concurrency (default: tote run's own)")
	asJSON := flags.Bool("json", false, "print the result as JSON")
	logPath := flags.String("log", "", "keep tote run's log in this file")
	realLimits := flags.Bool("real-limits", false, "give the fakes the vendors' own rate limits (BigCommerce 150 requests per 30 s, ShipStation 40 a minute): "+
		"the worker then mostly waits on the vendors, as in production; without it they answer as fast as they can and the worker is busy on the CPU")
	cpuSlots := flags.Int("cpu-slots", -1, "tote run's -cpu-slots, 0 for no bound (default: tote run's own)")
	after := flags.Duration("after", 0, "after the sending, count the orders drained for this long too")
	scope := flags.String("scope", "store/order/created", "the deliveries' scope; one the orders pipeline does not take (store/cart/created) measures the acknowledgement with an idle worker")
	_ = flags.Parse(args)
	if *rate <= 0 || *duration <= 0 {
		fmt.Fprintln(os.Stderr, "Error: -rate and -duration must be positive")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration+10*time.Minute)
	defer cancel()
	res, err := ackBench(ctx, *rate, *duration, *after, *concurrency, *cpuSlots, *realLimits, *scope, *logPath, os.Stderr)
	return finish(res, err, *asJSON, func(res *AckResult) {
		fmt.Printf("%d signed BigCommerce webhooks at %.0f/s for %.0fs: %d acknowledged, %d failed, achieved %.0f/s\n",
			res.Sent, res.Rate, res.DurationSeconds, res.Acknowledged, res.Failed, res.AchievedRate)
		fmt.Printf("ack latency from when due: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", res.P50ms, res.P90ms, res.P99ms, res.MaxMs)
		fmt.Printf("of which in tote's handler until stored (tote_webhook_ack_seconds): p50 %.1f ms, p99 %.1f ms\n", res.ServerP50ms, res.ServerP99ms)
		fmt.Printf("meanwhile the worker put %d orders in ShipStation; peak RSS of tote run %.0f MB\n", res.Drained, res.PeakRSSMB)
		if res.AfterSeconds > 0 {
			fmt.Printf("in the %.0fs after, it put %d more\n", res.AfterSeconds, res.DrainedAfter)
		}
	})
}

// ackBench runs tote run on the orders pipeline against the fakes and sends
// it signed store/order/created webhooks at rate from an open-loop
// generator: each request leaves when it is due, on its own goroutine, and
// its latency counts from then, so a slow answer delays no other request
// and is not hidden (no coordinated omission). The orders exist in the
// fake, so the worker drains them into ShipStation as they arrive.
func ackBench(ctx context.Context, rate float64, duration, after time.Duration, concurrency, cpuSlots int, realLimits bool, scope, logPath string, progress io.Writer) (*AckResult, error) {
	// By default limits are out of the way: the worker drains as fast as
	// it can, which is when it competes most with the acknowledgements.
	opts := sandbox.Options{Addresses: loopback,
		Seed: 1, BigCommerceQuota: 1_000_000, ShipStationPerMinute: 1_000_000, ShipStationV2PerMinute: 1_000_000, SignWebhooks: true}
	if realLimits {
		opts = vendorLimits()
		opts.SignWebhooks = true
	}
	fakes, err := sandbox.StartFakes(opts)
	if err != nil {
		return nil, err
	}
	defer fakes.Close()
	n := int(rate * duration.Seconds())
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
	args := []string{"-dir", pipeDir, "-listen", listen}
	if concurrency > 0 {
		args = append(args, "-concurrency", strconv.Itoa(concurrency))
	}
	if cpuSlots >= 0 {
		args = append(args, "-cpu-slots", strconv.Itoa(cpuSlots))
	}
	if logPath == "" {
		logPath = filepath.Join(dir, "tote-run.log")
	}
	engine, err := startEngine(ctx, dir, logPath, env, args)
	if err != nil {
		return nil, err
	}
	defer func() { _ = engine.stop() }()

	// Every request is made before the clock starts: the generator only
	// sends. Timestamps are refreshed each second of sending, well inside
	// the 5-minute signature window.
	url := "http://" + listen + "/hooks/orders/changed"
	bodies := make([][]byte, n)
	for i := range n {
		data := fmt.Sprintf(`{"type":"order","id":%d}`, first+i)
		sum := sha1.Sum([]byte(data))
		bodies[i] = fmt.Appendf(nil, `{"scope":%q,"store_id":"1","data":%s,"hash":"%s","created_at":%d,"producer":"stores/%s"}`,
			scope, data, hex.EncodeToString(sum[:]), now.Unix(), sandbox.StoreHash)
	}
	// A sender's pool of connections, fewer than tote run accepts at once
	// (its -max-conns, 512): a request that finds them all busy waits in
	// the pool, and that wait counts in its latency.
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}, Timeout: time.Minute}
	latencies := make([]time.Duration, n)
	ok := make([]bool, n)
	var wg sync.WaitGroup
	period := time.Duration(float64(time.Second) / rate)
	fmt.Fprintf(progress, "sending %d webhooks at %.0f/s\n", n, rate)
	start := time.Now()
	var lastDone time.Time
	var mu sync.Mutex
	for i := range n {
		due := start.Add(time.Duration(i) * period)
		if d := time.Until(due); d > 0 {
			time.Sleep(d) // the schedule itself, not synchronisation
		}
		wg.Add(1)
		go func(i int, due time.Time) {
			defer wg.Done()
			id := "bench-" + strconv.Itoa(i)
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(bodies[i]))
			if err != nil {
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("webhook-id", id)
			req.Header.Set("webhook-timestamp", ts)
			req.Header.Set("webhook-signature", "v1,"+bigcommercetest.Sign(sandbox.ClientSecret, id, ts, bodies[i]))
			resp, err := client.Do(req)
			done := time.Now()
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				ok[i] = resp.StatusCode >= 200 && resp.StatusCode < 300
			}
			latencies[i] = done.Sub(due)
			mu.Lock()
			if done.After(lastDone) {
				lastDone = done
			}
			mu.Unlock()
		}(i, due)
	}
	wg.Wait()
	res := &AckResult{RealLimits: realLimits, Rate: rate, DurationSeconds: duration.Seconds(), Sent: n, Drained: totesOrders(fakes)}
	for _, good := range ok {
		if good {
			res.Acknowledged++
		} else {
			res.Failed++
		}
	}
	res.AchievedRate = float64(res.Acknowledged) / lastDone.Sub(start).Seconds()
	slices.Sort(latencies)
	ms := func(q float64) float64 {
		i := min(len(latencies)-1, int(q*float64(len(latencies))))
		return float64(latencies[i]) / float64(time.Millisecond)
	}
	res.P50ms, res.P90ms, res.P99ms, res.MaxMs = ms(0.50), ms(0.90), ms(0.99), float64(latencies[len(latencies)-1])/float64(time.Millisecond)
	if buckets, err := scrapeHistogram(ctx, "http://"+listen+"/metrics", "tote_webhook_ack_seconds"); err == nil {
		res.ServerP50ms, res.ServerP99ms = 1000*buckets.quantile(0.50), 1000*buckets.quantile(0.99)
	} else {
		fmt.Fprintf(progress, "reading tote run's metrics: %v\n", err)
	}
	if after > 0 {
		time.Sleep(after) // the measuring window, not synchronisation
		res.AfterSeconds, res.DrainedAfter = after.Seconds(), totesOrders(fakes)-res.Drained
	}
	res.PeakRSSMB = peakRSSMB(engine.pid())
	return res, nil
}
