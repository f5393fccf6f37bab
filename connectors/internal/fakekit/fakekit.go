// Package fakekit holds what the fake vendor servers share: run-time fault
// injection that is deterministic under a seed, a settable clock, the
// /_sim/faults and /_sim/clock handlers, and a tally of requests by method and
// path. It knows nothing of any vendor.
package fakekit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Faults are the knobs a test or a sandbox user turns at run time. Rates are
// fractions in [0,1]. The zero value injects nothing.
type Faults struct {
	// ErrorRate is the share of API requests answered with a 5xx.
	ErrorRate float64 `json:"error_rate"`
	// RateLimitStorm is the share of API requests answered 429 regardless of quota.
	RateLimitStorm float64 `json:"rate_limit_storm"`
	// LatencyMinMs and LatencyMaxMs bound a uniform extra latency per request.
	LatencyMinMs int `json:"latency_min_ms"`
	LatencyMaxMs int `json:"latency_max_ms"`
	// HangRate is the share of requests that never answer until the client gives up.
	HangRate float64 `json:"hang_rate"`
	// MalformedRate is the share of successful JSON responses whose body is cut short.
	MalformedRate float64 `json:"malformed_rate"`
	// DuplicateWebhookRate is the share of webhook deliveries sent twice.
	DuplicateWebhookRate float64 `json:"duplicate_webhook_rate"`
	// DropWebhookRate is the share of webhook deliveries silently never sent.
	DropWebhookRate float64 `json:"drop_webhook_rate"`
	// LostAnswerRate is the share of writes (requests other than GET and
	// HEAD) that the vendor performs and commits but whose answer never
	// reaches the client: half of them have their connection closed before
	// any answer, half get a status line and a body cut short. The client
	// cannot tell a lost answer from a write that never happened.
	LostAnswerRate float64 `json:"lost_answer_rate"`
	// BrokenPaging makes every list ignore the page asked for: each answer
	// is the first page, and its metadata claims another page follows
	// (BigCommerce v3 meta.pagination without current_page, as seen in the
	// field; ShipStation "pages" past the page asked for). BigCommerce v2
	// lists, which carry no metadata, repeat their first page.
	BrokenPaging bool `json:"broken_paging"`
}

// Injector decides, request by request, which fault to inject. Decisions come
// from one seeded generator so a run is reproducible for a given seed and
// request order.
type Injector struct {
	mu     sync.Mutex
	faults Faults
	rng    *rand.Rand
	// lose counts the successful writes still to lose their answer
	// (LoseAnswers).
	lose atomic.Int64
}

