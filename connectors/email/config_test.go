package email

import (
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

func TestOpenDefaults(t *testing.T) {
	cfg := config(t, "127.0.0.1:25", map[string]cty.Value{
		"port": cty.NullVal(cty.Number), "starttls": cty.NullVal(cty.String), "timeout": cty.NullVal(cty.String),
	})
	s, err := parseSettings(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.addr != "127.0.0.1:587" || s.starttls != tlsRequired || s.timeout != 30*time.Second || s.from.Address != "shop@example.com" {
		t.Errorf("settings = %+v", s)
	}
}

func TestOpenRejectsBadSettings(t *testing.T) {
	tests := []struct {
		extra map[string]cty.Value
		want  string
	}{
		{map[string]cty.Value{"host": cty.StringVal("")}, "host is empty"},
		{map[string]cty.Value{"port": cty.NumberIntVal(70000)}, "port 70000"},
		{map[string]cty.Value{"port": cty.MustParseNumberVal("25.5")}, "port 25.5"},
		{map[string]cty.Value{"from": cty.StringVal("not an address")}, "from"},
		{map[string]cty.Value{"starttls": cty.StringVal("yes")}, `starttls must be`},
		{map[string]cty.Value{"auth": cty.StringVal("cram-md5")}, `auth must be`},
		{map[string]cty.Value{"timeout": cty.StringVal("soon")}, `timeout "soon"`},
		{map[string]cty.Value{"password": cty.StringVal(password)}, "no username"},
	}
	for _, tt := range tests {
		_, err := New().Open(t.Context(), connectors.Config{Name: "t", Values: config(t, "127.0.0.1:25", tt.extra)})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one containing %q", tt.extra, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), password) {
			t.Errorf("error %q contains the password", err)
		}
	}
}

func TestNoReads(t *testing.T) {
	conn := openConn(t, New(), config(t, "127.0.0.1:25", nil))
	if _, err := conn.Read(t.Context(), "send", cty.EmptyObjectVal); err == nil || !connectors.IsPermanent(err) {
		t.Errorf("Read: %v, want a permanent error", err)
	}
	if _, err := conn.PlanWrite(t.Context(), "receive", sendArgs(nil)); err == nil {
		t.Error("PlanWrite of an unknown action succeeded")
	}
}
