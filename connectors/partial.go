package connectors

import (
	"github.com/zclconf/go-cty/cty"
)

// PartialError is a read that got most of what it was asked for: Value is
// the output made of the records that could be read, Err says which could
// not and why (a record the vendor sent in a shape the connector cannot
// read). The engine goes on with Value, so one bad record never blocks the
// others, and the run ends failed with Err, naming the records left out.
// Make Err permanent when reading again would not help.
type PartialError struct {
	Value cty.Value
	Err   error
}

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// Partial returns the value and the error of a partial read, if err is one.
func Partial(err error) (*PartialError, bool) {
	return as[*PartialError](err)
}
