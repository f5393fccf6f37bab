package emailtest

import (
	"context"
	"errors"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var fixedTime = time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC)

func newTestServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return fixedTime }
	}
	s := NewServer(opts)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

const plainMail = "From: Shop <shop@example.com>\r\n" +
	"To: ann@example.com\r\n" +
	"Subject: =?UTF-8?Q?Your_order_#100_is_on_hold?=\r\n" +
	"Message-ID: <hold-100@tote>\r\n" +
	"\r\n" +
	"We expect to ship it on 3 July.\r\n"

const multipartMail = "From: shop@example.com\r\n" +
	"To: bob@example.com\r\n" +
	"Subject: Refund issued\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=XYZ\r\n" +
	"\r\n" +
	"--XYZ\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"Refund: 12.50 USD\r\n" +
	"--XYZ\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"<p class=3D\"r\">Refund: 12.50 USD</p>\r\n" +
	"--XYZ--\r\n"

func send(s *Server, auth smtp.Auth, to []string, msg string) error {
	return smtp.SendMail(s.SMTPAddr(), auth, "shop@example.com", to, []byte(msg))
}

// smtpCode is the reply code of a failed SendMail, or 0.
func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

func TestCapturePlainAndMultipart(t *testing.T) {
	s := newTestServer(t, Options{})
	if err := send(s, nil, []string{"ann@example.com", "audit@example.com"}, plainMail); err != nil {
		t.Fatal(err)
	}
	if err := send(s, nil, []string{"bob@example.com"}, multipartMail); err != nil {
		t.Fatal(err)
	}
	got := s.Messages()
	want := []Message{
		{
			From: "shop@example.com", To: []string{"ann@example.com", "audit@example.com"},
			Subject: "Your order #100 is on hold", Text: "We expect to ship it on 3 July.\n",
			MessageID: "<hold-100@tote>", ReceivedAt: fixedTime,
		},
		{
			From: "shop@example.com", To: []string{"bob@example.com"},
			Subject: "Refund issued", Text: "Refund: 12.50 USD", HTML: `<p class="r">Refund: 12.50 USD</p>`,
			ReceivedAt: fixedTime,
		},
	}
	if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Headers" }, cmp.Ignore())); diff != "" {
		t.Fatalf("messages (-want +got):\n%s", diff)
	}
	if h := got[0].Headers["From"]; len(h) != 1 || h[0] != "Shop <shop@example.com>" {
		t.Errorf("From header = %q", h)
	}
	// Messages returns copies.
	got[0].To[0] = "changed"
	if s.Messages()[0].To[0] != "ann@example.com" {
		t.Error("changing the result of Messages changed the stored message")
	}
}

func TestAuth(t *testing.T) {
	s := newTestServer(t, Options{Username: "tote", Password: "mail-pass"})
	host := "127.0.0.1"

	c, err := smtp.Dial(s.SMTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	ok, params := c.Extension("AUTH")
	c.Close()
	if !ok || params != "PLAIN" {
		t.Fatalf("AUTH advertised = %v %q, want PLAIN", ok, params)
	}

	if err := send(s, nil, []string{"ann@example.com"}, plainMail); err == nil {
		t.Fatal("mail without AUTH was accepted")
	}
	err = send(s, smtp.PlainAuth("", "tote", "wrong", host), []string{"ann@example.com"}, plainMail)
	if smtpCode(err) != 535 {
		t.Fatalf("wrong password: %v, want a 535", err)
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("%d messages stored from unauthenticated clients", n)
	}
	if err := send(s, smtp.PlainAuth("", "tote", "mail-pass", host), []string{"ann@example.com"}, plainMail); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Messages()); n != 1 {
		t.Fatalf("%d messages stored, want 1", n)
	}
}

