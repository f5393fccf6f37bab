package compile

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Scope holds the values references resolve to while one node of a pipeline
// is evaluated. During validation the values are typed unknowns; during plan
// and apply they are real (and unknown where a write has not happened yet).
type Scope struct {
	Vars        cty.Value
	Locals      cty.Value
	Connections cty.Value
	Trigger     cty.Value
	Run         cty.Value
	Transforms  map[string]cty.Value
	Steps       map[string]cty.Value
	// TransformsObject and StepsObject, when set, are transform.* and
	// step.* already built from those maps, which are then not read.
	TransformsObject cty.Value
	StepsObject      cty.Value
	Each             *Each
	Funcs            map[string]function.Function
}

// Each is the current for_each instance.
type Each struct {
	Key, Value cty.Value
}

// EvalContext returns the HCL evaluation context for the scope.
func (s *Scope) EvalContext() *hcl.EvalContext {
	transforms, steps := s.TransformsObject, s.StepsObject
	if transforms == cty.NilVal {
		transforms = objectOf(s.Transforms)
	}
	if steps == cty.NilVal {
		steps = objectOf(s.Steps)
	}
	vars := map[string]cty.Value{
		"var":        s.Vars,
		"local":      s.Locals,
		"connection": s.Connections,
		"trigger":    s.Trigger,
		"run":        s.Run,
		"transform":  transforms,
		"step":       steps,
	}
	if s.Each != nil {
		vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": s.Each.Key, "value": s.Each.Value})
	}
	return &hcl.EvalContext{Variables: vars, Functions: s.Funcs}
}

// With returns a copy of the scope whose each is set.
func (s *Scope) With(each *Each) *Scope {
	c := *s
	c.Each = each
	return &c
}

func objectOf(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}
