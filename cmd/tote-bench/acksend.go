package main

import (
	"cmp"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
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
	// Late is the part of them before the sender took each request up
	// (to write it, or to dial first): its own delay, not tote's.
	Late latencyMs `json:"late"`
	// Answer is the rest: from when the sender took each request up to
	// its whole answer, what a sender on a machine of its own would wait
	// (but for the network between them).
	Answer latencyMs `json:"answer"`
}

// ackSendMain is `tote-bench ack-send`, the ack bench's sender; ackBench
// starts it. It is not listed in the usage.
func ackSendMain([]string) int {
	return childMain("ack-send", func(in io.Reader, out io.Writer) error { return ackSend(context.Background(), in, out) })
}

// ackSend reads a senderSpec from in, builds the requests, says so on
// out, waits for the end of in and then sends, and writes what it
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
	signed := time.Now()
	addr, reqs, err := buildRequests(spec, signed)
	if err != nil {
		return err
	}
	if err := readyThenWait(dec, in, out); err != nil {
		return err
	}
	if end := time.Since(signed) + spec.span(); end > signedFor+time.Minute/2 {
		return fmt.Errorf("started too late: the last request would be due %v after the signing, too near the end of tote's 5-minute signature window", end.Round(time.Second))
	}
	res := sendOpenLoop(ctx, addr, spec.Rate, reqs, senderConns).result()
	if n, ok := ownNice(); ok {
		res.Nice = &n
	}
	return json.NewEncoder(out).Encode(res)
}

// signedFor is the longest sending. The requests are signed as they are
// built, before the clock starts, so that no signing competes with tote
// for the CPU, and tote accepts a signature's timestamp for 5 minutes: a
// longer sending is refused rather than signed on the clock, and the
// minute left is for the wait for the start (at most half of it, checked
// at the start) and for the last answers.
const signedFor = 4 * time.Minute

// span is how long the sending lasts, from the first request's due time
// to the last's.
func (spec senderSpec) span() time.Duration {
	return time.Duration(float64(spec.Count) / spec.Rate * float64(time.Second))
}

// buildRequests makes every request, as the raw HTTP/1.1 bytes the sender
// writes, before the clock starts: signed with the timestamp of now, so
// the sending only sends. It returns them with the host:port to send
// them to, which must be a loopback address (see sendOpenLoop).
func buildRequests(spec senderSpec, now time.Time) (addr string, reqs [][]byte, err error) {
	u, err := url.Parse(spec.URL)
	if err != nil {
		return "", nil, err
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); u.Scheme != "http" || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return "", nil, fmt.Errorf("the sender sends to http:// loopback addresses only, not %q", spec.URL)
	}
	if spec.span() > signedFor {
		return "", nil, fmt.Errorf("%d requests at %v/s would last longer than %v, beyond which their signatures, made before the start, could go stale", spec.Count, spec.Rate, signedFor)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	var buf []byte
	ends := make([]int, spec.Count)
	for i := range spec.Count {
		data := fmt.Sprintf(`{"type":"order","id":%d}`, spec.FirstOrder+i)
		sum := sha1.Sum([]byte(data))
		body := fmt.Appendf(nil, `{"scope":%q,"store_id":"1","data":%s,"hash":"%s","created_at":%d,"producer":"stores/%s"}`,
			spec.Scope, data, hex.EncodeToString(sum[:]), spec.Created, spec.StoreHash)
		id := "bench-" + strconv.Itoa(i)
		buf = fmt.Appendf(buf, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"+
			"webhook-id: %s\r\nwebhook-timestamp: %s\r\nwebhook-signature: v1,%s\r\n\r\n%s",
			u.RequestURI(), u.Host, len(body), id, ts, bigcommercetest.Sign(spec.Secret, id, ts, body), body)
		ends[i] = len(buf)
	}
	reqs = make([][]byte, spec.Count)
	from := 0
	for i, end := range ends {
		reqs[i], from = buf[from:end:end], end
	}
	return net.JoinHostPort(host, cmp.Or(u.Port(), "80")), reqs, nil
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
