// Package email is tote's SMTP connector ("email"): one write action,
// email.send, that renders a message from Go templates and submits it to
// the configured mail server. Mail cannot be read back, so the engine's
// ledger is what keeps one key from being sent twice; each message carries
// a Message-ID derived from that key so a resend is recognisable.
package email

import (
	"context"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

// New returns the email connector.
func New() connectors.Connector {
	return connector{now: time.Now, wait: sleep}
}

// connector carries the clock and the retry pause so tests can fix both.
type connector struct {
	now  func() time.Time
	wait func(ctx context.Context, d time.Duration) error
}

// sendOutput is the output type of email.send.
var sendOutput = cty.Object(map[string]cty.Type{
	"message_id": cty.String,
	"to":         cty.String,
	"subject":    cty.String,
})

func (connector) Spec() connectors.Spec {
	return connectors.Spec{
		Type: "email",
		Doc:  "Customer notifications over SMTP.",
		Config: schema.Object{Attrs: []schema.Attr{
			{Name: "host", Type: cty.String, Required: true, Doc: "The SMTP submission server."},
			{Name: "port", Type: cty.Number, Doc: "The server's port.", Default: "587"},
			{Name: "username", Type: cty.String, Doc: "Authenticate as this user (AUTH PLAIN or LOGIN). Without it tote does not authenticate."},
			{Name: "password", Type: cty.String, Sensitive: true, Doc: "The user's password."},
			{Name: "auth", Type: cty.String, Doc: "How to authenticate; by default PLAIN when the server offers it, else LOGIN.",
				Enum: []string{"plain", "login"}},
			{Name: "from", Type: cty.String, Required: true, Doc: `The sender, e.g. "Shop <shop@example.com>"; also the envelope sender.`},
			{Name: "starttls", Type: cty.String, Doc: `Whether to use TLS: "opportunistic" uses it when offered (credentials are then only sent in clear to a loopback server).`,
				Enum: []string{"required", "opportunistic", "none"}, Default: `"required"`},
			{Name: "timeout", Type: cty.String, Doc: `Timeout for connecting and for each SMTP command, e.g. "30s" (default).`},
		}},
		Actions: []connectors.ActionSpec{{
			Name: "send", Kind: connectors.Write, Guarantee: connectors.AtMostOnce, Output: sendOutput, Identity: []string{"key"},
			Doc: "Send one message. subject and text (and html) are Go templates over data; a template error fails the step " +
				"with the template's line. Mail cannot be read back, so the plan always shows the rendered message as a create; " +
				"the ledger sends each key at most once: a message whose outcome is unknown (the connection lost after the final dot) " +
				"is parked for tote retry, never sent again on its own.",
			Args: schema.Object{Attrs: []schema.Attr{
				{Name: "key", Type: cty.String, Required: true, Doc: `Identifies the message, e.g. "return:<order id>": one key is sent at most once.`},
				{Name: "to", Type: cty.String, Required: true, Doc: "Recipients: one address or a comma-separated list."},
				{Name: "cc", Type: cty.String, Doc: "Copy recipients: one address or a comma-separated list."},
				{Name: "reply_to", Type: cty.String, Doc: "Where replies go, if not to from."},
				{Name: "subject", Type: cty.String, Required: true, Doc: "Subject (text/template over data)."},
				{Name: "text", Type: cty.String, Required: true, Doc: "Plain-text body (text/template over data)."},
				{Name: "html", Type: cty.String, Doc: "HTML body (html/template over data); sent with text as multipart/alternative."},
				{Name: "data", Type: cty.DynamicPseudoType, Doc: "The templates' input, usually an object: {{.order_id}}."},
			}},
		}},
	}
}

func (c connector) Open(_ context.Context, cfg connectors.Config) (connectors.Conn, error) {
	s, err := parseSettings(cfg.Values)
	if err != nil {
		return nil, err
	}
	return newConn(s, c, cfg), nil
}

// sleep pauses for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
