package shipstationtest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// Server is a running fake ShipStation. All methods are safe for concurrent use.
type Server struct {
	// URL is the v1 base URL, for example http://127.0.0.1:7402; the v2
	// API lives under URL + "/v2/".
	URL string

	opts    Options
	ts      *httptest.Server
	handler http.Handler
	faults  *fakekit.Injector
	clock   *fakekit.Clock
	v1Quota *limiter
	v2Quota *limiter
	hooks   *deliverer
	stats   counters

	mu     sync.Mutex // guards everything below
	rng    *rand.Rand
	seeded bool

	// Other channels' orders (foreign.go): their own id sequences and
	// random source, and which orders are theirs.
	foreignSeeded bool
	foreignSeq    sequences
	foreignRng    *rand.Rand
	foreignIDs    map[int64]bool
	db
}

// counters are the request statistics benchmarks read.
type counters struct {
	v1Calls, v2Calls, v1TooMany, v2TooMany atomic.Int64
	uriTooLong                             atomic.Int64
	requests                               fakekit.RequestCounts
}

// Stats counts API requests (simulation verbs excluded).
type Stats struct {
	V1Calls   int64 // v1 requests received, whatever their answer
	V2Calls   int64 // v2 requests received
	V1TooMany int64 // v1 requests answered 429
	V2TooMany int64 // v2 requests answered 429
	// URITooLong counts requests the gateway refused (414) for a request
	// URI over Options.MaxRequestURI; they reach neither API.
	URITooLong int64
	// ByRequest counts API requests by method and path, as "GET /orders"
	// or "GET /orders/{id}" (numeric ids collapsed).
	ByRequest map[string]int64
}

// newServer builds a Server without a listener.
func newServer(opts Options) *Server {
	opts = opts.withDefaults()
	s := &Server{
		opts:   opts,
		faults: fakekit.NewInjector(opts.Seed),
		clock:  opts.Clock,
		rng:    rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed)),
		db:     newDB(),
	}
	s.v1Quota = newLimiter(opts.RateLimit, opts.RateWindow, s.clock.Now)
	s.v2Quota = newLimiter(opts.V2RateLimit, opts.RateWindow, s.clock.Now)
	s.hooks = newDeliverer(opts.WebhookTimeout, s.clock.Now)
	s.handler = s.buildHandler()
	if !opts.Bare {
		s.SeedDefault()
	}
	return s
}

// NewServer starts a Server on a loopback port chosen by the system.
func NewServer(opts Options) *Server {
	s := newServer(opts)
	s.ts = httptest.NewServer(s.handler)
	s.URL = s.ts.URL
	return s
}

// Start starts a Server listening on addr (for example "127.0.0.1:7402").
func Start(addr string, opts Options) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("shipstationtest: listen %s: %w", addr, err)
	}
	s := newServer(opts)
	s.ts = httptest.NewUnstartedServer(s.handler)
	_ = s.ts.Listener.Close()
	s.ts.Listener = l
	s.ts.Start()
	s.URL = s.ts.URL
	return s, nil
}

// Close stops webhook delivery, drops open connections (including requests
// held by a hang fault) and shuts the listener.
func (s *Server) Close() {
	s.hooks.close()
	if s.ts != nil {
		s.ts.CloseClientConnections()
		s.ts.Close()
	}
}

// Handler is the whole fake as an http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Clock is the server's clock; tests freeze and advance it.
func (s *Server) Clock() *fakekit.Clock { return s.clock }

// SetFaults replaces the active faults.
func (s *Server) SetFaults(f Faults) { s.faults.Set(f) }

// Faults returns the active faults.
func (s *Server) Faults() Faults { return s.faults.Get() }

// Stats returns the request counters.
func (s *Server) Stats() Stats {
	return Stats{
		V1Calls:    s.stats.v1Calls.Load(),
		V2Calls:    s.stats.v2Calls.Load(),
		V1TooMany:  s.stats.v1TooMany.Load(),
		V2TooMany:  s.stats.v2TooMany.Load(),
		URITooLong: s.stats.uriTooLong.Load(),
		ByRequest:  s.stats.requests.Snapshot(),
	}
}

