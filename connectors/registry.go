package connectors

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Registry holds the connectors a tote binary knows.
type Registry struct {
	byType map[string]Connector
	specs  map[string]Spec
}

// NewRegistry builds a registry from connector constructors, rejecting any
// connector whose Spec is malformed.
func NewRegistry(constructors ...func() Connector) (*Registry, error) {
	r := &Registry{byType: map[string]Connector{}, specs: map[string]Spec{}}
	for _, newConnector := range constructors {
		c := newConnector()
		spec := c.Spec()
		if err := checkSpec(spec); err != nil {
			return nil, fmt.Errorf("connector %q: %w", spec.Type, err)
		}
		if _, dup := r.byType[spec.Type]; dup {
			return nil, fmt.Errorf("connector %q registered twice", spec.Type)
		}
		r.byType[spec.Type] = c
		r.specs[spec.Type] = spec
	}
	return r, nil
}

// MustRegistry is NewRegistry for fixed sets known to be valid.
func MustRegistry(constructors ...func() Connector) *Registry {
	r, err := NewRegistry(constructors...)
	if err != nil {
		panic(err)
	}
	return r
}

// Connector returns the connector of the given type.
func (r *Registry) Connector(typ string) (Connector, bool) {
	c, ok := r.byType[typ]
	return c, ok
}

// Spec returns the spec of the given connector type.
func (r *Registry) Spec(typ string) (Spec, bool) {
	s, ok := r.specs[typ]
	return s, ok
}

// Types returns the registered connector types, sorted.
func (r *Registry) Types() []string {
	types := make([]string, 0, len(r.byType))
	for t := range r.byType {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}

// Trigger finds the connector and spec of a trigger kind ("<type>_<name>").
func (r *Registry) Trigger(kind string) (Spec, TriggerSpec, bool) {
	for _, typ := range r.Types() {
		spec := r.specs[typ]
		if t, ok := spec.Trigger(kind); ok {
			return spec, t, true
		}
	}
	return Spec{}, TriggerSpec{}, false
}

// TriggerKinds lists every trigger kind, sorted.
func (r *Registry) TriggerKinds() []string {
	var kinds []string
	for _, spec := range r.specs {
		for _, t := range spec.Triggers {
			kinds = append(kinds, t.Kind)
		}
	}
	sort.Strings(kinds)
	return kinds
}

func checkSpec(s Spec) error {
	if !hclsyntax.ValidIdentifier(s.Type) || strings.Contains(s.Type, "-") {
		return fmt.Errorf("type %q is not a valid identifier", s.Type)
	}
	if err := s.Config.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	actions := map[string]bool{}
	for _, a := range s.Actions {
		if !hclsyntax.ValidIdentifier(a.Name) {
			return fmt.Errorf("action %q: not a valid identifier", a.Name)
		}
		if actions[a.Name] {
			return fmt.Errorf("action %q declared twice", a.Name)
		}
		actions[a.Name] = true
		if a.Kind != Read && a.Kind != Write {
			return fmt.Errorf("action %q: kind must be read or write, not %q", a.Name, a.Kind)
		}
		if err := a.Args.Validate(); err != nil {
			return fmt.Errorf("action %q: %w", a.Name, err)
		}
		if a.Output == cty.NilType {
			return fmt.Errorf("action %q: no output type", a.Name)
		}
		if a.Kind == Write && len(a.Identity) == 0 {
			return fmt.Errorf("action %q: a write needs identity arguments", a.Name)
		}
		switch {
		case a.Kind == Write && a.Guarantee.Describe() == "":
			return fmt.Errorf("action %q: a write needs a guarantee (idempotent, read-back or at-most-once), not %q", a.Name, a.Guarantee)
		case a.Kind == Read && a.Guarantee != "":
			return fmt.Errorf("action %q: a read has no guarantee", a.Name)
		}
		for _, id := range a.Identity {
			if attr, ok := a.Args.Attr(id); !ok || !attr.Required {
				return fmt.Errorf("action %q: identity %q must be a required argument", a.Name, id)
			}
		}
	}
	kinds := map[string]bool{}
	for _, t := range s.Triggers {
		if !strings.HasPrefix(t.Kind, s.Type+"_") || !hclsyntax.ValidIdentifier(t.Kind) {
			return fmt.Errorf("trigger %q: kind must be %s_<name>", t.Kind, s.Type)
		}
		if kinds[t.Kind] {
			return fmt.Errorf("trigger %q declared twice", t.Kind)
		}
		kinds[t.Kind] = true
		if t.Mode != Webhook && t.Mode != Poll {
			return fmt.Errorf("trigger %q: mode must be webhook or poll, not %q", t.Kind, t.Mode)
		}
		if err := t.Args.Validate(); err != nil {
			return fmt.Errorf("trigger %q: %w", t.Kind, err)
		}
		for _, reserved := range []string{"connection", "schedule"} {
			if _, ok := t.Args.Attr(reserved); ok {
				return fmt.Errorf("trigger %q: argument %q is reserved", t.Kind, reserved)
			}
		}
		if !t.Event.IsObjectType() {
			return fmt.Errorf("trigger %q: event type must be an object", t.Kind)
		}
	}
	return nil
}
