package emailtest

import (
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

var wordDecoder = mime.WordDecoder{}

// parseMessage reads an RFC 5322 message: its headers, its decoded subject,
// and the first text/plain and text/html bodies found in it, however deeply
// nested in multipart parts. Attachments are skipped.
func parseMessage(r io.Reader) (Message, error) {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return Message{}, fmt.Errorf("read message: %w", err)
	}
	m := Message{
		Subject:   decodeHeader(msg.Header.Get("Subject")),
		MessageID: strings.TrimSpace(msg.Header.Get("Message-Id")),
		Headers:   map[string][]string(msg.Header),
	}
	err = readPart(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return m, err
}

// decodeHeader decodes RFC 2047 encoded words, keeping the raw text when a
// charset is unknown.
func decodeHeader(s string) string {
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

func readPart(m *Message, contentType, encoding string, body io.Reader) error {
	mediaType, params := "text/plain", map[string]string{}
	if contentType != "" {
		var err error
		if mediaType, params, err = mime.ParseMediaType(contentType); err != nil {
			return fmt.Errorf("content type %q: %w", contentType, err)
		}
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		return readMultipart(m, params["boundary"], body)
	}
	if mediaType != "text/plain" && mediaType != "text/html" {
		return nil
	}
	b, err := io.ReadAll(decodeTransfer(encoding, body))
	if err != nil {
		return fmt.Errorf("decode %s body: %w", mediaType, err)
	}
	text := strings.ReplaceAll(toUTF8(params["charset"], b), "\r\n", "\n")
	switch {
	case mediaType == "text/plain" && m.Text == "":
		m.Text = text
	case mediaType == "text/html" && m.HTML == "":
		m.HTML = text
	}
	return nil
}

func readMultipart(m *Message, boundary string, body io.Reader) error {
	if boundary == "" {
		return fmt.Errorf("multipart body without a boundary")
	}
	mr := multipart.NewReader(body, boundary)
	for {
		// NextRawPart leaves Content-Transfer-Encoding to decodeTransfer.
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("multipart: %w", err)
		}
		if disp, _, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition")); disp == "attachment" {
			continue
		}
		if err := readPart(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
			return err
		}
	}
}

func decodeTransfer(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r) // skips line breaks
	}
	return r
}

// toUTF8 converts Latin-1 bodies; every other charset is taken as UTF-8,
// which covers what tote sends.
func toUTF8(charset string, b []byte) string {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1":
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	}
	return string(b)
}
