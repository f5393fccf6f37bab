package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Variable is the value a variable had when the plan was made. A sensitive
// variable is stored only as a digest: apply takes its value from the same
// places plan did and refuses the plan when the digest differs.
type Variable struct {
	Type      json.RawMessage `json:"type,omitempty"`
	Value     json.RawMessage `json:"value,omitempty"`
	Sensitive bool            `json:"sensitive,omitempty"`
	Digest    string          `json:"digest,omitempty"`
}

// PinVariables records vars (the program's variables, an object) for a
// saved plan. sensitive says which variables must not be stored in clear.
func PinVariables(vars cty.Value, sensitive func(name string) bool) (map[string]Variable, error) {
	if vars.IsNull() || !vars.Type().IsObjectType() || !vars.IsKnown() {
		return nil, nil
	}
	out := map[string]Variable{}
	for name, v := range vars.AsValueMap() {
		v, _ = v.UnmarkDeep()
		if !v.IsWhollyKnown() {
			return nil, fmt.Errorf("variable %q has no known value to pin in the plan", name)
		}
		if sensitive(name) {
			d, err := digest(name, v)
			if err != nil {
				return nil, err
			}
			out[name] = Variable{Sensitive: true, Digest: d}
			continue
		}
		t, err := ctyjson.MarshalType(v.Type())
		if err != nil {
			return nil, fmt.Errorf("pinning variable %q: %w", name, err)
		}
		b, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			return nil, fmt.Errorf("pinning variable %q: %w", name, err)
		}
		out[name] = Variable{Type: t, Value: b}
	}
	return out, nil
}

// PinnedValues returns the values of the plan's variables that are stored
// in clear, for compiling the pipelines exactly as the plan saw them.
func (p *Plan) PinnedValues() (map[string]cty.Value, error) {
	out := map[string]cty.Value{}
	for name, v := range p.Variables {
		if v.Sensitive {
			continue
		}
		t, err := ctyjson.UnmarshalType(v.Type)
		if err != nil {
			return nil, fmt.Errorf("the plan's variable %q: %w", name, err)
		}
		val, err := ctyjson.Unmarshal(v.Value, t)
		if err != nil {
			return nil, fmt.Errorf("the plan's variable %q: %w", name, err)
		}
		out[name] = val
	}
	return out, nil
}

// CheckSensitive compares the sensitive variables of vars with the digests
// the plan holds. The error names the variables, never their values.
func (p *Plan) CheckSensitive(vars cty.Value) error {
	var differ []string
	for name, pinned := range p.Variables {
		if !pinned.Sensitive {
			continue
		}
		if !vars.Type().IsObjectType() || !vars.Type().HasAttribute(name) {
			differ = append(differ, name)
			continue
		}
		v, _ := vars.GetAttr(name).UnmarkDeep()
		if !v.IsWhollyKnown() {
			differ = append(differ, name)
			continue
		}
		d, err := digest(name, v)
		if err != nil || d != pinned.Digest {
			differ = append(differ, name)
		}
	}
	if len(differ) > 0 {
		sort.Strings(differ)
		return fmt.Errorf("sensitive variable %q has another value than when the plan was made; run tote plan again", differ[0])
	}
	return nil
}

// digest identifies a sensitive value without revealing it.
func digest(name string, v cty.Value) (string, error) {
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return "", fmt.Errorf("pinning variable %q: %w", name, err)
	}
	h := sha256.New()
	h.Write([]byte("tote variable\x00" + name + "\x00"))
	h.Write(b)
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
