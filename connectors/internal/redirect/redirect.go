// Package redirect keeps vendor credentials on the vendor's host. Go's
// http.Client repeats a request's custom headers (X-Auth-Token, API-Key)
// on a redirect to any host, so a client that carries credentials in
// headers must not follow a redirect that leaves the origin it called.
package redirect

import (
	"errors"
	"fmt"
	"net/http"
)

// maxHops matches net/http's own limit.
const maxHops = 10

// SameOrigin returns a copy of c (a new client when c is nil) that follows
// redirects only within the origin (scheme, host and port) of the request
// it was given. A redirect elsewhere is refused with an error naming the
// host, so no credential is sent there.
func SameOrigin(c *http.Client) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	}
	out.CheckRedirect = check
	return &out
}

func check(req *http.Request, via []*http.Request) error {
	if len(via) >= maxHops {
		return fmt.Errorf("stopped after %d redirects", maxHops)
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return &Error{Host: req.URL.Host}
	}
	return nil
}

// Error is a refused redirect to another origin.
type Error struct{ Host string }

func (e *Error) Error() string {
	return fmt.Sprintf("the vendor redirected to another host (%s); tote does not follow it, so no credential goes there", e.Host)
}

// Is reports whether err is, or wraps, a refused redirect.
func Is(err error) bool {
	var e *Error
	return errors.As(err, &e)
}
