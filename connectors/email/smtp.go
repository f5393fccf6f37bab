package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/toteworks/tote/connectors"
)

// Retries inside one ApplyWrite, for failures that certainly left the
// message undelivered. The engine retries further with its own backoff.
const (
	maxAttempts = 3
	backoffBase = 500 * time.Millisecond
)

// submit hands msg to the server for rcpts. A 4xx reply or a failed
// connection before the message was handed over is retried a few times with
// backoff and jitter; a connection lost after the final dot is not, since
// the server may have taken the message. 5xx replies and configuration
// problems are permanent.
func (c *conn) submit(ctx context.Context, rcpts []string, msg []byte) error {
	for attempt := 1; ; attempt++ {
		handedOver, err := c.submitOnce(ctx, rcpts, msg)
		if err == nil {
			return nil
		}
		err = classify(ctx, err)
		if connectors.IsPermanent(err) || handedOver || attempt == maxAttempts || ctx.Err() != nil {
			if !handedOver {
				// Refused, or cut off before the final dot: the server
				// discards a message it did not receive whole.
				err = connectors.NotApplied(err)
			}
			return err
		}
		d := backoffBase << (attempt - 1)
		d += rand.N(d / 2)
		c.log.Debug("email: retrying", "attempt", attempt, "wait", d, "error", err)
		if c.wait(ctx, d) != nil {
			return err
		}
	}
}

// submitOnce runs one SMTP session. handedOver reports a failure after the
// whole message was sent, where the server may or may not have kept it.
func (c *conn) submitOnce(ctx context.Context, rcpts []string, msg []byte) (handedOver bool, err error) {
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return false, fmt.Errorf("email: waiting for a free SMTP session: %w", ctx.Err())
	}
	defer func() { <-c.slots }()
	client, done, err := c.open(ctx)
	if err != nil {
		return false, err
	}
	defer done()
	if err := c.authenticate(client); err != nil {
		return false, err
	}
	opts := &smtp.MailOptions{Size: int64(len(msg))}
	if !ascii(c.s.from.Address) || !ascii(strings.Join(rcpts, "")) {
		opts.UTF8 = true
	}
	if err := client.Mail(c.s.from.Address, opts); err != nil {
		return false, fmt.Errorf("email: MAIL FROM: %w", err)
	}
	for _, r := range rcpts {
		if err := client.Rcpt(r, nil); err != nil {
			return false, fmt.Errorf("email: RCPT TO <%s>: %w", r, err)
		}
	}
	w, err := client.Data()
	if err != nil {
		return false, fmt.Errorf("email: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return false, fmt.Errorf("email: sending the message: %w", err)
	}
	if _, err := w.CloseWithResponse(); err != nil {
		// A reply refusing the message means it was not kept; a lost
		// connection leaves it unknown.
		var refused *smtp.SMTPError
		return !errors.As(err, &refused), fmt.Errorf("email: sending the message: %w", err)
	}
	client.Quit() // the message is accepted; a failed QUIT changes nothing
	return false, nil
}

// open starts a session with TLS as configured. In opportunistic mode it
// asks the server first and starts over with STARTTLS when it is offered.
func (c *conn) open(ctx context.Context) (*smtp.Client, func(), error) {
	switch c.s.starttls {
	case tlsNone:
		return c.session(ctx, false)
	case tlsRequired:
		return c.session(ctx, true)
	}
	client, done, err := c.session(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	if ok, _ := client.Extension("STARTTLS"); !ok {
		return client, done, nil
	}
	client.Quit()
	done()
	return c.session(ctx, true)
}

// session dials the server, greets it and starts TLS when asked. done ends
// the session.
func (c *conn) session(ctx context.Context, starttls bool) (client *smtp.Client, done func(), err error) {
	dialer := net.Dialer{Timeout: c.s.timeout}
	raw, err := dialer.DialContext(ctx, "tcp", c.s.addr)
	if err != nil {
		return nil, nil, fmt.Errorf("email: connecting to %s: %w", c.s.addr, err)
	}
	nc := boundedConn{Conn: raw, limit: c.s.timeout}
	// The client sets its own deadlines; closing the socket is how a
	// cancelled context interrupts a command.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	if starttls {
		client, err = smtp.NewClientStartTLS(nc, c.tls)
		if err != nil {
			stop()
			raw.Close()
			return nil, nil, fmt.Errorf("email: STARTTLS with %s: %w", c.s.addr, err)
		}
	} else {
		client = smtp.NewClient(nc)
	}
	done = func() {
		stop()
		client.Close()
	}
	if err := client.Hello("localhost"); err != nil {
		done()
		return nil, nil, fmt.Errorf("email: greeting %s: %w", c.s.addr, err)
	}
	return client, done, nil
}

// authenticate logs in when a username is configured.
func (c *conn) authenticate(client *smtp.Client) error {
	if c.s.username == "" {
		return nil
	}
	if _, encrypted := client.TLSConnectionState(); !encrypted && c.s.starttls == tlsOpportunistic && !loopback(c.s.host) {
		return connectors.Permanent(fmt.Errorf(`email: %s offers no STARTTLS; the password is not sent unencrypted (starttls = "none" allows it)`, c.s.addr))
	}
	mech := c.s.auth
	if mech == "" {
		switch {
		case client.SupportsAuth(sasl.Plain):
			mech = "plain"
		case client.SupportsAuth(sasl.Login):
			mech = "login"
		default:
			return connectors.Permanent(fmt.Errorf("email: %s offers neither AUTH PLAIN nor AUTH LOGIN", c.s.addr))
		}
	}
	a := sasl.NewPlainClient("", c.s.username, c.s.password)
	if mech == "login" {
		a = sasl.NewLoginClient(c.s.username, c.s.password)
	}
	if err := client.Auth(a); err != nil {
		return fmt.Errorf("email: AUTH %s: %w", strings.ToUpper(mech), err)
	}
	return nil
}

// classify marks err permanent unless retrying may help: 4xx replies and
// network failures may pass; 5xx replies and anything else (no STARTTLS
// offered, a certificate that does not verify) will not.
func classify(ctx context.Context, err error) error {
	var reply *smtp.SMTPError
	var netErr net.Error
	var protoErr textproto.ProtocolError
	switch {
	case errors.As(err, &reply):
		if reply.Code >= 500 {
			return connectors.Permanent(err)
		}
		return err
	case ctx.Err() != nil:
		return fmt.Errorf("%w (%w)", err, ctx.Err())
	case errors.As(err, &netErr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &protoErr):
		return err
	}
	return connectors.Permanent(err)
}

// boundedConn caps every deadline the SMTP client sets (it defaults to
// minutes per command) at the configured timeout.
type boundedConn struct {
	net.Conn
	limit time.Duration
}

func (b boundedConn) SetDeadline(t time.Time) error {
	if limit := time.Now().Add(b.limit); t.IsZero() || t.After(limit) {
		t = limit
	}
	return b.Conn.SetDeadline(t)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
