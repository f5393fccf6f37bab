package main

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
)

// TestMain lets the test binary be the ack bench's children, as
// startHelper runs them (os.Executable with one of ackChildren's verbs).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		if child, ok := ackChildren[os.Args[1]]; ok {
			os.Exit(child(os.Args[2:]))
		}
	}
	os.Exit(m.Run())
}

func TestPercentilesAreTheLatenciesAtTheirRanks(t *testing.T) {
	// 1 ms to 200 ms, shuffled: the q-th percentile is the one at index
	// q*200 once sorted.
	var latencies []time.Duration
	for i := 1; i <= 200; i++ {
		latencies = append(latencies, time.Duration(i)*time.Millisecond)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(latencies), func(i, j int) { latencies[i], latencies[j] = latencies[j], latencies[i] })
	l := percentiles(latencies)
	p50, p90, p99, top := l.P50ms, l.P90ms, l.P99ms, l.MaxMs
	if p50 != 101 || p90 != 181 || p99 != 199 || top != 200 {
		t.Errorf("p50 %v, p90 %v, p99 %v, max %v ms; want 101, 181, 199, 200", p50, p90, p99, top)
	}
	if l := percentiles([]time.Duration{1500 * time.Microsecond}); l.P50ms != 1.5 || l.MaxMs != 1.5 {
		t.Errorf("one latency of 1.5 ms: p50 %v, max %v", l.P50ms, l.MaxMs)
	}
}

func TestReadSenderResultChecksItAccountsForEveryRequest(t *testing.T) {
	for _, c := range []struct {
		name, json string
		sent       int
		ok         bool
	}{
		{"complete", `{"nice":0,"ok":18,"failed":2,"last_answer_seconds":0.5,"p50_ms":1.5,"p90_ms":2,"p99_ms":3,"max_ms":4}`, 20, true},
		{"requests missing", `{"ok":18,"failed":1,"last_answer_seconds":0.5}`, 20, false},
		{"more than sent", `{"ok":21,"failed":0,"last_answer_seconds":0.5}`, 20, false},
		{"answers without a time", `{"ok":20,"failed":0}`, 20, false},
		{"an unknown field", `{"ok":20,"failed":0,"last_answer_seconds":0.5,"p95_ms":3}`, 20, false},
		{"nothing", ``, 20, false},
		{"cut short", `{"ok":20,"fai`, 20, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := readSenderResult(strings.NewReader(c.json), c.sent)
			if (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok %v", err, c.ok)
			}
			if c.ok && (res.OK != 18 || res.Failed != 2 || res.P50ms != 1.5 || res.MaxMs != 4 || res.LastAnswerSeconds != 0.5 || res.Nice == nil || *res.Nice != 0) {
				t.Errorf("read %+v", res)
			}
		})
	}
}

// The sender child sends each order's webhook once, signed, and reports
// every answer; it waits for the start before sending any.
func TestAckSendSendsEveryRequestOnce(t *testing.T) {
	const n, first, secret = 20, 1000, "test-secret"
	var mu sync.Mutex
	byOrder := map[int]int{}
	var bad []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var d struct {
			Scope    string `json:"scope"`
			Producer string `json:"producer"`
			Created  int64  `json:"created_at"`
			Data     struct {
				ID int `json:"id"`
			} `json:"data"`
		}
		err := json.Unmarshal(body, &d)
		sig := "v1," + bigcommercetest.Sign(secret, r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), body)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			bad = append(bad, err.Error())
		case r.Header.Get("webhook-signature") != sig:
			bad = append(bad, "bad signature on "+string(body))
		case d.Scope != "store/order/created" || d.Producer != "stores/abc123" || d.Created != 1700000000:
			bad = append(bad, "unexpected body "+string(body))
		default:
			byOrder[d.Data.ID]++
			return
		}
		http.Error(w, "refused", http.StatusUnauthorized)
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stderr strings.Builder
	sender, err := startSender(ctx, senderSpec{URL: srv.URL, Rate: 10000, Count: n, FirstOrder: first,
		Scope: "store/order/created", StoreHash: "abc123", Secret: secret, Created: 1700000000}, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	mu.Lock()
	early := len(byOrder) + len(bad)
	mu.Unlock()
	if early > 0 {
		t.Errorf("%d requests before the start", early)
	}
	res, err := sender.send(n)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if res.OK != n || res.Failed != 0 {
		t.Errorf("sender reports %d ok, %d failed; want %d ok", res.OK, res.Failed, n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("refused: %v", bad)
	}
	for id := first; id < first+n; id++ {
		if byOrder[id] != 1 {
			t.Errorf("order %d's webhook arrived %d times, want once", id, byOrder[id])
		}
	}
	if len(byOrder) != n {
		t.Errorf("webhooks for %d orders, want %d", len(byOrder), n)
	}
	if res.MaxMs <= 0 || res.P50ms > res.P99ms || res.P99ms > res.MaxMs {
		t.Errorf("latencies out of order: %+v", res)
	}
	if l := res.Late; l.MaxMs <= 0 || l.P50ms > l.P99ms || l.P99ms > l.MaxMs || l.MaxMs > res.MaxMs {
		t.Errorf("the sender's lateness %+v is not a part of its latencies %+v", l, res.latencyMs)
	}
	if a := res.Answer; a.MaxMs <= 0 || a.P50ms > a.P99ms || a.P99ms > a.MaxMs || a.MaxMs > res.MaxMs {
		t.Errorf("the latencies from when the sender took each request up %+v are not a part of its latencies %+v", a, res.latencyMs)
	}
	// The child is not niced by this process (which is not niced either).
	if want, ok := ownNice(); ok && (res.Nice == nil || *res.Nice != want) {
		t.Errorf("sender's nice %v, want %d", res.Nice, want)
	}
}

func TestAckRunArgsPassTheIntakeMode(t *testing.T) {
	for _, c := range []struct {
		o    ackOptions
		want []string
	}{
		{ackOptions{cpuSlots: -1}, []string{"-dir", "p", "-listen", "l"}},
		{ackOptions{cpuSlots: -1, intake: "process"}, []string{"-dir", "p", "-listen", "l", "-intake", "process"}},
		{ackOptions{cpuSlots: 1, concurrency: 8, intake: "process"},
			[]string{"-dir", "p", "-listen", "l", "-concurrency", "8", "-cpu-slots", "1", "-intake", "process"}},
	} {
		if got := ackRunArgs("p", "l", c.o); !slices.Equal(got, c.want) {
			t.Errorf("%+v: %q, want %q", c.o, got, c.want)
		}
	}
}
