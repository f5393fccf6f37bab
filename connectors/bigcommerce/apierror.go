package bigcommerce

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/toteworks/tote/connectors"
)

// apiError is an answer the API refused, with the vendor's message.
type apiError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("bigcommerce: %s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

// HTTPStatus is the status the vendor answered (connectors.StatusError).
func (e *apiError) HTTPStatus() int { return e.Status }

// Is makes a 404 match connectors.ErrNotFound.
func (e *apiError) Is(target error) bool {
	return target == connectors.ErrNotFound && e.Status == http.StatusNotFound
}

// isNotFound reports whether err is a 404 from the API.
func isNotFound(err error) bool { return errors.Is(err, connectors.ErrNotFound) }

// vendorMessage extracts the message of a v2 error array, a v3 error object,
// a refund {data:[...]} error or a variants batch error. The HTTP status is
// authoritative; an inner status may disagree and is ignored.
func vendorMessage(body []byte) string {
	body = []byte(strings.TrimSpace(string(body)))
	if len(body) == 0 {
		return "(empty body)"
	}
	type item struct {
		Message string         `json:"message"`
		Title   string         `json:"title"`
		Error   string         `json:"error"`
		Detail  string         `json:"detail"`
		Details map[string]any `json:"details"`
		Errors  map[string]any `json:"errors"`
	}
	describe := func(it item) string {
		msg := firstNonEmpty(it.Message, it.Title, it.Error)
		if it.Detail != "" {
			msg += ": " + it.Detail
		}
		if r, ok := it.Details["invalid_reason"].(string); ok && r != "" {
			msg += " (" + r + ")"
		}
		if len(it.Errors) > 0 {
			keys := make([]string, 0, len(it.Errors))
			for k := range it.Errors {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			parts := make([]string, 0, len(keys))
			for _, k := range keys {
				parts = append(parts, fmt.Sprintf("%s: %v", k, it.Errors[k]))
			}
			msg += " (" + strings.Join(parts, "; ") + ")"
		}
		return msg
	}
	join := func(items []item) string {
		var msgs []string
		for _, it := range items {
			if m := describe(it); m != "" {
				msgs = append(msgs, m)
			}
		}
		return strings.Join(msgs, "; ")
	}
	var arr []item
	if json.Unmarshal(body, &arr) == nil && len(arr) > 0 {
		if m := join(arr); m != "" {
			return m
		}
	}
	var obj struct {
		item
		Data        []item `json:"data"`
		BatchErrors []item `json:"batch_errors"`
	}
	if json.Unmarshal(body, &obj) == nil {
		if m := describe(obj.item); m != "" {
			return m
		}
		if m := join(append(obj.Data, obj.BatchErrors...)); m != "" {
			return m
		}
	}
	s := string(body)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