func TestNoAuthAdvertisedWithoutUsername(t *testing.T) {
	s := newTestServer(t, Options{})
	c, err := smtp.Dial(s.SMTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("AUTH"); ok {
		t.Fatal("AUTH advertised with no username configured")
	}
}

func TestRejectRate(t *testing.T) {
	s := newTestServer(t, Options{RejectRate: 1})
	err := send(s, nil, []string{"ann@example.com"}, plainMail)
	if smtpCode(err) != 451 {
		t.Fatalf("send: %v, want a 451", err)
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("%d rejected messages stored", n)
	}
	s.SetRejectRate(0)
	if err := send(s, nil, []string{"ann@example.com"}, plainMail); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Messages()); n != 1 {
		t.Fatalf("%d messages stored, want 1", n)
	}
}

// A partial rate rejects some messages, stores exactly the others, and
// decides the same way for the same seed.
func TestRejectRateIsSeeded(t *testing.T) {
	outcome := func() (pattern string, stored int) {
		s := newTestServer(t, Options{RejectRate: 0.5, Seed: 42})
		var b strings.Builder
		for range 40 {
			switch err := send(s, nil, []string{"ann@example.com"}, plainMail); smtpCode(err) {
			case 0:
				if err != nil {
					t.Fatal(err)
				}
				b.WriteByte('.')
			case 451:
				b.WriteByte('x')
			default:
				t.Fatalf("send: %v", err)
			}
		}
		return b.String(), len(s.Messages())
	}
	first, stored := outcome()
	if accepted := strings.Count(first, "."); accepted != stored || accepted == 0 || accepted == 40 {
		t.Fatalf("pattern %s: %d accepted, %d stored", first, accepted, stored)
	}
	if again, _ := outcome(); again != first {
		t.Fatalf("same seed, different decisions:\n%s\n%s", first, again)
	}
}

func TestMalformedMessageRefused(t *testing.T) {
	s := newTestServer(t, Options{})
	err := send(s, nil, []string{"ann@example.com"}, "Content-Type: multipart/mixed\r\n\r\nno boundary\r\n")
	if smtpCode(err) != 554 {
		t.Fatalf("send: %v, want a 554", err)
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("%d messages stored", n)
	}
}

func TestWait(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	type result struct {
		msgs []Message
		err  error
	}
	done := make(chan result, 1)
	go func() {
		msgs, err := s.Wait(ctx, 2)
		done <- result{msgs, err}
	}()
	for _, to := range []string{"a@example.com", "b@example.com"} {
		if err := send(s, nil, []string{to}, plainMail); err != nil {
			t.Fatal(err)
		}
	}
	r := <-done
	if r.err != nil || len(r.msgs) != 2 || r.msgs[1].To[0] != "b@example.com" {
		t.Fatalf("Wait = %d messages, %v", len(r.msgs), r.err)
	}

	if msgs, err := s.Wait(ctx, 0); err != nil || len(msgs) != 2 {
		t.Fatalf("Wait(0) = %d messages, %v", len(msgs), err)
	}

	cancelled, stop := context.WithCancel(context.Background())
	stop()
	if _, err := s.Wait(cancelled, 3); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on a cancelled context: %v", err)
	}
}

func TestStart(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	if _, err := Start(busy.Addr().String(), "127.0.0.1:0", Options{}); err == nil || !strings.Contains(err.Error(), "listen for smtp") {
		t.Fatalf("Start on a busy smtp port: %v", err)
	}
	if _, err := Start("127.0.0.1:0", busy.Addr().String(), Options{}); err == nil || !strings.Contains(err.Error(), "listen for http") {
		t.Fatalf("Start on a busy http port: %v", err)
	}

	s, err := Start("127.0.0.1:0", "127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := send(s, nil, []string{"ann@example.com"}, plainMail); err != nil {
		t.Fatal(err)
	}
	if !s.Messages()[0].ReceivedAt.After(fixedTime) {
		t.Error("without a Clock, ReceivedAt is not the current time")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := send(s, nil, []string{"ann@example.com"}, plainMail); err == nil {
		t.Fatal("send after Close succeeded")
	}
}
