package shipstation

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/toteworks/tote/connectors"
)

// apiError is a non-2xx answer with ShipStation's own message.
type apiError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("shipstation: %s %s: %d %s: %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), e.Message)
}

// HTTPStatus is the status the vendor answered (connectors.StatusError).
func (e *apiError) HTTPStatus() int { return e.Status }

// classify wraps an answer that will not succeed if retried: 404 is
// ErrNotFound, every other 4xx is permanent with the vendor's message.
func classify(e *apiError) error {
	if e.Status == http.StatusNotFound {
		return connectors.Permanent(fmt.Errorf("%w: %w", e, connectors.ErrNotFound))
	}
	return connectors.Permanent(e)
}

// vendorMessage extracts the message of a v1 (ASP.NET: Message or message,
// ExceptionMessage, ModelState) or v2 (errors[].message) error body.
func vendorMessage(body []byte) string {
	var v struct {
		Message          string              `json:"Message"`
		Lower            string              `json:"message"`
		ExceptionMessage string              `json:"ExceptionMessage"`
		ModelState       map[string][]string `json:"ModelState"`
		Errors           []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		s := strings.TrimSpace(string(body))
		if len(s) > 200 {
			s = s[:200] + "..."
		}
		if s == "" {
			return "(no message)"
		}
		return s
	}
	var parts []string
	for _, m := range []string{v.Message, v.Lower, v.ExceptionMessage} {
		if m != "" {
			parts = append(parts, m)
		}
	}
	fields := make([]string, 0, len(v.ModelState))
	for k := range v.ModelState {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	for _, k := range fields {
		parts = append(parts, k+": "+strings.Join(v.ModelState[k], " "))
	}
	for _, e := range v.Errors {
		parts = append(parts, e.Message)
	}
	if len(parts) == 0 {
		return "(no message)"
	}
	return strings.Join(parts, "; ")
}
