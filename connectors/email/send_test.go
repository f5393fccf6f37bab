package email

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/email/emailtest"
	"github.com/zclconf/go-cty/cty"
)

func TestSendPlain(t *testing.T) {
	srv := newCapture(t, emailtest.Options{})
	conn := openConn(t, newTestConnector(), config(t, srv.SMTPAddr(), nil))

	out, err := send(t, conn, sendArgs(nil))
	if err != nil {
		t.Fatal(err)
	}
	wantID := "<" + keyDigest("k:hold:100") + "@tote>"
	wantOut := cty.ObjectVal(map[string]cty.Value{
		"message_id": cty.StringVal(wantID),
		"to":         cty.StringVal("ann@example.com"),
		"subject":    cty.StringVal("Your order #100 is on hold"),
	})
	if !out.RawEquals(wantOut) {
		t.Errorf("output = %#v, want %#v", out, wantOut)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("captured %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != "shop@example.com" || !cmp.Equal(m.To, []string{"ann@example.com"}) {
		t.Errorf("envelope = %s -> %v", m.From, m.To)
	}
	if m.Subject != "Your order #100 is on hold" || m.MessageID != wantID || m.HTML != "" {
		t.Errorf("subject %q, message id %q, html %q", m.Subject, m.MessageID, m.HTML)
	}
	if want := "Hello Ann,\nwe expect to ship order 100 on 3 July.\n"; m.Text != want {
		t.Errorf("text = %q, want %q", m.Text, want)
	}
	for name, want := range map[string]string{
		"From":           `"Shop" <shop@example.com>`,
		"To":             "<ann@example.com>",
		"Date":           "Mon, 01 Jul 2024 12:00:00 +0000",
		"Content-Type":   "text/plain; charset=utf-8",
		"Mime-Version":   "1.0",
		"Auto-Submitted": "auto-generated",
	} {
		if got := m.Headers[name]; len(got) != 1 || got[0] != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	if _, ok := m.Headers["Cc"]; ok {
		t.Errorf("a Cc header without cc: %q", m.Headers["Cc"])
	}
}

func TestSendHTMLWithCopies(t *testing.T) {
	srv := newCapture(t, emailtest.Options{})
	conn := openConn(t, newTestConnector(), config(t, srv.SMTPAddr(), nil))
	args := sendArgs(map[string]cty.Value{
		"to":       cty.StringVal("Ann Example <ann@example.com>, bob@example.com"),
		"cc":       cty.StringVal("audit@example.com"),
		"reply_to": cty.StringVal("Support <help@example.com>"),
		"text":     cty.StringVal("Refund for {{.item}}: {{money .amount}} USD"),
		"html":     cty.StringVal("<p>Refund for {{.item}}: <b>{{money .amount}}</b> USD</p>"),
		"data": cty.ObjectVal(map[string]cty.Value{
			"order_id": cty.NumberIntVal(7), "item": cty.StringVal("Mugs & <Cups>"), "amount": cty.StringVal("12.5000"),
		}),
	})
	if _, err := send(t, conn, args); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("captured %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if want := []string{"ann@example.com", "bob@example.com", "audit@example.com"}; !cmp.Equal(m.To, want) {
		t.Errorf("envelope recipients = %v, want %v", m.To, want)
	}
	if m.Text != "Refund for Mugs & <Cups>: 12.50 USD" {
		t.Errorf("text = %q", m.Text)
	}
	if m.HTML != "<p>Refund for Mugs &amp; &lt;Cups&gt;: <b>12.50</b> USD</p>" {
		t.Errorf("html = %q", m.HTML)
	}
	if ct := m.Headers["Content-Type"][0]; !strings.HasPrefix(ct, "multipart/alternative;") {
		t.Errorf("Content-Type = %q", ct)
	}
	for name, want := range map[string]string{
		"To":       `"Ann Example" <ann@example.com>, <bob@example.com>`,
		"Cc":       "<audit@example.com>",
		"Reply-To": `"Support" <help@example.com>`,
	} {
		if got := m.Headers[name]; len(got) != 1 || got[0] != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
}

func TestSendUTF8Subject(t *testing.T) {
	srv := newCapture(t, emailtest.Options{})
	conn := openConn(t, newTestConnector(), config(t, srv.SMTPAddr(), nil))
	subject := "Ihre Bestellung #{{.order_id}} ist unterwegs – vielen Dank für Ihren Einkauf, Grüße aus Köln"
	if _, err := send(t, conn, sendArgs(map[string]cty.Value{"subject": cty.StringVal(subject)})); err != nil {
		t.Fatal(err)
	}
	m := srv.Messages()[0]
	if want := strings.ReplaceAll(subject, "{{.order_id}}", "100"); m.Subject != want {
		t.Errorf("subject = %q, want %q", m.Subject, want)
	}
	raw := m.Headers["Subject"][0]
	if !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Errorf("raw Subject %q is not RFC 2047 encoded", raw)
	}
}

// TestSendRetryIsRecognisable: two attempts at one write carry the same
// Message-ID.
func TestSendRetryIsRecognisable(t *testing.T) {
	srv := newCapture(t, emailtest.Options{})
	conn := openConn(t, newTestConnector(), config(t, srv.SMTPAddr(), nil))
	args := sendArgs(nil)
	for range 2 {
		if _, err := conn.ApplyWrite(t.Context(), connectors.WriteRequest{Action: "send", Args: args, Key: "same"}); err != nil {
			t.Fatal(err)
		}
	}
	other, err := conn.ApplyWrite(t.Context(), connectors.WriteRequest{Action: "send", Args: args, Key: "other"})
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if msgs[0].MessageID != msgs[1].MessageID || msgs[2].MessageID == msgs[0].MessageID {
		t.Errorf("message ids %q, %q, %q: want the first two equal and the third different", msgs[0].MessageID, msgs[1].MessageID, msgs[2].MessageID)
	}
	if other.GetAttr("message_id").AsString() != msgs[2].MessageID {
		t.Errorf("output message_id %q, sent %q", other.GetAttr("message_id").AsString(), msgs[2].MessageID)
	}
}

func TestSendConcurrently(t *testing.T) {
	srv := newCapture(t, emailtest.Options{})
	conn := openConn(t, newTestConnector(), config(t, srv.SMTPAddr(), nil))
	const n = 12
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = send(t, conn, sendArgs(map[string]cty.Value{
				"key": cty.StringVal(fmt.Sprint("k", i)),
				"to":  cty.StringVal(fmt.Sprintf("c%d@example.com", i)),
			}))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("send %d: %v", i, err)
		}
	}
	if got := len(srv.Messages()); got != n {
		t.Errorf("captured %d messages, want %d", got, n)
	}
}
