package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
)

// The ack bench's sender runs in a process of its own, `tote-bench
// ack-send` (see helper.go), as a vendor's would on a machine of its own:
// the Go scheduler of the bench's process, busy serving the fakes while
// tote drains into them, then cannot delay its requests.

// senderSpec is what the sender needs to send the webhooks.
type senderSpec struct {
	URL        string  `json:"url"`
	Rate       float64 `json:"rate"`  // requests per second
	Count      int     `json:"count"` // requests sent in all
	FirstOrder int     `json:"first_order"`
	Scope      string  `json:"scope"`
	StoreHash  string  `json:"store_hash"`
	Secret     string  `json:"secret"`  // the app's client secret, which signs each delivery
	Created    int64   `json:"created"` // the bodies' created_at, Unix seconds
}

// senderResult is what the sender measured.
type senderResult struct {
	// Nice is the sender's nice value as it sent (Linux only).
	Nice   *int `json:"nice,omitempty"`
	OK     int  `json:"ok"`     // 2xx answers
	Failed int  `json:"failed"` // other answers and transport errors
	// LastAnswerSeconds is when the last answer came, from the start of
	// the sending.
	LastAnswerSeconds float64 `json:"last_answer_seconds"`
	// Latencies from when each request was due.
	latencyMs
}

// ackSendMain is `tote-bench ack-send`, the ack bench's sender; ackBench
// starts it. It is not listed in the usage.
func ackSendMain([]string) int {
	return childMain("ack-send", func(in io.Reader, out io.Writer) error { return ackSend(context.Background(), in, out) })
}

// ackSend reads a senderSpec from in, builds the requests' bodies, says
// so on out, waits for the end of in and then sends, and writes what it
// measured on out.
func ackSend(ctx context.Context, in io.Reader, out io.Writer) error {
	dec := json.NewDecoder(in)
	var spec senderSpec
	if err := dec.Decode(&spec); err != nil {
		return fmt.Errorf("reading the spec: %w", err)
	}
	if spec.Rate <= 0 || spec.Count <= 0 {
		return fmt.Errorf("rate %v and count %d must be positive", spec.Rate, spec.Count)
	}
	bodies := buildBodies(spec)
	if err := readyThenWait(dec, in, out); err != nil {
		return err
	}
	res := sendOpenLoop(ctx, spec, bodies)
	if n, ok := ownNice(); ok {
		res.Nice = &n
	}
	return json.NewEncoder(out).Encode(res)
}

// buildBodies makes every request's body before the clock starts, so the
// sending only sends.
func buildBodies(spec senderSpec) [][]byte {
	bodies := make([][]byte, spec.Count)
	for i := range spec.Count {
		data := fmt.Sprintf(`{"type":"order","id":%d}`, spec.FirstOrder+i)
		sum := sha1.Sum([]byte(data))
		bodies[i] = fmt.Appendf(nil, `{"scope":%q,"store_id":"1","data":%s,"hash":"%s","created_at":%d,"producer":"stores/%s"}`,
			spec.Scope, data, hex.EncodeToString(sum[:]), spec.Created, spec.StoreHash)
	}
	return bodies
}

// sendOpenLoop sends bodies to spec.URL at spec.Rate from an open-loop
// generator: each request leaves when it is due, on its own goroutine,
// and its latency counts from then, so a slow answer delays no other
// request and is not hidden (no coordinated omission). Timestamps are
// taken as each request leaves, well inside the 5-minute signature window.
func sendOpenLoop(ctx context.Context, spec senderSpec, bodies [][]byte) *senderResult {
	n := len(bodies)
	// A sender's pool of connections, fewer than tote run accepts at once
	// (its -max-conns, 512): a request that finds them all busy waits in
	// the pool, and that wait counts in its latency.
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}, Timeout: time.Minute}
	defer client.CloseIdleConnections()
	latencies := make([]time.Duration, n)
	ok := make([]bool, n)
	var wg sync.WaitGroup
	period := time.Duration(float64(time.Second) / spec.Rate)
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
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, spec.URL, bytes.NewReader(bodies[i]))
			if err != nil {
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("webhook-id", id)
			req.Header.Set("webhook-timestamp", ts)
			req.Header.Set("webhook-signature", "v1,"+bigcommercetest.Sign(spec.Secret, id, ts, bodies[i]))
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
	res := &senderResult{LastAnswerSeconds: lastDone.Sub(start).Seconds()}
	for _, good := range ok {
		if good {
			res.OK++
		} else {
			res.Failed++
		}
	}
	res.latencyMs = percentiles(latencies)
	return res
}

// latencyMs is a distribution of latencies, in ms, as the sender, the
// floor probe and the bench report it.
type latencyMs struct {
	P50ms float64 `json:"p50_ms"`
	P90ms float64 `json:"p90_ms"`
	P99ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
}

// percentiles sorts latencies and returns their 50th, 90th and 99th
// percentiles and their maximum: the q-th is the latency at index q*len,
// so with 100 latencies the 99th is the 100th smallest.
func percentiles(latencies []time.Duration) latencyMs {
	if len(latencies) == 0 {
		return latencyMs{}
	}
	slices.Sort(latencies)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	at := func(q float64) float64 { return ms(latencies[min(len(latencies)-1, int(q*float64(len(latencies))))]) }
	return latencyMs{at(0.50), at(0.90), at(0.99), ms(latencies[len(latencies)-1])}
}

// senderProc is a started sender, ready to send.
type senderProc struct{ h *helper }

// startSender starts the sender child with spec and waits until it has
// built its requests; its errors go to stderr.
func startSender(ctx context.Context, spec senderSpec, stderr io.Writer) (*senderProc, error) {
	h, err := startHelper(ctx, "ack-send", "the sender", spec, stderr)
	if err != nil {
		return nil, err
	}
	return &senderProc{h}, nil
}

// send starts the sending and waits for its result.
func (p *senderProc) send(sent int) (*senderResult, error) {
	var res *senderResult
	err := p.h.run(func(r io.Reader) (err error) {
		res, err = readSenderResult(r, sent)
		return err
	})
	return res, err
}

// readSenderResult reads the sender's result from r and checks that it
// accounts for the sent requests.
func readSenderResult(r io.Reader, sent int) (*senderResult, error) {
	var res senderResult
	if err := decodeResult(r, &res); err != nil {
		return nil, err
	}
	if res.OK < 0 || res.Failed < 0 || res.OK+res.Failed != sent {
		return nil, fmt.Errorf("%d answered and %d failed of %d sent", res.OK, res.Failed, sent)
	}
	if res.OK > 0 && res.LastAnswerSeconds <= 0 {
		return nil, fmt.Errorf("last answer %v s after the start", res.LastAnswerSeconds)
	}
	return &res, nil
}
