package connectors_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/toteworks/tote/connectors"
)

type vendorError struct{ status int }

func (e *vendorError) Error() string   { return fmt.Sprintf("vendor: %d", e.status) }
func (e *vendorError) HTTPStatus() int { return e.status }

// A failed check names the settings to change from the status the vendor
// answered, wherever the vendor's error is wrapped; without one, the URL.
func TestCheckFailedNamesTheSettings(t *testing.T) {
	creds := []string{"api_key", "api_secret"}
	for _, tc := range []struct {
		err      error
		status   int
		settings []string
	}{
		{fmt.Errorf("listing: %w", &vendorError{http.StatusUnauthorized}), 401, creds},
		{&vendorError{http.StatusForbidden}, 403, creds},
		{fmt.Errorf("a: %w", fmt.Errorf("b: %w", &vendorError{http.StatusNotFound})), 404, []string{"api_url"}},
		{errors.New("dial tcp: connection refused"), 0, []string{"api_url"}},
	} {
		ce := connectors.CheckFailed(tc.err, "GET /orders", creds, "api_url")
		if ce.Status != tc.status || !slices.Equal(ce.Settings, tc.settings) || !errors.Is(ce, tc.err) {
			t.Errorf("%v: status %d, settings %v, want %d and %v, wrapping the error", tc.err, ce.Status, ce.Settings, tc.status, tc.settings)
		}
	}
}

func TestEndsInVersion(t *testing.T) {
	for path, want := range map[string]bool{
		"": false, "/": false, "/v2": true, "/V3/": true, "/api/v1": true, "/v2/orders": false, "/vendor": false, "/v": false,
	} {
		if got := connectors.EndsInVersion(path); got != want {
			t.Errorf("EndsInVersion(%q) = %v, want %v", path, got, want)
		}
	}
}
