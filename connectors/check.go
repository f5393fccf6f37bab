package connectors

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Checker is implemented by connections that can check their settings
// (base URL, credentials) with one cheap call each, writing nothing.
// tote doctor runs it for every connection, and tote run at start and
// periodically, so wrong settings show at once instead of at the first
// poll. It returns nil when the settings work, else a *CheckError.
type Checker interface {
	Check(ctx context.Context) error
}

// CheckError is a setting that does not work: which connection settings
// are at fault, what the vendor answered and how to fix it. It never holds
// a secret's value.
type CheckError struct {
	// Settings are the connection block's attributes at fault, e.g.
	// "access_token"; tote names the variables they come from.
	Settings []string
	// Status is the vendor's HTTP status, 0 when none came.
	Status int
	// Problem says what is wrong; Fix what to do about it.
	Problem, Fix string
	// Err is the underlying failure, if any.
	Err error
}

func (e *CheckError) Error() string {
	var b strings.Builder
	if len(e.Settings) > 0 {
		b.WriteString(strings.Join(e.Settings, ", ") + ": ")
	}
	b.WriteString(e.Problem)
	if e.Fix != "" {
		b.WriteString(" (" + e.Fix + ")")
	}
	return b.String()
}

func (e *CheckError) Unwrap() error { return e.Err }

// Unauthorized reports whether err says the vendor refused the
// credentials (401 or 403): retrying will not help until they change.
func Unauthorized(err error) bool {
	var ce *CheckError
	return errors.As(err, &ce) && (ce.Status == http.StatusUnauthorized || ce.Status == http.StatusForbidden)
}

// BadSetting returns a CheckError for a setting found wrong without any
// call, such as a base URL with an API version on its end.
func BadSetting(setting, problem, fix string) *CheckError {
	return &CheckError{Settings: []string{setting}, Problem: problem, Fix: fix}
}

// checkStatus turns a vendor's refusal of a check call into a CheckError
// naming the settings an operator would change: the credentials on 401 and
// 403, the base URL on 404 (the path is wrong) and anything else.
func checkStatus(status int, call string, credentials []string, urlSetting string, err error) *CheckError {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return &CheckError{Settings: credentials, Status: status, Err: err,
			Problem: fmt.Sprintf("%s answered %d %s: the credentials were refused", call, status, http.StatusText(status)),
			Fix:     "check " + strings.Join(credentials, " and ") + ", and that the account's API access has the scopes tote needs"}
	case http.StatusNotFound:
		return &CheckError{Settings: []string{urlSetting}, Status: status, Err: err,
			Problem: fmt.Sprintf("%s answered 404 Not Found: the base URL does not lead to the API", call),
			Fix:     "set " + urlSetting + " to the API's base URL, without an API version or path"}
	}
	return &CheckError{Settings: []string{urlSetting}, Status: status, Err: err,
		Problem: fmt.Sprintf("%s failed: %v", call, err),
		Fix:     "check that " + urlSetting + " is reachable from this host"}
}

// StatusError is a vendor's refusal with its HTTP status, as a connector's
// API errors are.
type StatusError interface {
	error
	HTTPStatus() int
}

// CheckFailed is checkStatus for the failure of a check call: the status
// is that of the StatusError err holds, 0 when none came (the vendor was
// not reached).
func CheckFailed(err error, call string, credentials []string, urlSetting string) *CheckError {
	status := 0
	var se StatusError
	if errors.As(err, &se) {
		status = se.HTTPStatus()
	}
	return checkStatus(status, call, credentials, urlSetting, err)
}

// versionSuffix matches a URL path that ends in an API version.
var versionSuffix = regexp.MustCompile(`(?i)/v[0-9]+/?$`)

// EndsInVersion reports whether a base URL's path ends in an API version
// (/v1, /V2/): connectors add the version to their paths themselves, so
// such a base URL is a setting to refuse before any call.
func EndsInVersion(path string) bool { return versionSuffix.MatchString(path) }
