package connectors

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned (wrapped) when the target of a call does not exist.
var ErrNotFound = errors.New("not found")

// RetryAfterError asks the caller to wait before trying again, typically
// because the vendor rate-limited the call and named when to come back.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter returns how long err asks to wait, if it does.
func RetryAfter(err error) (time.Duration, bool) {
	if ra, ok := as[*RetryAfterError](err); ok {
		return ra.After, true
	}
	return 0, false
}

// PermanentError marks a failure that will not succeed if retried, such as a
// 4xx with the vendor's message.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as permanent.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err, or anything it wraps, is permanent.
func IsPermanent(err error) bool {
	_, ok := as[*PermanentError](err)
	return ok
}

// RequestError rejects an incoming webhook request with an HTTP status and a
// reason safe to show the sender.
type RequestError struct {
	Status int
	Reason string
}

func (e *RequestError) Error() string { return e.Reason }

// DeferredError says a write cannot be made yet and should be tried again
// after a while, without counting as a failure: the target is not ready
// (ShipStation does not know a SKU until an order brings it). Plans show the
// write as waiting; tote run keeps its event and tries again.
type DeferredError struct {
	After time.Duration
	Err   error
}

func (e *DeferredError) Error() string { return e.Err.Error() }
func (e *DeferredError) Unwrap() error { return e.Err }

// Defer wraps err as deferred for after.
func Defer(after time.Duration, err error) error {
	return &DeferredError{After: after, Err: err}
}

// Deferred returns how long err asks to wait, if it is deferred.
func Deferred(err error) (time.Duration, bool) {
	if d, ok := as[*DeferredError](err); ok {
		return d.After, true
	}
	return 0, false
}

// NotAppliedError marks a failed write that provably did not reach the
// vendor, or that the vendor refused before acting: a 429, a connection
// refused before the request was sent, an SMTP reply refusing the message
// before its final dot, a 4xx validation error. The engine then closes the
// write's intent as not applied, and a retry is safe even for at-most-once
// actions. Connectors mark only what they can prove; anything else (a
// timeout, a lost connection after sending) stays unknown.
type NotAppliedError struct{ Err error }

func (e *NotAppliedError) Error() string { return e.Err.Error() }
func (e *NotAppliedError) Unwrap() error { return e.Err }

// NotApplied wraps err as not applied.
func NotApplied(err error) error {
	if err == nil {
		return nil
	}
	return &NotAppliedError{Err: err}
}

// IsNotApplied reports whether err, or anything it wraps, is not applied.
func IsNotApplied(err error) bool {
	_, ok := as[*NotAppliedError](err)
	return ok
}

// as is errors.As for a target of type T. A nil error is answered at once:
// errors.As moves its target to the heap, and runs ask these questions of
// every step's outcome, most of them nil.
func as[T error](err error) (T, bool) {
	if err == nil {
		var zero T
		return zero, false
	}
	var t T
	ok := errors.As(err, &t)
	return t, ok
}
