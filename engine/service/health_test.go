package service

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/ingress"
)

// checkedConn is a connection whose check answers what the test says.
type checkedConn struct {
	connectors.Conn
	err error
}

func (c *checkedConn) Check(context.Context) error { return c.err }

func TestHealthMakesReadyzRefuseWhileCredentialsAreRefused(t *testing.T) {
	conn := &checkedConn{}
	var openErr error
	h := &Health{logger: slog.New(slog.DiscardHandler), problems: map[string]string{}, targets: []healthTarget{
		{addr: "connection.vendor.main", open: func(context.Context) (connectors.Conn, error) { return conn, nil }},
		{addr: "connection.other.main", open: func(context.Context) (connectors.Conn, error) { return &checkedConn{}, openErr }},
	}}
	srv := httptest.NewServer(&ingress.Handler{Ready: func() bool { return true }, NotReady: h.NotReady})
	defer srv.Close()
	readyz := func() (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Reason string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Reason
	}

	h.CheckOnce(context.Background())
	if code, _ := readyz(); code != http.StatusOK {
		t.Fatalf("readyz %d with working connections", code)
	}

	conn.err = &connectors.CheckError{Settings: []string{"access_token"}, Status: http.StatusUnauthorized, Problem: "GET /v2/store answered 401 Unauthorized"}
	h.CheckOnce(context.Background())
	code, reason := readyz()
	if code != http.StatusServiceUnavailable || !strings.Contains(reason, "connection.vendor.main") || !strings.Contains(reason, "401") {
		t.Errorf("after a 401: readyz %d, reason %q", code, reason)
	}

	// A vendor outage says nothing about the settings: readiness stays as it was.
	conn.err = &connectors.CheckError{Status: http.StatusServiceUnavailable, Problem: "GET /v2/store failed", Err: errors.New("503")}
	h.CheckOnce(context.Background())
	if code, _ := readyz(); code != http.StatusServiceUnavailable {
		t.Errorf("a 503 after a 401 cleared the 401: readyz %d", code)
	}

	conn.err = nil
	h.CheckOnce(context.Background())
	if code, reason := readyz(); code != http.StatusOK {
		t.Errorf("after the credentials work again: readyz %d, %q", code, reason)
	}

	// A connection that cannot even open (a bad base URL) is not ready too.
	openErr = connectors.BadSetting("api_url", "api_url names an API version", "")
	h.CheckOnce(context.Background())
	if code, reason := readyz(); code != http.StatusServiceUnavailable || !strings.Contains(reason, "connection.other.main: api_url") {
		t.Errorf("a connection that does not open: readyz %d, %q", code, reason)
	}
}