func (s *Server) now() time.Time { return s.clock.Now() }

// resourceBase is the base of webhook resource_url values.
func (s *Server) resourceBase() string {
	if s.opts.ResourceBaseURL != "" {
		return strings.TrimRight(s.opts.ResourceBaseURL, "/")
	}
	return s.URL
}

func (s *Server) buildHandler() http.Handler {
	sim := s.simRouter()
	v1 := s.faults.Wrap(s.v1Gate(s.v1Router()), fakekit.Responders{
		ServerError: func(w http.ResponseWriter) { v1Exception(w, "An injected fault occurred.") },
		TooMany: func(w http.ResponseWriter) {
			rem, reset := s.v1Quota.peek(s.opts.APIKey)
			s.setV1QuotaHeaders(w, rem, reset)
			writeTooManyV1(w)
		},
	})
	v2 := s.faults.Wrap(s.v2Gate(s.v2Router()), fakekit.Responders{
		ServerError: func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) },
		TooMany: func(w http.ResponseWriter) {
			_, reset := s.v2Quota.peek(s.opts.V2APIKey)
			s.writeTooManyV2(w, reset)
		},
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.releaseHolds()
		lower := strings.ToLower(r.URL.Path)
		switch {
		case strings.HasPrefix(lower, "/_sim/"):
			sim.ServeHTTP(w, r)
		case s.opts.MaxRequestURI > 0 && len(r.RequestURI) > s.opts.MaxRequestURI:
			// The gateway refuses it; the API never sees it.
			s.stats.uriTooLong.Add(1)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusRequestURITooLong)
			_, _ = w.Write([]byte("414 Request-URI Too Large\n"))
		case lower == "/v2" || strings.HasPrefix(lower, "/v2/"):
			s.stats.v2Calls.Add(1)
			s.stats.requests.Count(r.Method, r.URL.Path)
			sw := &statusWriter{ResponseWriter: w}
			v2.ServeHTTP(sw, r)
			if sw.status == http.StatusTooManyRequests {
				s.stats.v2TooMany.Add(1)
			}
		default:
			s.stats.v1Calls.Add(1)
			s.stats.requests.Count(r.Method, r.URL.Path)
			sw := &statusWriter{ResponseWriter: w}
			v1.ServeHTTP(sw, r)
			if sw.status == http.StatusTooManyRequests {
				s.stats.v1TooMany.Add(1)
			}
		}
	})
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// v1Gate checks Basic credentials and spends the key's quota, setting the
// rate-limit headers on every authenticated answer.
func (s *Server) v1Gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != s.opts.APIKey || pass != s.opts.APISecret {
			v1Message(w, http.StatusUnauthorized, "Authorization has been denied for this request.")
			return
		}
		allowed, rem, reset := s.v1Quota.take(user)
		s.setV1QuotaHeaders(w, rem, reset)
		if !allowed {
			writeTooManyV1(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) setV1QuotaHeaders(w http.ResponseWriter, remaining, reset int) {
	h := w.Header()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(s.opts.RateLimit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Rate-Limit-Reset", strconv.Itoa(reset))
}

// v2Gate checks the API-Key header and spends the v2 quota.
func (s *Server) v2Gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("API-Key")
		if key != s.opts.V2APIKey {
			s.v2Error(w, http.StatusUnauthorized, v2TypeSecurity, "unauthorized", "The API key is invalid. Please see https://www.shipstation.com/docs/api/ for details.")
			return
		}
		allowed, _, reset := s.v2Quota.take(key)
		if !allowed {
			s.writeTooManyV2(w, reset)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) writeTooManyV2(w http.ResponseWriter, reset int) {
	w.Header().Set("Retry-After", strconv.Itoa(reset))
	s.v2Error(w, http.StatusTooManyRequests, v2TypeSystem, "rate_limit_exceeded", "You have exceeded the rate limit.")
}

// newUUID returns a random version-4 style UUID from the seeded generator.
func (s *Server) newUUID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uuidLocked()
}

// uuidLocked is newUUID for callers holding s.mu.
func (s *Server) uuidLocked() string {
	a, b := s.rng.Uint64(), s.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, (b>>48)&0x3fff|0x8000, b&0xffffffffffff)
}
