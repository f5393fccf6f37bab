package email

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/email/emailtest"
	"github.com/zclconf/go-cty/cty"
)

const password = "s3cret-smtp-password"

func TestAuthPlain(t *testing.T) {
	srv := newCapture(t, emailtest.Options{Username: "shop", Password: password})
	conn := openConn(t, newTestConnector(), config(t, srv.SMTPAddr(), map[string]cty.Value{
		"username": cty.StringVal("shop"), "password": cty.StringVal(password),
	}))
	if _, err := send(t, conn, sendArgs(nil)); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Messages()); got != 1 {
		t.Errorf("captured %d messages, want 1", got)
	}
}

func TestAuthLogin(t *testing.T) {
	for _, mech := range []cty.Value{cty.NullVal(cty.String), cty.StringVal("login")} {
		srv := newStub(t, stubOptions{login: [2]string{"shop", password}})
		conn := openConn(t, newTestConnector(), config(t, srv.addr, map[string]cty.Value{
			"username": cty.StringVal("shop"), "password": cty.StringVal(password), "auth": mech,
		}))
		if _, err := send(t, conn, sendArgs(nil)); err != nil {
			t.Fatalf("auth %#v: %v", mech, err)
		}
		if got := len(srv.messages()); got != 1 {
			t.Errorf("auth %#v: %d messages, want 1", mech, got)
		}
	}
}

// TestPermanentReplies: 5xx answers fail for good, with the server's text
// and never the password, after one attempt.
func TestPermanentReplies(t *testing.T) {
	auth := newCapture(t, emailtest.Options{Username: "shop", Password: password})
	refusing := newStub(t, stubOptions{rcptErr: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}})
	tests := []struct {
		name, addr string
		extra      map[string]cty.Value
		want       string
	}{
		{"wrong password", auth.SMTPAddr(), map[string]cty.Value{
			"username": cty.StringVal("shop"), "password": cty.StringVal(password + "-old"),
		}, "535"},
		{"no credentials", auth.SMTPAddr(), nil, "MAIL FROM"},
		{"mechanism not offered", auth.SMTPAddr(), map[string]cty.Value{
			"username": cty.StringVal("shop"), "password": cty.StringVal(password), "auth": cty.StringVal("login"),
		}, "AUTH LOGIN"},
		{"recipient refused", refusing.addr, nil, "RCPT TO <ann@example.com>: SMTP error 550: No such user here"},
		{"STARTTLS required but not offered", auth.SMTPAddr(), map[string]cty.Value{
			"starttls": cty.StringVal("required"),
		}, "STARTTLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newTestConnector()
			conn := openConn(t, tc, config(t, tt.addr, tt.extra))
			_, err := send(t, conn, sendArgs(nil))
			if err == nil {
				t.Fatal("sent")
			}
			if !connectors.IsPermanent(err) {
				t.Errorf("error %q is not permanent", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error %q contains the password", err)
			}
			if p := tc.pauses(); len(p) > 0 {
				t.Errorf("retried a permanent failure: %v", p)
			}
		})
	}
	if n := len(auth.Messages()) + len(refusing.messages()); n != 0 {
		t.Errorf("%d messages got through", n)
	}
}

// TestTransientRefusalRetried: a 451 after DATA is retried with growing
// pauses, and reported as retryable when it persists.
func TestTransientRefusalRetried(t *testing.T) {
	srv := newCapture(t, emailtest.Options{RejectRate: 1})
	tc := newTestConnector()
	conn := openConn(t, tc, config(t, srv.SMTPAddr(), nil))
	_, err := send(t, conn, sendArgs(nil))
	if err == nil {
		t.Fatal("sent despite a 451")
	}
	if connectors.IsPermanent(err) || !strings.Contains(err.Error(), "451") {
		t.Errorf("error %q: want a retryable 451", err)
	}
	p := tc.pauses()
	if len(p) != maxAttempts-1 {
		t.Fatalf("pauses %v: want %d", p, maxAttempts-1)
	}
	for i, d := range p {
		base := backoffBase << i
		if d < base || d >= base+base/2 {
			t.Errorf("pause %d = %s, want [%s, %s)", i, d, base, base+base/2)
		}
	}
	if got := len(srv.Messages()); got != 0 {
		t.Errorf("captured %d messages", got)
	}

	// A refusal that clears up before the next attempt costs one pause.
	tc = newTestConnector()
	tc.onWait = func() { srv.SetRejectRate(0) }
	conn = openConn(t, tc, config(t, srv.SMTPAddr(), nil))
	if _, err := send(t, conn, sendArgs(nil)); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Messages()); got != 1 || len(tc.pauses()) != 1 {
		t.Errorf("captured %d messages after %d pauses, want 1 after 1", got, len(tc.pauses()))
	}
}

func TestConnectionRefusedRetryable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	tc := newTestConnector()
	conn := openConn(t, tc, config(t, addr, map[string]cty.Value{
		"username": cty.StringVal("shop"), "password": cty.StringVal(password),
	}))
	_, err = send(t, conn, sendArgs(nil))
	if err == nil || connectors.IsPermanent(err) {
		t.Fatalf("error %v: want a retryable error", err)
	}
	if !strings.Contains(err.Error(), "connecting to "+addr) || strings.Contains(err.Error(), password) {
		t.Errorf("error %q", err)
	}
	if got := len(tc.pauses()); got != maxAttempts-1 {
		t.Errorf("%d pauses, want %d", got, maxAttempts-1)
	}
}

// TestCancelInterruptsHungServer: a server that accepts and never greets
// holds the send only until the context ends.
func TestCancelInterruptsHungServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	tc := newTestConnector()
	conn := openConn(t, tc, config(t, ln.Addr().String(), map[string]cty.Value{"timeout": cty.StringVal("1h")}))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := conn.ApplyWrite(ctx, connectors.WriteRequest{Action: "send", Args: sendArgs(nil), Key: "k"})
		done <- err
	}()
	c := <-accepted
	defer c.Close()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v: want it to wrap context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ApplyWrite did not return after cancel")
	}
}

func TestOpportunisticWithoutTLS(t *testing.T) {
	srv := newCapture(t, emailtest.Options{Username: "shop", Password: password})
	conn := openConn(t, newTestConnector(), config(t, srv.SMTPAddr(), map[string]cty.Value{
		"starttls": cty.StringVal("opportunistic"),
		"username": cty.StringVal("shop"), "password": cty.StringVal(password),
	}))
	// The capture server offers no STARTTLS; it is on loopback, so the
	// password may go in clear.
	if _, err := send(t, conn, sendArgs(nil)); err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, "smtp.example.com": false, "10.0.0.1": false} {
		if loopback(host) != want {
			t.Errorf("loopback(%q) = %v", host, !want)
		}
	}
}
