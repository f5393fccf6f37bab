package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// outgoing is one message to submit.
type outgoing struct {
	from       *mail.Address
	to, cc     []*mail.Address
	replyTo    []*mail.Address
	subject    string
	text, html string
	date       time.Time
	// digest derives from the write's key; the Message-ID and the
	// multipart boundary are made from it.
	digest string
}

// keyDigest is the digest of a write's key that names its message.
func keyDigest(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// messageID is the same for every attempt at one write, so a receiving
// system (or a person) can tell a resend from a new message.
func (m outgoing) messageID() string { return "<" + m.digest + "@tote>" }

// recipients is the SMTP envelope: every To and Cc address.
func (m outgoing) recipients() []string {
	var rcpts []string
	for _, a := range append(append([]*mail.Address(nil), m.to...), m.cc...) {
		rcpts = append(rcpts, a.Address)
	}
	return rcpts
}

// bytes renders the message (RFC 5322 with MIME): quoted-printable UTF-8
// bodies, multipart/alternative when there is an HTML body, CRLF line ends.
func (m outgoing) bytes() ([]byte, error) {
	var b bytes.Buffer
	header(&b, "From", m.from.String())
	header(&b, "To", addresses(m.to))
	if len(m.cc) > 0 {
		header(&b, "Cc", addresses(m.cc))
	}
	if len(m.replyTo) > 0 {
		header(&b, "Reply-To", addresses(m.replyTo))
	}
	header(&b, "Subject", mime.QEncoding.Encode("utf-8", m.subject))
	header(&b, "Date", m.date.Format(time.RFC1123Z))
	header(&b, "Message-ID", m.messageID())
	// Asks auto-responders (out-of-office and the like) not to answer.
	header(&b, "Auto-Submitted", "auto-generated")
	header(&b, "MIME-Version", "1.0")
	if m.html == "" {
		header(&b, "Content-Type", "text/plain; charset=utf-8")
		header(&b, "Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	// "=_" cannot occur in quoted-printable text, so the boundary never
	// collides with a body; deriving it from the key keeps retries identical.
	boundary := "=_tote_" + m.digest
	header(&b, "Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": boundary}))
	b.WriteString("\r\n")
	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary(boundary); err != nil {
		return nil, fmt.Errorf("email: boundary: %w", err)
	}
	for _, part := range []struct{ typ, body string }{{"text/plain", m.text}, {"text/html", m.html}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("email: %s part: %w", part.typ, err)
		}
		if err := writeQP(w, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("email: closing the multipart body: %w", err)
	}
	return b.Bytes(), nil
}

func writeQP(w interface{ Write([]byte) (int, error) }, body string) error {
	qp := quotedprintable.NewWriter(w) // converts line ends to CRLF
	if _, err := qp.Write([]byte(body)); err != nil {
		return fmt.Errorf("email: encoding the body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("email: encoding the body: %w", err)
	}
	return nil
}

func addresses(list []*mail.Address) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// maxLine is the line length RFC 5322 asks header lines to keep within.
const maxLine = 78

// header writes one header field, folded at spaces so lines stay under
// maxLine where the value allows (encoded words are at most 75 characters
// and separated by spaces).
func header(b *bytes.Buffer, name, value string) {
	line, hasWord := name+":", false
	for _, word := range strings.Split(value, " ") {
		if len(line)+1+len(word) > maxLine && hasWord {
			b.WriteString(line)
			b.WriteString("\r\n")
			line, hasWord = "", false
		}
		line += " " + word
		hasWord = hasWord || word != ""
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}
