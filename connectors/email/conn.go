package email

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// maxSessions caps the SMTP connections one connection block opens at
// once: submission servers limit concurrent sessions per account.
const maxSessions = 4

// conn is an open email connection. It holds no SMTP session between
// sends (each send dials), so it is safe for concurrent use.
type conn struct {
	s     settings
	tls   *tls.Config
	now   func() time.Time
	wait  func(ctx context.Context, d time.Duration) error
	log   *slog.Logger
	slots chan struct{}
}

func newConn(s settings, c connector, cfg connectors.Config) *conn {
	log := cfg.Logger // names the connection already
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &conn{
		s:     s,
		tls:   &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12},
		now:   c.now,
		wait:  c.wait,
		log:   log,
		slots: make(chan struct{}, maxSessions),
	}
}

// Close has nothing to release: sessions last one send.
func (c *conn) Close() error { return nil }

func (c *conn) Read(context.Context, string, cty.Value) (cty.Value, error) {
	return cty.NilVal, connectors.Permanent(fmt.Errorf("email: mail cannot be read; the connector has no read actions"))
}

// PlanWrite renders the message without sending it. Sent mail cannot be
// read back, so the plan is always a create; the engine's ledger is what
// keeps a key from being sent twice.
func (c *conn) PlanWrite(_ context.Context, action string, args cty.Value) (connectors.Change, error) {
	if action != "send" {
		return connectors.Change{}, fmt.Errorf("email: no write action %q", action)
	}
	after, err := render(args)
	if err != nil {
		return connectors.Change{}, err
	}
	return connectors.Change{Op: connectors.OpCreate, Before: cty.NullVal(cty.DynamicPseudoType), After: after}, nil
}

// ApplyWrite renders and submits the message.
func (c *conn) ApplyWrite(ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
	if w.Action != "send" {
		return cty.NilVal, fmt.Errorf("email: no write action %q", w.Action)
	}
	r, err := render(w.Args)
	if err != nil {
		return cty.NilVal, err
	}
	if !r.IsWhollyKnown() {
		return cty.NilVal, connectors.Permanent(fmt.Errorf("email: the message's arguments are not all known"))
	}
	m := outgoing{
		from:    c.s.from,
		subject: r.GetAttr("subject").AsString(),
		text:    r.GetAttr("text").AsString(),
		html:    str(r, "html"),
		date:    c.now(),
		digest:  keyDigest(w.Key),
	}
	// render validated the addresses already.
	m.to, _ = addressList("to", str(r, "to"))
	if cc := str(r, "cc"); cc != "" {
		m.cc, _ = addressList("cc", cc)
	}
	if rt := str(r, "reply_to"); rt != "" {
		m.replyTo, _ = addressList("reply_to", rt)
	}
	msg, err := m.bytes()
	if err != nil {
		return cty.NilVal, connectors.Permanent(err)
	}
	if err := c.submit(ctx, m.recipients(), msg); err != nil {
		return cty.NilVal, err
	}
	c.log.Debug("email sent", "message_id", m.messageID())
	return cty.ObjectVal(map[string]cty.Value{
		"message_id": cty.StringVal(m.messageID()),
		"to":         r.GetAttr("to"),
		"subject":    cty.StringVal(m.subject),
	}), nil
}
