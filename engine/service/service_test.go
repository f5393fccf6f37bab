package service_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
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
	"github.com/toteworks/tote/engine/worker"
)

const secretToken = "tok-Secret-123456"

const pipelines = `
connection "http" "in" {}
connection "memory" "m" {
  token = secret("TOKEN")
}
pipeline "p" {
  trigger "http_webhook" "hook" {
    connection = connection.http.in
    key        = "id"
  }
  step "w" {
    action = memory.put
    key    = trigger.body.id == "leak" ? "rec/${secret("TOKEN")}" : "rec/${trigger.key}"
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

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newHarness(t *testing.T) *harness {
	h := &harness{mem: conntest.NewStore(), logs: &syncBuffer{}}
	reg := connectors.MustRegistry(httpconn.New, h.mem.Connector())
	cfg, diags := config.Parse(map[string][]byte{"main.hcl": []byte(pipelines)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	prog, diags := compile.Compile(cfg, compile.Options{Registry: reg, Getenv: func(k string) (string, bool) {
		return secretToken, k == "TOKEN"
	}})
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

type running struct {
	addr    string
	settled chan worker.Outcome
	done    chan error
	cancel  context.CancelFunc
}

func (h *harness) start(t *testing.T) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{settled: make(chan worker.Outcome, 16), done: make(chan error, 1), cancel: cancel}
	ready := make(chan string, 1)
	eng := run.New(h.prog, h.store, run.Options{})
	go func() {
		defer eng.Close()
		r.done <- service.Run(ctx, eng, service.Options{
			Listen: "127.0.0.1:0", Grace: 10 * time.Second, Concurrency: 1, MaxAttempts: 2,
			Backoff: time.Millisecond, MaxBackoff: time.Millisecond,
			Logger: slog.New(slog.NewTextHandler(h.logs, nil)),
			Ready:  func(addr string) { ready <- addr },
			OnSettled: func(_ state.Item, _ *run.Result, o worker.Outcome) {
				r.settled <- o
			},
		})
	}()
	select {
	case r.addr = <-ready:
	case err := <-r.done:
		t.Fatalf("service stopped before serving: %v", err)
	}
	t.Cleanup(cancel)
	return r
}

func post(t *testing.T, addr, body string) int {
	resp, err := http.Post("http://"+addr+"/hooks/p/hook", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// SIGTERM stops intake, lets the run in flight finish, and exits cleanly;
// what was still queued runs on the next start.
func TestGracefulStopAndQueuedRunsOnNextStart(t *testing.T) {
	h := newHarness(t)
	h.mem.Hold = make(chan string)
	h.mem.Release = make(chan struct{})
	r := h.start(t)

	if code := post(t, r.addr, `{"id": "1"}`); code != http.StatusAccepted {
		t.Fatalf("first delivery: %d", code)
	}
	if got := <-h.mem.Hold; got != "put" {
		t.Fatalf("held %q", got)
	}
	if code := post(t, r.addr, `{"id": "2"}`); code != http.StatusAccepted {
		t.Fatalf("second delivery: %d", code)
	}

	r.cancel() // what SIGTERM does
	h.mem.Release <- struct{}{}
	if o := <-r.settled; o != worker.Finished {
		t.Fatalf("the run in flight settled as %s", o)
	}
	if err := <-r.done; err != nil {
		t.Fatalf("service: %v", err)
	}
	counts, _ := h.store.InboxCounts(context.Background())
	if counts[state.ItemDone] != 1 || counts[state.ItemPending] != 1 {
		t.Fatalf("inbox after stop = %v, want 1 done and 1 pending", counts)
	}
	if _, ok := h.mem.Get("rec/2"); ok {
		t.Fatal("the queued event ran after intake stopped")
	}

	h.mem.Hold = nil
	r2 := h.start(t)
	if o := <-r2.settled; o != worker.Finished {
		t.Fatalf("the queued run settled as %s", o)
	}
	if _, ok := h.mem.Get("rec/2"); !ok {
		t.Fatal("the queued event did not run on the next start")
	}
	r2.cancel()
	<-r2.done
}

// A failure whose message would carry a secret is logged and stored
// redacted.
func TestLogsAndStateNeverHoldSecrets(t *testing.T) {
	h := newHarness(t)
	h.mem.SetFaults(conntest.Faults{PermanentWrites: true})
	r := h.start(t)
	if code := post(t, r.addr, `{"id": "leak"}`); code != http.StatusAccepted {
		t.Fatalf("delivery: %d", code)
	}
	if o := <-r.settled; o != worker.Buried {
		t.Fatalf("a permanent failure settled as %s, want dead", o)
	}
	r.cancel()
	<-r.done
	logs := h.logs.String()
	if !strings.Contains(logs, "rejected") {
		t.Fatalf("the failure was not logged:\n%s", logs)
	}
	if strings.Contains(logs, secretToken) {
		t.Fatalf("the logs hold the secret:\n%s", logs)
	}
	items, _ := h.store.Items(context.Background(), state.ItemFilter{Status: state.ItemDead})
	if len(items) != 1 || strings.Contains(items[0].LastError, secretToken) || !strings.Contains(items[0].LastError, "(sensitive value)") {
		t.Fatalf("dead item = %+v", items)
	}
}

// A second tote run on the same state file is refused while the first holds
// the lease.
func TestOneRunPerStateFile(t *testing.T) {
	h := newHarness(t)
	r := h.start(t)
	eng := run.New(h.prog, h.store, run.Options{})
	defer eng.Close()
	err := service.Run(context.Background(), eng, service.Options{Listen: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "the state file is in use by tote run (pid") {
		t.Fatalf("second run: %v", err)
	}
	r.cancel()
	<-r.done
}

// A lease left by a tote run that is gone (killed) is taken over at once
// when that is provable: it held the state file's flock, which is free now.
// A holder whose liveness cannot be proven (same hostname and pid, but no
// flock: another container) keeps the lease until it expires, and the
// refusal names it.
func TestALeaseLeftByAProcessThatIsGoneIsTakenOver(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	host, _ := os.Hostname()
	dead := fmt.Sprintf("run:%s:%d:1:locked", host, os.Getpid())
	if ok, err := h.store.AcquireLease(ctx, service.LeaseName, dead, time.Hour); err != nil || !ok {
		t.Fatalf("seeding the lease: %v %v", ok, err)
	}
	r := h.start(t) // fails the test if it cannot start
	r.cancel()
	<-r.done

	unproven := fmt.Sprintf("run:%s:%d:1", host, os.Getpid())
	if ok, err := h.store.AcquireLease(ctx, service.LeaseName, unproven, time.Hour); err != nil || !ok {
		t.Fatalf("seeding the lease: %v %v", ok, err)
	}
	eng := run.New(h.prog, h.store, run.Options{})
	defer eng.Close()
	err := service.Run(ctx, eng, service.Options{Listen: "127.0.0.1:0"})
	if want := fmt.Sprintf("in use by tote run (pid %d on host %s)", os.Getpid(), host); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("a lease held by a process not proven gone: %v, want %q", err, want)
	}
}
