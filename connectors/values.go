package connectors

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Project returns current restricted to the shape of desired: for objects,
// only the attributes desired has (recursively; absent ones are null), so a
// plan compares what the write would set and nothing else. Values of other
// kinds are returned as they are.
func Project(current, desired cty.Value) cty.Value {
	if current.IsNull() || !current.IsKnown() || desired.IsNull() || !desired.IsKnown() {
		return current
	}
	dt, ct := desired.Type(), current.Type()
	if !(dt.IsObjectType() || dt.IsMapType()) || !(ct.IsObjectType() || ct.IsMapType()) {
		return current
	}
	have := current.AsValueMap()
	out := map[string]cty.Value{}
	for name, dv := range desired.AsValueMap() {
		cv, ok := have[name]
		if !ok {
			out[name] = cty.NullVal(cty.DynamicPseudoType)
			continue
		}
		out[name] = Project(cv, dv)
	}
	if len(out) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(out)
}

// Equivalent reports whether a and b hold the same data, ignoring the
// difference between types that JSON does not keep (object vs map, tuple vs
// list, a number's representation). Unknown values are never equivalent.
func Equivalent(a, b cty.Value) bool {
	if !a.IsWhollyKnown() || !b.IsWhollyKnown() {
		return false
	}
	ja, err1 := JSON(a)
	jb, err2 := JSON(b)
	if err1 != nil || err2 != nil {
		return false
	}
	va, err1 := decodeNumbers(ja)
	vb, err2 := decodeNumbers(jb)
	if err1 != nil || err2 != nil {
		return false
	}
	return fmt.Sprint(normalize(va)) == fmt.Sprint(normalize(vb))
}

func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k) // absent and null are the same to a vendor
				continue
			}
			x[k] = normalize(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
	case json.Number:
		f, _, err := big.ParseFloat(string(x), 10, 256, big.ToNearestEven)
		if err != nil {
			return string(x)
		}
		return f.Text('g', 60)
	}
	return v
}

func decodeNumbers(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// JSON encodes a known value as JSON.
func JSON(v cty.Value) ([]byte, error) {
	v, _ = v.UnmarkDeep()
	return ctyjson.Marshal(v, v.Type())
}

// FromJSON decodes any JSON document into a cty value of the implied type.
func FromJSON(b []byte) (cty.Value, error) {
	t, err := ctyjson.ImpliedType(b)
	if err != nil {
		return cty.NilVal, err
	}
	return ctyjson.Unmarshal(b, t)
}

// Fingerprint is a short stable digest of a value, for Change.Fingerprint.
func Fingerprint(v cty.Value) string {
	if v.IsNull() {
		return ""
	}
	b, err := JSON(v)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}
