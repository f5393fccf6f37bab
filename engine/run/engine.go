// Package run executes compiled pipelines. One path serves plan, apply and
// `tote run`: a run evaluates a pipeline's graph for one event; reads execute,
// transforms evaluate, and each write instance is planned (plan) or planned
// and then performed through the write ledger (apply).
package run

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/state"
	"github.com/zclconf/go-cty/cty"
)

// Mode is what a run does with writes.
type Mode string

// Modes.
const (
	// Plan executes reads and plans writes without performing them.
	Plan Mode = "plan"
	// Apply executes reads and performs writes through the ledger.
	Apply Mode = "apply"
)

// Options configure an Engine.
type Options struct {
	// Parallelism bounds concurrent nodes and instances per run (default 10).
	Parallelism int
	Logger      *slog.Logger
	Clock       func() time.Time
	// Owner names this engine in the ledger: an intent it opens is its
	// claim on the record until the write is closed or IntentClaim passes.
	// The default names this process (host, pid, start time): engines of
	// one process share it, since they share its fate.
	Owner string
	// IntentClaim is how long an opened intent stays claimed (default
	// state.DefaultIntentClaim): longer than a write can take.
	IntentClaim time.Duration
	// ClaimWait bounds how long a write waits for another owner to finish
	// the same write before the run gives up with a retry-after (30s).
	ClaimWait time.Duration
	// Progress, when set, receives a snapshot each time PlanAll or
	// ApplyPlan advances (an event, a step, a vendor call). Calls are
	// serialised; it must return quickly.
	Progress func(Progress)
	// Observer, when not nil, hears about every vendor request, with the
	// connection's address filled in.
	Observer connectors.Observer
}

// Engine runs a program's pipelines. It opens each connection once, on first
// use, and shares it across runs.
type Engine struct {
	prog  *compile.Program
	store *state.Store
	opts  Options
	// connections is connection.*, the same for every run.
	connections cty.Value

	mu    sync.Mutex
	conns map[string]connectors.Conn
	// records serialises writes to one record across concurrent runs.
	records keyLock
	// secrets are the program's secret values, scrubbed from what leaves
	// the engine; each run clones it and adds its own.
	secrets *redactor
	// fence, when set, is the state lease this engine's writes depend on.
	fence atomic.Pointer[state.Fence]
}

// processStart tells this process from an earlier one with the same pid.
var processStart = time.Now().UnixNano()

// ProcessOwner names this process in the ledger and in the state lease:
// host:pid:start.
func ProcessOwner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d:%d", strings.ReplaceAll(host, ":", "_"), os.Getpid(), processStart)
}

// SetFence makes every later write check, in the transaction that opens
// its intent, that f still holds its lease; nil stops the checks.
func (e *Engine) SetFence(f *state.Fence) { e.fence.Store(f) }

// Owner is the name this engine's intents are claimed under.
func (e *Engine) Owner() string { return e.opts.Owner }

// New returns an engine. store may be nil for plan-only use.
func New(prog *compile.Program, store *state.Store, opts Options) *Engine {
	if opts.Parallelism <= 0 {
		opts.Parallelism = 10
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Owner == "" {
		opts.Owner = ProcessOwner()
	}
	if opts.IntentClaim <= 0 {
		opts.IntentClaim = state.DefaultIntentClaim
	}
	if opts.ClaimWait <= 0 {
		opts.ClaimWait = 30 * time.Second
	}
	return &Engine{prog: prog, store: store, opts: opts, conns: map[string]connectors.Conn{}, secrets: newRedactor(prog),
		connections: prog.ConnectionsValue()}
}

// Program returns the engine's program.
func (e *Engine) Program() *compile.Program { return e.prog }

// Store returns the engine's state store (nil for plan-only engines).
func (e *Engine) Store() *state.Store { return e.store }

// Conn returns the open connection for c, opening it on first use.
func (e *Engine) Conn(ctx context.Context, c *compile.Connection) (connectors.Conn, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if conn, ok := e.conns[c.Addr()]; ok {
		return conn, nil
	}
	values, _ := c.Values.UnmarkDeep()
	if !values.IsWhollyKnown() {
		return nil, fmt.Errorf("%s: its settings are not known (an environment variable may be missing)", c.Addr())
	}
	cfg := connectors.Config{Name: c.Name, Values: values, Logger: e.opts.Logger.With("connection", c.Addr())}
	if e.opts.Observer != nil {
		cfg.Observer = connObserver{addr: c.Addr(), next: e.opts.Observer}
	}
	conn, err := c.Connector.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", c.Addr(), err)
	}
	e.conns[c.Addr()] = conn
	return conn, nil
}

// connObserver names the connection in each call it passes on.
type connObserver struct {
	addr string
	next connectors.Observer
}

func (o connObserver) VendorCall(c connectors.VendorCall) {
	c.Connection = o.addr
	o.next.VendorCall(c)
}

// Close closes every open connection.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var first error
	for addr, c := range e.conns {
		if err := c.Close(); err != nil && first == nil {
			first = fmt.Errorf("closing %s: %w", addr, err)
		}
		delete(e.conns, addr)
	}
	return first
}
