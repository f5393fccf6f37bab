package connectors

import (
	"net/url"
	"strings"
)

// Observer hears about every request a connection makes to its vendor, for
// metrics. Implementations must be safe for concurrent use and quick: they
// are called on the request path.
type Observer interface {
	VendorCall(VendorCall)
}

// VendorCall describes one HTTP request to a vendor.
type VendorCall struct {
	// Connection is the connection's address, e.g. "bigcommerce.main"; the
	// engine fills it in, connectors may leave it empty.
	Connection string
	Method     string
	// Endpoint is the request's path with ids collapsed (see Endpoint): a
	// bounded set of values, fit for a metric label.
	Endpoint string
	// Status is the HTTP status, 0 when no answer came (timeout, refused).
	Status int
	// BudgetRemaining is what the credential's rate budget has left after
	// the call, -1 when the connector has no budget.
	BudgetRemaining int
}

// Notify calls o when it is not nil.
func Notify(o Observer, c VendorCall) {
	if o != nil {
		o.VendorCall(c)
	}
}

// Endpoint reduces a request path or URL to a template: the query, scheme
// and host are dropped, and each segment that is an id (digits, a UUID, a
// long hex or token) becomes "{id}". The store hash segment after "stores"
// is collapsed too. The result is bounded to six segments.
func Endpoint(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		if u, err := url.Parse(raw); err == nil {
			raw = u.Path
		}
	}
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	segs := strings.Split(strings.Trim(raw, "/"), "/")
	if len(segs) > 6 {
		segs = append(segs[:6], "...")
	}
	for i, s := range segs {
		if isID(s) || (i > 0 && segs[i-1] == "stores") {
			segs[i] = "{id}"
		}
	}
	return "/" + strings.Join(segs, "/")
}

// isID reports whether a path segment names a record rather than a
// resource: it holds a digit and is all digits, mostly digits ("se-1234"),
// or long and mixed (UUIDs, hashes, tokens).
func isID(s string) bool {
	if s == "" {
		return false
	}
	digits, other := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == '_' || r == '.' || r == ':' || r == '%':
		default:
			other++
		}
	}
	if digits == 0 {
		return false
	}
	return other == 0 || len(s) >= 16 || (digits >= 3 && digits > other)
}
