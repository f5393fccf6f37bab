package emailtest

import (
	"bytes"
	"io"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// errRejected is the transient refusal RejectRate injects.
var errRejected = &smtp.SMTPError{
	Code:         451,
	EnhancedCode: smtp.EnhancedCode{4, 3, 0},
	Message:      "Temporary failure, try again later",
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

// session is one SMTP connection. It implements smtp.AuthSession; with no
// Username configured it offers no mechanism, so AUTH is not advertised.
type session struct {
	s      *Server
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

func (ss *session) authRequired() bool { return ss.s.opts.Username != "" && !ss.authed }

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if ss.s.opts.Username == "" || mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != ss.s.opts.Username || password != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.authRequired() {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.authRequired() {
		return smtp.ErrAuthRequired
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.s.reject() {
		return errRejected
	}
	m, err := parseMessage(bytes.NewReader(raw))
	if err != nil {
		return &smtp.SMTPError{
			Code:         554,
			EnhancedCode: smtp.EnhancedCode{5, 6, 0},
			Message:      "Malformed message: " + err.Error(),
		}
	}
	m.From = ss.from
	m.To = append([]string(nil), ss.to...)
	m.ReceivedAt = ss.s.opts.Clock()
	ss.s.store(m)
	if ss.s.dropAnswer() {
		// The message is kept, but the client never hears so.
		ss.conn.Conn().Close()
	}
	return nil
}

// Reset is called after each message and on RSET.
func (ss *session) Reset() {
	ss.from = ""
	ss.to = nil
}

func (ss *session) Logout() error { return nil }
