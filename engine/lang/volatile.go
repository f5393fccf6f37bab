package lang

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// now() and uuid() differ on every call, so during a plan they are unknown:
// their values exist only once apply runs.

func nowFunc(clock func() time.Time, plan bool) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the current time as RFC 3339 in UTC, to the second; unknown during a plan.",
		Type:        function.StaticReturnType(cty.String),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
			if plan {
				return cty.UnknownVal(cty.String).RefineNotNull(), nil
			}
			return cty.StringVal(clock().UTC().Format(time.RFC3339)), nil
		},
	})
}

func uuidFunc(plan bool) function.Function {
	return function.New(&function.Spec{
		Description: "Returns a random version 4 UUID; unknown during a plan.",
		Type:        function.StaticReturnType(cty.String),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
			if plan {
				return cty.UnknownVal(cty.String).RefineNotNull(), nil
			}
			return cty.StringVal(newUUID()), nil
		},
	})
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])         // never fails (crypto/rand panics instead)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
