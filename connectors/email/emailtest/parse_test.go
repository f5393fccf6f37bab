package emailtest

import (
	"strings"
	"testing"
)

// crlf turns a readable message into the CRLF form SMTP carries.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func TestParseMessage(t *testing.T) {
	for _, c := range []struct {
		name                         string
		raw                          string
		subject, text, html, message string
	}{
		{
			name: "plain text without content type",
			raw: crlf(`From: shop@example.com
To: ann@example.com
Subject: Your order has shipped
Message-ID: <1@tote>

Tracking: 1Z999
Thanks!
`),
			subject: "Your order has shipped", text: "Tracking: 1Z999\nThanks!\n", message: "<1@tote>",
		},
		{
			name: "encoded subjects",
			raw: crlf(`Subject: =?UTF-8?B?Q29tbWFuZGUgZXhww6lkacOpZQ==?= =?ISO-8859-1?Q?_caf=E9?=
Content-Type: text/plain; charset=utf-8

x`),
			subject: "Commande expédiée café", text: "x",
		},
		{
			name: "quoted-printable latin-1 text",
			raw: crlf(`Subject: t
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Caf=E9 cr=E8me, a long line that was soft=
 wrapped.`),
			subject: "t", text: "Café crème, a long line that was soft wrapped.",
		},
		{
			name: "multipart alternative",
			raw: crlf(`Subject: Return received
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Refund: =E2=82=AC12.50
--b1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PHA+UmVmdW5kOiDigqwxMi41MDwvcD4=
--b1--
`),
			subject: "Return received", text: "Refund: €12.50", html: "<p>Refund: €12.50</p>",
		},
		{
			name: "alternative nested in mixed, attachment skipped",
			raw: crlf(`Subject: Invoice
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: text/plain
Content-Disposition: attachment; filename="notes.txt"

not the body
--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain

plain body
--inner
Content-Type: text/html

<b>html body</b>
--inner--
--outer--
`),
			subject: "Invoice", text: "plain body", html: "<b>html body</b>",
		},
		{
			name: "html only",
			raw: crlf(`Subject: h
Content-Type: text/html; charset=utf-8

<p>hi</p>`),
			subject: "h", html: "<p>hi</p>",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := parseMessage(strings.NewReader(c.raw))
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != c.subject || m.Text != c.text || m.HTML != c.html || m.MessageID != c.message {
				t.Fatalf("got subject %q text %q html %q id %q\nwant subject %q text %q html %q id %q",
					m.Subject, m.Text, m.HTML, m.MessageID, c.subject, c.text, c.html, c.message)
			}
		})
	}
}

func TestParseMessageErrors(t *testing.T) {
	for _, c := range []struct{ name, raw, want string }{
		{"no header end", "not a header line", "read message"},
		{"bad content type", crlf("Content-Type: text/\n\nx"), "content type"},
		{"multipart without boundary", crlf("Content-Type: multipart/alternative\n\nx"), "without a boundary"},
		{"multipart cut short", crlf("Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nx"), "unexpected EOF"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseMessage(strings.NewReader(c.raw))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
