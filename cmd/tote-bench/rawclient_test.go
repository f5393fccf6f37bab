package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rawTestServer serves the sender's requests with answer, counting each
// request by its number and the connections it accepted.
type rawTestServer struct {
	*httptest.Server
	addr  string
	mu    sync.Mutex
	seen  map[int]int
	conns atomic.Int64
}

func newRawTestServer(t *testing.T, answer func(i int, w http.ResponseWriter)) *rawTestServer {
	s := &rawTestServer{seen: map[int]int{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		i, err := strconv.Atoi(strings.TrimPrefix(r.Header.Get("webhook-id"), "bench-"))
		if err != nil {
			t.Errorf("webhook-id %q", r.Header.Get("webhook-id"))
			return
		}
		s.mu.Lock()
		s.seen[i]++
		s.mu.Unlock()
		answer(i, w)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	s.addr = strings.TrimPrefix(s.URL, "http://")
	return s
}

// sendTo builds n requests for s and sends them at rate over conns connections.
func (s *rawTestServer) sendTo(t *testing.T, n int, rate float64, conns int) *openLoop {
	t.Helper()
	addr, reqs, err := buildRequests(senderSpec{URL: s.URL + "/hooks/orders/changed", Rate: rate, Count: n, FirstOrder: 1,
		Scope: "store/order/created", StoreHash: "abc123", Secret: "s"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if addr != s.addr {
		t.Fatalf("sending to %s, want %s", addr, s.addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return sendOpenLoop(ctx, addr, rate, reqs, conns)
}

// checkOnce checks each of n requests reached s once.
func (s *rawTestServer) checkOnce(t *testing.T, n int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range n {
		if s.seen[i] != 1 {
			t.Errorf("request %d arrived %d times, want once", i, s.seen[i])
		}
	}
	if len(s.seen) != n {
		t.Errorf("%d requests arrived, want %d", len(s.seen), n)
	}
}

// Answers of every kind: 2xx or not, with a length or chunked, keeping
// the connection or closing it, or no answer at all. Each request is sent
// once and counted as the server answered it, and a closed connection is
// dialled again for the next request.
func TestRawSenderCountsEveryKindOfAnswer(t *testing.T) {
	const n = 80
	fails := func(i int) bool { return i%2 == 1 }
	closes := func(i int) bool { return i%4 >= 2 }
	chunked := func(i int) bool { return i%8 >= 4 }
	drops := func(i int) bool { return i%10 == 9 } // closed without an answer
	answer := func(i int, w http.ResponseWriter) {
		if drops(i) {
			c, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				c.Close()
			}
			return
		}
		if closes(i) {
			w.Header().Set("Connection", "close")
		}
		status := http.StatusOK
		if fails(i) {
			status = http.StatusInternalServerError
		}
		if !chunked(i) {
			w.Header().Set("Content-Length", "14")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"answer":`)
		if chunked(i) {
			w.(http.Flusher).Flush()
		}
		_, _ = io.WriteString(w, `"x"}`)
	}
	wantOK, wantConns := 0, 1
	for i := range n {
		if !fails(i) && !drops(i) {
			wantOK++
		}
		if i < n-1 && (closes(i) || drops(i)) {
			wantConns++
		}
	}
	for _, conns := range []int{1, 4} {
		t.Run(strconv.Itoa(conns)+" connections", func(t *testing.T) {
			s := newRawTestServer(t, answer)
			run := s.sendTo(t, n, 20000, conns)
			res := run.result()
			if res.OK != wantOK || res.Failed != n-wantOK {
				t.Errorf("%d ok and %d failed, want %d and %d", res.OK, res.Failed, wantOK, n-wantOK)
			}
			for i, ok := range run.ok {
				if ok != (!fails(i) && !drops(i)) {
					t.Errorf("request %d counted ok %v", i, ok)
				}
			}
			s.checkOnce(t, n)
			if got := s.conns.Load(); conns == 1 && got != int64(wantConns) {
				t.Errorf("%d connections over one at a time, want %d: one, and one more after each closed", got, wantConns)
			}
			if res.LastAnswerSeconds <= 0 || res.MaxMs <= 0 {
				t.Errorf("last answer %v s, latencies %+v", res.LastAnswerSeconds, res.latencyMs)
			}
		})
	}
}

// Each request is the raw HTTP/1.1 of a webhook, signed as a Standard
// Webhooks receiver checks it (computed here independently of the fake's
// Sign), with nothing after it.
func TestBuildRequestsMakesSignedWebhooks(t *testing.T) {
	const n, first, secret = 5, 1000, "test-secret"
	now := time.Now()
	spec := senderSpec{URL: "http://127.0.0.1:8123/hooks/orders/changed?x=1", Rate: 100, Count: n, FirstOrder: first,
		Scope: "store/order/created", StoreHash: "abc123", Secret: secret, Created: 1700000000}
	addr, reqs, err := buildRequests(spec, now)
	if err != nil {
		t.Fatal(err)
	}
	if addr != "127.0.0.1:8123" || len(reqs) != n {
		t.Fatalf("%d requests to %s", len(reqs), addr)
	}
	for i, raw := range reqs {
		br := bufio.NewReader(bytes.NewReader(raw))
		r, err := http.ReadRequest(br)
		if err != nil {
			t.Fatalf("request %d: %v\n%s", i, err, raw)
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if rest, _ := io.ReadAll(br); len(rest) > 0 {
			t.Errorf("request %d: %q after its body", i, rest)
		}
		if r.Method != http.MethodPost || r.RequestURI != "/hooks/orders/changed?x=1" || r.Host != "127.0.0.1:8123" || r.ProtoMinor != 1 ||
			r.Header.Get("Content-Type") != "application/json" || r.ContentLength != int64(len(body)) {
			t.Errorf("request %d: %s %s %s, Host %s, Content-Type %q, Content-Length %d of %d",
				i, r.Method, r.RequestURI, r.Proto, r.Host, r.Header.Get("Content-Type"), r.ContentLength, len(body))
		}
		id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
		if id != "bench-"+strconv.Itoa(i) || ts != strconv.FormatInt(now.Unix(), 10) {
			t.Errorf("request %d: webhook-id %q, webhook-timestamp %q", i, id, ts)
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(id + "." + ts + "."))
		mac.Write(body)
		v, sig, _ := strings.Cut(r.Header.Get("webhook-signature"), ",")
		if got, err := base64.StdEncoding.DecodeString(sig); v != "v1" || err != nil || !hmac.Equal(got, mac.Sum(nil)) {
			t.Errorf("request %d: webhook-signature %q does not verify", i, r.Header.Get("webhook-signature"))
		}
		var d struct {
			Scope, Producer string
			Created         int64 `json:"created_at"`
			Data            struct{ ID int }
		}
		if err := json.Unmarshal(body, &d); err != nil || d.Data.ID != first+i || d.Scope != spec.Scope || d.Producer != "stores/abc123" || d.Created != spec.Created {
			t.Errorf("request %d: body %s (%v)", i, body, err)
		}
	}
	for _, c := range []struct {
		url  string
		rate float64
		ok   bool
	}{
		{"http://localhost/hooks", 100, true},
		{"http://[::1]:80/hooks", 100, true},
		{"https://127.0.0.1:8123/hooks", 100, false},
		{"http://example.com/hooks", 100, false},
		{"http://10.0.0.1:8123/hooks", 100, false},
		{"http://127.0.0.1:8123/hooks", float64(n) / 241, false}, // 241 s of sending
		{"http://127.0.0.1:8123/hooks", float64(n) / 239, true},
	} {
		if _, _, err := buildRequests(senderSpec{URL: c.url, Rate: c.rate, Count: n}, now); (err == nil) != c.ok {
			t.Errorf("%s at %v/s: err %v, want ok %v", c.url, c.rate, err, c.ok)
		}
	}
}

// A request that waits for the one connection, busy with a slow answer,
// counts that wait: its latency is from when it was due, not from when it
// was written.
func TestRawSenderLatencyCountsFromTheDueTime(t *testing.T) {
	const n, rate, hold = 10, 100, 200 * time.Millisecond // the last due 90 ms after the start
	release := make(chan struct{})
	s := newRawTestServer(t, func(i int, w http.ResponseWriter) {
		if i == 0 {
			// The server's slow answer, which the test measures; it
			// synchronises nothing.
			time.AfterFunc(hold, func() { close(release) })
			<-release
		}
	})
	run := s.sendTo(t, n, rate, 1)
	s.checkOnce(t, n)
	for i, l := range run.latencies {
		// Request i was due i/rate after the start, and answered after the
		// first, which was answered hold after it arrived.
		if want := hold - time.Duration(i)*time.Second/rate; l < want || !run.ok[i] {
			t.Errorf("request %d: latency %v (ok %v), want at least %v", i, l, run.ok[i], want)
		}
	}
}

// A slow answer holds up no request that finds a connection free: the
// first is answered only once the sixth has arrived, over the other
// connection. The pool dials a second connection, and no more.
func TestRawSenderIsOpenLoop(t *testing.T) {
	const n, rate = 20, 1000
	sixth, release := make(chan struct{}), make(chan struct{})
	var timedOut atomic.Bool
	go func() {
		<-sixth
		close(release)
	}()
	s := newRawTestServer(t, func(i int, w http.ResponseWriter) {
		switch i {
		case 0:
			select {
			case <-release:
			case <-time.After(10 * time.Second): // a closed-loop sender's deadlock, broken
				timedOut.Store(true)
			}
		case 5:
			close(sixth)
		}
	})
	run := s.sendTo(t, n, rate, 2)
	s.checkOnce(t, n)
	if timedOut.Load() {
		t.Error("the first request was held up to the end: the others waited for it")
	}
	if res := run.result(); res.OK != n {
		t.Errorf("%d ok of %d", res.OK, n)
	}
	if want := 5 * time.Second / rate; run.latencies[0] < want {
		t.Errorf("the first request's latency %v, want at least %v: answered after the sixth was due", run.latencies[0], want)
	}
	if got := s.conns.Load(); got != 2 {
		t.Errorf("%d connections, want 2", got)
	}
}

func TestReadResponse(t *testing.T) {
	const next = "HTTP/1.1 299 Next\r\nContent-Length: 0\r\n\r\n"
	for _, c := range []struct {
		name, in string
		status   int
		keep     bool
		bad      bool
	}{
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, true, false},
		{"no reason", "HTTP/1.1 202\r\ncontent-length: 2\r\n\r\n{}", 202, true, false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n", 200, true, false},
		{"close", "HTTP/1.1 500 Internal Server Error\r\nCONNECTION: Close\r\nContent-Length: 3\r\n\r\nbad", 500, false, false},
		{"chunked close", "HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", 200, false, false},
		{"1.0", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, false, false},
		{"1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", 200, true, false},
		{"no content", "HTTP/1.1 204 No Content\r\n\r\n", 204, true, false},
		{"interim", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 201, true, false},
		{"until closed", "HTTP/1.1 200 OK\r\n\r\nall of it", 200, false, false},
		{"bad status", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", 0, false, true},
		{"not http", "SSH-2.0-OpenSSH\r\n\r\n", 0, false, true},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, false, true},
		{"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, false, true},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello", 200, false, true},
		{"short chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nhello", 200, false, true},
		{"no trailer end", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", 200, false, true},
		{"short headers", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n", 0, false, true},
		{"nothing", "", 0, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			if c.keep {
				in += next
			}
			r := bufio.NewReader(strings.NewReader(in))
			status, keep, err := readResponse(r)
			if (err != nil) != c.bad || (!c.bad && (status != c.status || keep != c.keep)) {
				t.Fatalf("status %d, keep %v, err %v; want %d, %v, bad %v", status, keep, err, c.status, c.keep, c.bad)
			}
			if c.keep {
				if status, _, err := readResponse(r); status != 299 || err != nil {
					t.Errorf("the next answer: status %d, err %v", status, err)
				}
			}
		})
	}
}
