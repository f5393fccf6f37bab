package email

import (
	"testing"

	"github.com/toteworks/tote/connectors/conformance"
	"github.com/toteworks/tote/connectors/email/emailtest"
	"github.com/zclconf/go-cty/cty"
)

func TestConformance(t *testing.T) {
	srv := newCapture(t, emailtest.Options{Username: "shop", Password: password})
	working := config(t, srv.SMTPAddr(), map[string]cty.Value{"username": cty.StringVal("shop"), "password": cty.StringVal(password)})
	// The same password against a server that expects another one.
	other := newCapture(t, emailtest.Options{Username: "shop", Password: "another-password"})
	failing := config(t, other.SMTPAddr(), map[string]cty.Value{"username": cty.StringVal("shop"), "password": cty.StringVal(password)})
	conformance.Run(t, New(), conformance.Harness{
		Config:     working,
		Failing:    failing,
		Writes:     []conformance.Sample{{Action: "send", Args: sendArgs(nil)}},
		Unreadable: []string{"send"},
	})
	if got := len(srv.Messages()); got != 1 {
		t.Errorf("captured %d messages, want 1", got)
	}
}
