// Package actions binds each action's spec to its implementation, so a
// connector's Spec and its Read, PlanWrite and ApplyWrite come from one
// table and cannot drift apart.
package actions

import (
	"context"
	"fmt"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// Action is one action of a connector whose open connections are C: its
// spec, and Read for a read or Plan and Apply for a write.
type Action[C any] struct {
	Spec  connectors.ActionSpec
	Read  func(c C, ctx context.Context, args cty.Value) (cty.Value, error)
	Plan  func(c C, ctx context.Context, args cty.Value) (connectors.Change, error)
	Apply func(c C, ctx context.Context, w connectors.WriteRequest) (cty.Value, error)
}

// Table is a connector's actions by name.
type Table[C any] struct {
	vendor string
	order  []string
	byName map[string]Action[C]
}

// New builds the table of vendor's actions, in the order given. It panics
// on a duplicate name or an action whose implementation does not match its
// kind: a programming mistake, caught by any test that builds the table.
func New[C any](vendor string, groups ...[]Action[C]) *Table[C] {
	t := &Table[C]{vendor: vendor, byName: map[string]Action[C]{}}
	for _, g := range groups {
		for _, a := range g {
			name := a.Spec.Name
			if _, dup := t.byName[name]; dup {
				panic(fmt.Sprintf("%s: action %q declared twice", vendor, name))
			}
			read := a.Spec.Kind == connectors.Read
			if read != (a.Read != nil) || !read && (a.Plan == nil || a.Apply == nil) || read && (a.Plan != nil || a.Apply != nil) {
				panic(fmt.Sprintf("%s: action %q (%s) has the wrong implementation for its kind", vendor, name, a.Spec.Kind))
			}
			t.order = append(t.order, name)
			t.byName[name] = a
		}
	}
	return t
}

// Specs returns the actions' specs, in table order.
func (t *Table[C]) Specs() []connectors.ActionSpec {
	out := make([]connectors.ActionSpec, 0, len(t.order))
	for _, n := range t.order {
		out = append(out, t.byName[n].Spec)
	}
	return out
}

// Read runs the read action name.
func (t *Table[C]) Read(c C, ctx context.Context, name string, args cty.Value) (cty.Value, error) {
	a, ok := t.byName[name]
	if !ok || a.Read == nil {
		return cty.NilVal, connectors.Permanent(fmt.Errorf("%s: no read action %q", t.vendor, name))
	}
	return a.Read(c, ctx, args)
}

// Plan plans the write action name.
func (t *Table[C]) Plan(c C, ctx context.Context, name string, args cty.Value) (connectors.Change, error) {
	a, ok := t.byName[name]
	if !ok || a.Plan == nil {
		return connectors.Change{}, connectors.Permanent(fmt.Errorf("%s: no write action %q", t.vendor, name))
	}
	return a.Plan(c, ctx, args)
}

// Apply performs the write w.
func (t *Table[C]) Apply(c C, ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
	a, ok := t.byName[w.Action]
	if !ok || a.Apply == nil {
		return cty.NilVal, connectors.Permanent(fmt.Errorf("%s: no write action %q", t.vendor, w.Action))
	}
	return a.Apply(c, ctx, w)
}
