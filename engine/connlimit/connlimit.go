// Package connlimit caps the connections a listener holds open at once: a
// server behind it stops accepting (new clients wait in the kernel's
// backlog) instead of running out of file descriptors when many clients
// connect and stay.
package connlimit

import (
	"net"
	"sync"
)

// Listener is a net.Listener that holds at most its limit of accepted
// connections open at once.
type Listener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// Listen wraps l so that at most n accepted connections are open at once;
// n <= 0 means no limit, and l is returned as it is.
func Listen(l net.Listener, n int) net.Listener {
	if n <= 0 {
		return l
	}
	return &Listener{Listener: l, slots: make(chan struct{}, n), done: make(chan struct{})}
}

// Accept waits for a free slot, then for a connection.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &conn{Conn: c, release: func() { <-l.slots }}, nil
}

// Close closes the listener and wakes an Accept waiting for a slot.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// Open returns how many accepted connections are open.
func (l *Listener) Open() int { return len(l.slots) }

type conn struct {
	net.Conn
	once    sync.Once
	release func()
}

// Close closes the connection and frees its slot, once.
func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
