package email

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
)

func TestHeaderFolding(t *testing.T) {
	long := strings.Repeat("word ", 40) + "end"
	tests := []struct{ name, value string }{
		{"Subject", "short"},
		{"Subject", long},
		{"Subject", strings.Repeat("x", 120)}, // one word longer than a line stays whole
		{"To", strings.TrimSuffix(strings.Repeat(`"A Very Long Display Name" <someone@example.com>, `, 4), ", ")},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		header(&b, tt.name, tt.value)
		out := b.String()
		if !strings.HasSuffix(out, "\r\n") {
			t.Errorf("%q does not end with CRLF", out)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
		for i, l := range lines {
			words := l
			if i == 0 {
				words = strings.TrimPrefix(l, tt.name+":")
			}
			if len(l) > maxLine && strings.Contains(strings.TrimSpace(words), " ") {
				t.Errorf("line %d of %s is %d long and could be folded: %q", i, tt.name, len(l), l)
			}
			if i > 0 && !strings.HasPrefix(l, " ") {
				t.Errorf("continuation line %q does not start with a space", l)
			}
		}
		// Unfolding (removing CRLF) gives the value back.
		if got := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n", ""); got != tt.name+": "+tt.value {
			t.Errorf("unfolded %q, want %q", got, tt.name+": "+tt.value)
		}
	}
}

func TestMessageBytes(t *testing.T) {
	m := outgoing{
		from:    &mail.Address{Name: "Shop", Address: "shop@example.com"},
		to:      []*mail.Address{{Address: "ann@example.com"}},
		subject: "Hi",
		text:    "a line that is long " + strings.Repeat("long ", 30) + "\nsecond = line\n",
		html:    "<p>--=_tote_ is safe</p>",
		date:    fixedTime,
		digest:  keyDigest("k"),
	}
	raw, err := m.bytes()
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > maxLine || strings.Contains(l, "\n") {
			t.Errorf("line %d is %d long or has a bare LF: %q", i, len(l), l)
		}
	}
	// The same write renders the same bytes: a retry is the same message.
	again, err := m.bytes()
	if err != nil || !bytes.Equal(raw, again) {
		t.Errorf("rendering twice differs")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := msg.Header.Get("Content-Type"), `multipart/alternative; boundary="=_tote_`+m.digest+`"`; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	if got := msg.Header.Get("Message-Id"); got != "<"+keyDigest("k")+"@tote>" {
		t.Errorf("Message-ID = %q", got)
	}
}
