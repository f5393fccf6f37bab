package status_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/connectors/httpconn"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/service"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/status"
	"github.com/toteworks/tote/engine/worker"
)

const pipelines = `
connection "http" "in" {}
connection "memory" "m" {}
pipeline "orders" {
  trigger "http_webhook" "hook" {
    connection = connection.http.in
    key        = "id"
  }
  step "w" {
    action = memory.put
    key    = "bc:store:${trigger.body.order_id}"
    value  = trigger.body
  }
}
pipeline "products" {
  trigger "http_webhook" "hook" {
    connection = connection.http.in
  }
  step "w" {
    action = memory.put
    key    = "product"
    value  = trigger.body
  }
}
`

type harness struct {
	mem   *conntest.Store
	prog  *compile.Program
	store *state.Store
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func newHarness(t *testing.T) *harness {
	h := &harness{mem: conntest.NewStore(), logs: &syncBuffer{}}
	reg := connectors.MustRegistry(httpconn.New, h.mem.Connector())
	cfg, diags := config.Parse(map[string][]byte{"main.hcl": []byte(pipelines)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	prog, diags := compile.Compile(cfg, compile.Options{Registry: reg, Getenv: func(string) (string, bool) { return "", false }})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	h.prog = prog
	st, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.store = st
	return h
}

// writesOf counts the writes of key the memory vendor received.
func (h *harness) writesOf(key string) int {
	n := 0
	for _, w := range h.mem.Writes() {
		if w.Key == key {
			n++
		}
	}
	return n
}

type running struct {
	addr    string
	settled chan worker.Outcome
}

// start runs the service, with its status page, on a loopback port.
func (h *harness) start(t *testing.T) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{settled: make(chan worker.Outcome, 16)}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	eng := run.New(h.prog, h.store, run.Options{})
	page := status.New(status.Options{Store: h.store, Pipelines: []string{"orders", "products"},
		Connections: []string{"connection.memory.m"}})
	go func() {
		defer eng.Close()
		done <- service.Run(ctx, eng, service.Options{
			Listen: "127.0.0.1:0", Grace: 10 * time.Second, Concurrency: 1, MaxAttempts: 2,
			Backoff: time.Millisecond, MaxBackoff: time.Millisecond, SummaryEvery: -1,
			Logger: slog.New(slog.NewTextHandler(h.logs, nil)),
			Ready:  func(addr string) { ready <- addr },
			OnSettled: func(_ state.Item, _ *run.Result, o worker.Outcome) {
				r.settled <- o
			},
			Status: page,
		})
	}()
	select {
	case r.addr = <-ready:
	case err := <-done:
		t.Fatalf("service stopped before serving: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return r
}

func post(t *testing.T, addr, body string) int {
	resp, err := http.Post("http://"+addr+"/hooks/orders/hook", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
