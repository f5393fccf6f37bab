// Package emailtest is an SMTP server that captures mail instead of
// delivering it, for tests, `tote sandbox` and `tote fakes`.
//
// It listens on two loopback ports: SMTP, where tote's email connector sends,
// and HTTP, where captured mail is listed as JSON (see Handler). It can
// require AUTH PLAIN, and it can refuse a share of messages with a transient
// 451 to exercise retries. STARTTLS is not offered: the server is for
// loopback use only.
package emailtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Options configure a Server. The zero value accepts all mail without AUTH.
type Options struct {
	// Username and Password, when Username is set, make the server offer
	// AUTH PLAIN and refuse mail from clients that have not authenticated.
	Username, Password string
	// RejectRate is the share of messages, in [0,1], answered with a
	// transient 451 after DATA and not stored.
	RejectRate float64
	// Seed makes the reject decisions reproducible for a given message order.
	Seed uint64
	// Clock stamps ReceivedAt; nil means time.Now.
	Clock func() time.Time
}

// Message is one captured message. From and To are the SMTP envelope (MAIL
// FROM and every RCPT TO, so Bcc recipients appear); the rest comes from the
// message itself. Text and HTML are decoded bodies with LF line endings.
type Message struct {
	From       string              `json:"from"`
	To         []string            `json:"to"`
	Subject    string              `json:"subject"`
	Text       string              `json:"text"`
	HTML       string              `json:"html"`
	MessageID  string              `json:"message_id"`
	Headers    map[string][]string `json:"headers"`
	ReceivedAt time.Time           `json:"received_at"`
}

// Server is a running capture server.
type Server struct {
	opts     Options
	smtp     *smtp.Server
	smtpLn   net.Listener
	http     *http.Server
	httpLn   net.Listener
	served   sync.WaitGroup
	closeErr error
	close    sync.Once

	mu          sync.Mutex
	msgs        []Message
	changed     chan struct{} // closed and replaced whenever msgs changes
	rejectRate  float64
	dropAnswers int
	rng         *rand.Rand
}

// NewServer starts a Server on two free loopback ports. It panics if it
// cannot listen, like httptest.NewServer. Close it when done.
func NewServer(opts Options) *Server {
	s, err := Start("127.0.0.1:0", "127.0.0.1:0", opts)
	if err != nil {
		panic(fmt.Sprintf("emailtest: %v", err))
	}
	return s
}

// Start starts a Server with SMTP on smtpAddr and the HTTP listing on
// httpAddr (host:port; port 0 picks a free one).
func Start(smtpAddr, httpAddr string, opts Options) (*Server, error) {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	smtpLn, err := net.Listen("tcp", smtpAddr)
	if err != nil {
		return nil, fmt.Errorf("listen for smtp: %w", err)
	}
	httpLn, err := net.Listen("tcp", httpAddr)
	if err != nil {
		smtpLn.Close()
		return nil, fmt.Errorf("listen for http: %w", err)
	}
	s := &Server{
		opts:       opts,
		smtpLn:     smtpLn,
		httpLn:     httpLn,
		changed:    make(chan struct{}),
		rejectRate: opts.RejectRate,
		rng:        rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x6a09e667f3bcc909)),
	}
	s.smtp = smtp.NewServer(backend{s})
	s.smtp.Domain = "localhost"
	s.smtp.AllowInsecureAuth = true // loopback only, and tote's client may not use TLS
	s.smtp.MaxMessageBytes = 10 << 20
	s.smtp.MaxRecipients = 100
	s.smtp.ErrorLog = log.New(io.Discard, "", 0)
	s.http = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}

	s.served.Add(2)
	go func() {
		defer s.served.Done()
		s.smtp.Serve(smtpLn) // returns once Close is called
	}()
	go func() {
		defer s.served.Done()
		s.http.Serve(httpLn) // returns http.ErrServerClosed once Close is called
	}()
	return s, nil
}

// Close stops both listeners and drops open connections.
func (s *Server) Close() error {
	s.close.Do(func() {
		err := s.smtp.Close()
		// Close the listener too: Close may run before Serve has registered it.
		if lerr := s.smtpLn.Close(); !errors.Is(lerr, net.ErrClosed) {
			err = errors.Join(err, lerr)
		}
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		s.closeErr = errors.Join(err, s.http.Close())
		s.served.Wait()
	})
	return s.closeErr
}

// SMTPAddr is the host:port of the SMTP listener.
func (s *Server) SMTPAddr() string { return s.smtpLn.Addr().String() }

// URL is the base URL of the HTTP listing, without a trailing slash.
func (s *Server) URL() string { return "http://" + s.httpLn.Addr().String() }

// SetRejectRate changes the share of messages answered with a 451.
func (s *Server) SetRejectRate(r float64) {
	s.mu.Lock()
	s.rejectRate = r
	s.mu.Unlock()
}

// DropAnswers makes the next n messages be kept and their connection then
// closed before the reply to the final dot: the client cannot know whether
// they were sent (a connection lost after the final dot).
func (s *Server) DropAnswers(n int) {
	s.mu.Lock()
	s.dropAnswers = n
	s.mu.Unlock()
}

// dropAnswer decides whether the message just kept loses its answer.
func (s *Server) dropAnswer() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropAnswers > 0 {
		s.dropAnswers--
		return true
	}
	return false
}

// Messages returns a copy of the captured messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneMessages(s.msgs)
}

// Wait blocks until at least n messages are held (counting from the last
// Clear), then returns them all. It returns ctx's error if ctx ends first.
func (s *Server) Wait(ctx context.Context, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			msgs := cloneMessages(s.msgs)
			s.mu.Unlock()
			return msgs, nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %d messages: %w", n, ctx.Err())
		}
	}
}

// Clear forgets every captured message.
func (s *Server) Clear() {
	s.mu.Lock()
	s.msgs = nil
	s.notifyLocked()
	s.mu.Unlock()
}

// reject decides whether the next message gets a 451.
func (s *Server) reject() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejectRate > 0 && s.rng.Float64() < s.rejectRate
}

func (s *Server) store(m Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.notifyLocked()
	s.mu.Unlock()
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// cloneMessages copies msgs deeply, so callers may change what they get.
func cloneMessages(msgs []Message) []Message {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		m.To = slices.Clone(m.To)
		m.Headers = maps.Clone(m.Headers)
		for k, v := range m.Headers {
			m.Headers[k] = slices.Clone(v)
		}
		out[i] = m
	}
	return out
}
