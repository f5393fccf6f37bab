package connlimit_test

import (
	"net"
	"sync"
	"testing"

	"github.com/toteworks/tote/engine/connlimit"
)

// fakeListener hands out the connections pushed to it and logs when
// Accept is called and when connections close.
type fakeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	mu     sync.Mutex
	log    []string
}

func (f *fakeListener) Accept() (net.Conn, error) {
	f.note("accept")
	select {
	case c := <-f.conns:
		return c, nil
	case <-f.closed:
		return nil, net.ErrClosed
	}
}
func (f *fakeListener) Close() error   { close(f.closed); return nil }
func (f *fakeListener) Addr() net.Addr { return &net.TCPAddr{} }
func (f *fakeListener) note(s string) {
	f.mu.Lock()
	f.log = append(f.log, s)
	f.mu.Unlock()
}

type noteConn struct {
	net.Conn
	f *fakeListener
}

func (c noteConn) Close() error { c.f.note("close"); return nil }

func TestAtMostNOpen(t *testing.T) {
	f := &fakeListener{conns: make(chan net.Conn, 3), closed: make(chan struct{})}
	l := connlimit.Listen(f, 2).(*connlimit.Listener)
	for range 3 {
		f.conns <- noteConn{f: f}
	}
	a, _ := l.Accept()
	if _, err := l.Accept(); err != nil {
		t.Fatal(err)
	}
	if l.Open() != 2 {
		t.Fatalf("open = %d", l.Open())
	}
	third := make(chan net.Conn)
	go func() {
		c, _ := l.Accept()
		third <- c
	}()
	a.Close()
	a.Close() // a second close frees nothing more
	if c := <-third; c == nil {
		t.Fatal("no third connection")
	}
	f.mu.Lock()
	log := append([]string(nil), f.log...)
	f.mu.Unlock()
	// The third Accept reached the listener only after a slot was freed.
	want := []string{"accept", "accept", "close", "close", "accept"}
	if len(log) != len(want) {
		t.Fatalf("log = %v, want %v", log, want)
	}
	for i := range want {
		if log[i] != want[i] {
			t.Fatalf("log = %v, want %v", log, want)
		}
	}
	if l.Open() != 2 {
		t.Fatalf("open = %d after a double close", l.Open())
	}

	// Closing the listener wakes an Accept that waits for a slot.
	errc := make(chan error)
	go func() {
		_, err := l.Accept()
		errc <- err
	}()
	l.Close()
	if err := <-errc; err == nil {
		t.Fatal("Accept after Close succeeded")
	}
}
