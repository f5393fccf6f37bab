// Package bigcommercetest is a faithful fake of the BigCommerce REST API for
// tests, the tote sandbox and anyone testing pipelines without a real store.
//
// It serves /stores/{hash}/v2 and /v3 with the real paths, auth, envelopes,
// error bodies, formats, pagination, rate limits and webhook delivery, all
// written from the vendor reference (never from tote's client). Simulation
// verbs under /_sim/ stand in for what shoppers and merchants do in the
// storefront and control panel, and fault knobs exercise failure handling.
package bigcommercetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// Server is a running fake BigCommerce store.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:7401; the API lives under
	// URL + "/stores/{hash}/v2" and "/v3".
	URL string

	calls, tooMany atomic.Int64 // API requests past auth, and those answered 429
	requests       fakekit.RequestCounts

	opts    Options
	clock   *fakekit.Clock
	faults  *fakekit.Injector
	limiter *limiter
	handler http.Handler

	mu  sync.Mutex // guards st, rng, declines and stockUpdate
	st  *state
	rng *rand.Rand
	// declines are the refund refusals by order id (0: every order).
	declines map[int]RefundDecline
	// stockUpdate is when orders take their stock (Options.StockUpdate).
	stockUpdate StockUpdate

	hooks *deliverer

	closing    context.Context
	stopAll    context.CancelFunc
	httptest   *httptest.Server
	httpServer *http.Server
}

// NewServer starts a fake store on a loopback port, like httptest.NewServer.
// The store starts empty apart from its channels and default location; call
// SeedDefault or SeedCatalog for a catalog.
func NewServer(opts Options) *Server {
	s := newServer(opts)
	s.httptest = httptest.NewServer(s.handler)
	s.URL = s.httptest.URL
	return s
}

// Start serves a fake store on addr (e.g. "127.0.0.1:7401"), for `tote fakes`.
func Start(addr string, opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("bigcommercetest: listen %s: %w", addr, err)
	}
	s := newServer(opts)
	s.httpServer = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.URL = "http://" + ln.Addr().String()
	go func() {
		if err := s.httpServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.stopAll()
		}
	}()
	return s, nil
}

func newServer(opts Options) *Server {
	opts = opts.withDefaults()
	s := &Server{
		opts:        opts,
		stockUpdate: opts.StockUpdate,
		clock:       opts.Clock,
		faults:      fakekit.NewInjector(opts.Seed),
		limiter:     &limiter{quota: opts.RateLimit.Quota, window: opts.RateLimit.Window},
		rng:         rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5bd1e995)),
	}
	s.closing, s.stopAll = context.WithCancel(context.Background())
	s.st = newState(s.clock.Now())
	s.hooks = newDeliverer(s)
	s.handler = s.routes()
	return s
}

// Handler returns the fake's HTTP handler, for mounting it elsewhere.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops webhook deliveries, ends hung requests and shuts the server down.
func (s *Server) Close() {
	s.stopAll()
	s.hooks.wait()
	if s.httptest != nil {
		// Requests a fault keeps hanging end with their connections.
		s.httptest.CloseClientConnections()
		s.httptest.Close()
	}
	if s.httpServer != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.httpServer.Shutdown(ctx)
	}
}

// Options returns the effective options (defaults filled in).
func (s *Server) Options() Options { return s.opts }

// Clock returns the fake's clock.
func (s *Server) Clock() *Clock { return s.clock }

// SetFaults replaces the active fault knobs.
func (s *Server) SetFaults(f Faults) { s.faults.Set(f) }

// Faults returns the active fault knobs.
func (s *Server) Faults() Faults { return s.faults.Get() }

// APIBase is the URL the API paths hang from: URL + "/stores/{hash}".
func (s *Server) APIBase() string { return s.URL + "/stores/" + s.opts.StoreHash }

func (s *Server) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

// Stats are counters since the server started.
type Stats struct {
	// Calls counts authenticated API requests (simulation verbs are not
	// API requests); TooMany counts those answered 429 by the rate limit.
	Calls, TooMany int64
	// ByRequest counts API requests by method and path after the store
	// hash, as "GET /v2/orders/{id}" (ids collapsed).
	ByRequest map[string]int64
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	return Stats{Calls: s.calls.Load(), TooMany: s.tooMany.Load(), ByRequest: s.requests.Snapshot()}
}