// NewInjector returns an Injector with no faults set.
func NewInjector(seed uint64) *Injector {
	return &Injector{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Set replaces the active faults.
func (in *Injector) Set(f Faults) {
	in.mu.Lock()
	in.faults = f
	in.mu.Unlock()
}

// Get returns the active faults.
func (in *Injector) Get() Faults {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.faults
}

// LoseAnswers makes the next n successful writes (requests other than GET
// and HEAD answered below 300) take effect and then lose their answer: the
// connection closes before any of it is sent, as when a network drops
// after the vendor committed. Unlike LostAnswerRate it picks no write at
// random, so a test can aim at exactly one.
func (in *Injector) LoseAnswers(n int) { in.lose.Store(int64(n)) }

// Roll reports true with probability rate.
func (in *Injector) Roll(rate float64) bool {
	if rate <= 0 {
		return false
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.rng.Float64() < rate
}

// Decision is what Decide chose for one API request.
type Decision struct {
	Latency   time.Duration
	Hang      bool
	Error     bool // answer 5xx
	TooMany   bool // answer 429
	Malformed bool // truncate a successful body
}

// Decide draws the faults for one API request.
func (in *Injector) Decide() Decision {
	in.mu.Lock()
	defer in.mu.Unlock()
	f := in.faults
	var d Decision
	if f.LatencyMaxMs > 0 {
		lo, hi := f.LatencyMinMs, f.LatencyMaxMs
		if hi < lo {
			hi = lo
		}
		d.Latency = time.Duration(lo+in.rng.IntN(hi-lo+1)) * time.Millisecond
	}
	roll := func(rate float64) bool { return rate > 0 && in.rng.Float64() < rate }
	d.Hang = roll(f.HangRate)
	d.Error = roll(f.ErrorRate)
	d.TooMany = roll(f.RateLimitStorm)
	d.Malformed = roll(f.MalformedRate)
	return d
}

// Webhook reports whether one webhook delivery should be dropped, and how many
// copies to send otherwise (1 or 2).
func (in *Injector) Webhook() (drop bool, copies int) {
	f := in.Get()
	if in.Roll(f.DropWebhookRate) {
		return true, 0
	}
	if in.Roll(f.DuplicateWebhookRate) {
		return false, 2
	}
	return false, 1
}

// Responders writes the vendor-specific bodies of injected failures.
type Responders struct {
	ServerError func(w http.ResponseWriter)
	TooMany     func(w http.ResponseWriter)
}

// Wrap returns next with faults injected in front of it. Requests whose path
// starts with /_sim/ are never faulted, so tests can always turn faults off.
func (in *Injector) Wrap(next http.Handler, resp Responders) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.Path) >= 6 && r.URL.Path[:6] == "/_sim/" {
			next.ServeHTTP(w, r)
			return
		}
		d := in.Decide()
		if d.Latency > 0 {
			select {
			case <-time.After(d.Latency):
			case <-r.Context().Done():
				return
			}
		}
		if d.Hang {
			// Reading the body first lets the server notice the connection
			// closing (by the client giving up, or the fake's Close), which
			// ends the request's context.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			return
		}
		if d.TooMany && resp.TooMany != nil {
			resp.TooMany(w)
			return
		}
		if d.Error && resp.ServerError != nil {
			resp.ServerError(w)
			return
		}
		if d.Malformed {
			w = &truncatingWriter{ResponseWriter: w}
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if in.Roll(in.Get().LostAnswerRate) {
				loseAnswer(w, record(next, r), in.Roll(0.5))
				return
			}
			if in.lose.Load() > 0 {
				rec := record(next, r)
				if rec.status < 300 && in.lose.Add(-1) >= 0 {
					loseAnswer(w, rec, false)
					return
				}
				rec.replay(w)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// record lets next perform the request in full, keeping its answer.
func record(next http.Handler, r *http.Request) *recorder {
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	next.ServeHTTP(rec, r)
	return rec
}

// loseAnswer drops the answer rec holds: the connection is closed before a
// byte of it is sent or, with cut set, after the status line, the headers
// and half of the body.
func loseAnswer(w http.ResponseWriter, rec *recorder, cut bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// Not an HTTP/1 connection: a body cut short is the most we can do.
		w.Header().Set("Content-Type", rec.header.Get("Content-Type"))
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes()[:rec.body.Len()/2])
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	if !cut {
		return
	}
	body := rec.body.Bytes()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.status, http.StatusText(rec.status))
	rec.header.Set("Content-Length", strconv.Itoa(len(body)))
	rec.header.Set("Connection", "close")
	_ = rec.header.Write(buf)
	_, _ = buf.WriteString("\r\n")
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}

// recorder keeps an answer instead of sending it.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}

// replay sends the kept answer after all.
func (r *recorder) replay(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}

// truncatingWriter drops the second half of a successful body, leaving JSON
// that does not parse.
type truncatingWriter struct {
	http.ResponseWriter
	status int
}

func (t *truncatingWriter) WriteHeader(code int) {
	t.status = code
	t.ResponseWriter.Header().Del("Content-Length")
	t.ResponseWriter.WriteHeader(code)
}

func (t *truncatingWriter) Write(b []byte) (int, error) {
	if t.status >= 300 || len(b) < 2 {
		return t.ResponseWriter.Write(b)
	}
	if _, err := t.ResponseWriter.Write(b[:len(b)/2]); err != nil {
		return 0, err
	}
	return len(b), nil
}

// ServeFaults answers GET (current faults) and POST (replace them) on /_sim/faults.
func (in *Injector) ServeFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost, http.MethodPut:
		var f Faults
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "faults: " + err.Error()})
			return
		}
		in.Set(f)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	WriteJSON(w, http.StatusOK, in.Get())
}

// Clock is the fakes' source of time. The zero value follows the wall clock;
// Set freezes it at a given instant and Advance moves a frozen clock.
type Clock struct {
	mu     sync.Mutex
	frozen bool
	at     time.Time
	offset time.Duration
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.at
	}
	return time.Now().Add(c.offset)
}

// Set freezes the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.frozen, c.at = true, t
	c.mu.Unlock()
}

// Advance moves the clock forward by d, frozen or not.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	if c.frozen {
		c.at = c.at.Add(d)
	} else {
		c.offset += d
	}
	c.mu.Unlock()
}

// ServeClock answers GET (current time) and POST on /_sim/clock with a body
// {"now": RFC 3339} to freeze the clock, or {"advance": "90m"} to move it.
func (c *Clock) ServeClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		var body struct {
			Now     *time.Time `json:"now"`
			Advance string     `json:"advance"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "clock: " + err.Error()})
			return
		}
		if body.Now != nil {
			c.Set(*body.Now)
		}
		if body.Advance != "" {
			d, err := time.ParseDuration(body.Advance)
			if err != nil {
				WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "clock: " + err.Error()})
				return
			}
			c.Advance(d)
		}
	}
	WriteJSON(w, http.StatusOK, map[string]time.Time{"now": c.Now()})
}

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
