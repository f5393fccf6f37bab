package email

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-smtp"
	"github.com/toteworks/tote/connectors"
)

// Check opens an SMTP session as a send would (connect, EHLO, STARTTLS as
// configured, AUTH when a username is set) and quits without sending.
func (c *conn) Check(ctx context.Context) error {
	client, done, err := c.open(ctx)
	if err != nil {
		return &connectors.CheckError{Settings: []string{"host", "port", "starttls"}, Err: err,
			Problem: fmt.Sprintf("no SMTP session with %s: %v", c.s.addr, err),
			Fix:     "check host and port, and starttls for what the server offers"}
	}
	defer done()
	if err := c.authenticate(client); err != nil {
		ce := &connectors.CheckError{Settings: []string{"username", "password"}, Err: err,
			Problem: fmt.Sprintf("%s refused the login: %v", c.s.addr, err), Fix: "check username and password"}
		var se *smtp.SMTPError
		if errors.As(err, &se) && se.Code == 535 {
			ce.Status = 401 // credentials refused, as an HTTP vendor's 401
		}
		return ce
	}
	client.Quit()
	return nil
}
