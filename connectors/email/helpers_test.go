package email

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/email/emailtest"
	"github.com/zclconf/go-cty/cty"
)

var fixedTime = time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC)

// testConnector is the connector with a fixed clock and retry pauses that
// return at once and are recorded.
type testConnector struct {
	connector
	mu    sync.Mutex
	waits []time.Duration
	// onWait, when set, runs at each pause (e.g. to heal a server).
	onWait func()
}

func newTestConnector() *testConnector {
	tc := &testConnector{}
	tc.connector = connector{
		now: func() time.Time { return fixedTime },
		wait: func(ctx context.Context, d time.Duration) error {
			tc.mu.Lock()
			tc.waits = append(tc.waits, d)
			hook := tc.onWait
			tc.mu.Unlock()
			if hook != nil {
				hook()
			}
			return ctx.Err()
		},
	}
	return tc
}

func (tc *testConnector) pauses() []time.Duration {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return append([]time.Duration(nil), tc.waits...)
}

func newCapture(t *testing.T, opts emailtest.Options) *emailtest.Server {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return fixedTime }
	}
	s := emailtest.NewServer(opts)
	t.Cleanup(func() { s.Close() })
	return s
}

// config is a connection block for a server at addr, without TLS.
func config(t *testing.T, addr string, extra map[string]cty.Value) cty.Value {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]cty.Value{}
	for _, a := range New().Spec().Config.Attrs {
		attrs[a.Name] = cty.NullVal(a.Type)
	}
	attrs["host"] = cty.StringVal(host)
	attrs["port"] = cty.NumberIntVal(int64(n))
	attrs["from"] = cty.StringVal("Shop <shop@example.com>")
	attrs["starttls"] = cty.StringVal("none")
	attrs["timeout"] = cty.StringVal("5s")
	for k, v := range extra {
		attrs[k] = v
	}
	return cty.ObjectVal(attrs)
}

func openConn(t *testing.T, c connectors.Connector, cfg cty.Value) connectors.Conn {
	t.Helper()
	conn, err := c.Open(t.Context(), connectors.Config{Name: "test", Values: cfg})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// sendArgs is email.send's arguments: a plain message to ann, with the
// given attributes replaced.
func sendArgs(extra map[string]cty.Value) cty.Value {
	attrs := map[string]cty.Value{}
	for _, a := range New().Spec().Actions[0].Args.Attrs {
		attrs[a.Name] = cty.NullVal(a.Type)
	}
	attrs["key"] = cty.StringVal("hold:100")
	attrs["to"] = cty.StringVal("ann@example.com")
	attrs["subject"] = cty.StringVal("Your order #{{.order_id}} is on hold")
	attrs["text"] = cty.StringVal("Hello {{.name}},\nwe expect to ship order {{.order_id}} on {{.date}}.\n")
	attrs["data"] = cty.ObjectVal(map[string]cty.Value{
		"order_id": cty.NumberIntVal(100),
		"name":     cty.StringVal("Ann"),
		"date":     cty.StringVal("3 July"),
	})
	for k, v := range extra {
		attrs[k] = v
	}
	return cty.ObjectVal(attrs)
}

// send plans and applies one email.send.
func send(t *testing.T, conn connectors.Conn, args cty.Value) (cty.Value, error) {
	t.Helper()
	ch, err := conn.PlanWrite(t.Context(), "send", args)
	if err != nil {
		return cty.NilVal, err
	}
	return conn.ApplyWrite(t.Context(), connectors.WriteRequest{Action: "send", Args: args, Change: ch, Key: "k:" + args.GetAttr("key").AsString()})
}

// stub is a scriptable SMTP server for what the capture server does not
// do: refusing recipients, AUTH LOGIN, STARTTLS, hanging.
type stub struct {
	srv  *smtp.Server
	addr string

	mu   sync.Mutex
	msgs []stubMessage
}

type stubMessage struct {
	raw []byte
	tls bool
}

type stubOptions struct {
	rcptErr    error
	login      [2]string // username and password for AUTH LOGIN, when set
	tlsConfig  *tls.Config
	requireTLS bool
}

func newStub(t *testing.T, opts stubOptions) *stub {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &stub{addr: ln.Addr().String()}
	s.srv = smtp.NewServer(stubBackend{s: s, opts: opts})
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = !opts.requireTLS
	s.srv.TLSConfig = opts.tlsConfig
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		s.srv.Close()
		<-done
	})
	return s
}

func (s *stub) messages() []stubMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]stubMessage(nil), s.msgs...)
}

type stubBackend struct {
	s    *stub
	opts stubOptions
}

func (b stubBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &stubSession{b: b, conn: c}, nil
}

type stubSession struct {
	b      stubBackend
	conn   *smtp.Conn
	authed bool
}

func (ss *stubSession) AuthMechanisms() []string {
	if ss.b.opts.login[0] == "" {
		return nil
	}
	return []string{sasl.Login}
}

func (ss *stubSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Login || ss.b.opts.login[0] == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return &loginServer{want: ss.b.opts.login, ok: func() { ss.authed = true }}, nil
}

func (ss *stubSession) Mail(string, *smtp.MailOptions) error {
	if ss.b.opts.login[0] != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (ss *stubSession) Rcpt(string, *smtp.RcptOptions) error { return ss.b.opts.rcptErr }

func (ss *stubSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	ss.b.s.mu.Lock()
	ss.b.s.msgs = append(ss.b.s.msgs, stubMessage{raw: raw, tls: isTLS})
	ss.b.s.mu.Unlock()
	return nil
}

func (ss *stubSession) Reset()        {}
func (ss *stubSession) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN: the username arrives as
// the initial response, then the password answers "Password:".
type loginServer struct {
	want     [2]string
	username string
	step     int
	ok       func()
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		l.username = string(response)
		return []byte("Password:"), false, nil
	default:
		if l.username != l.want[0] || string(response) != l.want[1] {
			return nil, true, smtp.ErrAuthFailed
		}
		l.ok()
		return nil, true, nil
	}
}
