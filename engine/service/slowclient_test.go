package service_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/service"
)

// serve runs the service with the given HTTP limits and grace period.
func (h *harness) serve(t *testing.T, limits service.HTTPLimits, grace time.Duration) (addr string, stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	eng := run.New(h.prog, h.store, run.Options{})
	go func() {
		defer eng.Close()
		done <- service.Run(ctx, eng, service.Options{Listen: "127.0.0.1:0", Grace: grace, Concurrency: 1,
			Backoff: time.Millisecond, MaxBackoff: time.Millisecond, HTTP: limits,
			Ready: func(a string) { ready <- a }})
	}()
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("service stopped before serving: %v", err)
	}
	t.Cleanup(cancel)
	return addr, func() error { cancel(); return <-done }
}

// slowClients opens n connections that send start, then one more byte
// every tick and never finish. Each sends on cut when the server closes it.
func slowClients(t *testing.T, addr string, n int, start string) (cut chan int) {
	cut = make(chan int, n)
	tick := time.NewTicker(20 * time.Millisecond)
	t.Cleanup(tick.Stop)
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := io.WriteString(c, start); err != nil {
			t.Fatal(err)
		}
		go func() {
			io.Copy(io.Discard, c) // returns when the server closes the connection
			cut <- i
		}()
		go func() {
			for range tick.C {
				if _, err := c.Write([]byte("a")); err != nil {
					return
				}
			}
		}()
	}
	return cut
}

// waitCut waits until all n slow clients were cut; the deadline only turns
// a hang into a failure.
func waitCut(t *testing.T, cut chan int, n int, what string) {
	deadline := time.After(30 * time.Second)
	for got := 0; got < n; got++ {
		select {
		case <-cut:
		case <-deadline:
			t.Fatalf("%s: %d of %d slow clients still connected", what, n-got, n)
		}
	}
}

// Clients that trickle their headers or body do not keep a delivery out,
// and are cut after their timeout.
func TestSlowClientsAreCutAndDeliveriesStillAccepted(t *testing.T) {
	h := newHarness(t)
	addr, stop := h.serve(t, service.HTTPLimits{ReadHeaderTimeout: 400 * time.Millisecond, ReadTimeout: 800 * time.Millisecond,
		WriteTimeout: time.Second, IdleTimeout: 400 * time.Millisecond, MaxConns: 64}, 10*time.Second)

	headers := slowClients(t, addr, 30, "POST /hooks/p/hook HTTP/1.1\r\nHost: tote\r\nX-Slow: ")
	bodies := slowClients(t, addr, 20, "POST /hooks/p/hook HTTP/1.1\r\nHost: tote\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"id\": \"")
	if code := post(t, addr, `{"id": "1"}`); code != http.StatusAccepted {
		t.Fatalf("a delivery beside slow clients: %d", code)
	}
	waitCut(t, headers, 30, "trickled headers")
	waitCut(t, bodies, 20, "trickled bodies")
	// An idle kept-alive connection is closed too.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: tote\r\n\r\n")
	if _, err := io.Copy(io.Discard, c); err != nil {
		t.Fatalf("an idle connection: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	counts, _ := h.store.InboxCounts(context.Background())
	if total := counts["pending"] + counts["done"] + counts["running"]; total != 1 {
		t.Fatalf("inbox = %v, want the one delivery", counts)
	}
}

// Clients still sending at SIGTERM do not hold the stop past the grace
// period: they are cut when it ends.
func TestShutdownCutsSlowClientsAtGrace(t *testing.T) {
	h := newHarness(t)
	addr, stop := h.serve(t, service.HTTPLimits{ReadHeaderTimeout: time.Hour, ReadTimeout: time.Hour,
		WriteTimeout: time.Hour, IdleTimeout: time.Hour}, 300*time.Millisecond)
	bodies := slowClients(t, addr, 20, "POST /hooks/p/hook HTTP/1.1\r\nHost: tote\r\nContent-Length: 100000\r\n\r\n{\"id\": \"")
	// Every slow client is being served before the stop.
	if code := post(t, addr, `{"id": "1"}`); code != http.StatusAccepted {
		t.Fatalf("a delivery beside slow clients: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	waitCut(t, bodies, 20, "after the stop")
}
