package compile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/toteworks/tote/engine/config"
)

// ForEach is a pipeline's for_each: one instance of the pipeline per
// enabled connection of one type. Triggers and steps of that connector
// that name no connection use the instance's; the events of other
// triggers are split among the instances by route key (cron ticks go to
// every instance).
type ForEach struct {
	// Type is the connector the pipeline is instanced over.
	Type string
	// Instances are the enabled connections of Type, by name.
	Instances []*Connection
	Range     hcl.Range
}

// Instance returns the instance whose connection has the route key, or
// nil.
func (fe *ForEach) Instance(routeKey string) *Connection {
	if routeKey == "" {
		return nil
	}
	for _, c := range fe.Instances {
		if c.RouteKey == routeKey {
			return c
		}
	}
	return nil
}

// InstanceName is how a run's addresses and a trigger of one instance are
// told apart: the trigger "changed" of the instance "second" is
// "changed.second".
func InstanceName(trigger string, c *Connection) string { return trigger + "." + c.Name }

// compileForEach reads a pipeline's for_each, which must be
// connection.<type>.
func (p *Program) compileForEach(decl *config.Pipeline) (*ForEach, hcl.Diagnostics) {
	expr := decl.ForEach
	rng := expr.Range()
	bad := func(detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid pipeline for_each", Detail: detail, Subject: rng.Ptr()}}
	}
	trav, d := hcl.AbsTraversalForExpr(expr)
	if d.HasErrors() || trav.RootName() != "connection" {
		return nil, bad("A pipeline's for_each takes the connections of one connector, as in for_each = connection.bigcommerce: " +
			"one instance of the pipeline per enabled connection.")
	}
	if len(trav) != 2 {
		return nil, bad(fmt.Sprintf("%s names one connection; for_each takes all the connections of a connector, as in for_each = connection.%s.",
			traversalString(trav), attrName(trav)))
	}
	typ := attrName(trav)
	var types []string
	seen := map[string]bool{}
	fe := &ForEach{Type: typ, Range: rng}
	declared := false
	for _, c := range p.Config.Connections {
		if !seen[c.Type] {
			seen[c.Type] = true
			types = append(types, c.Type)
		}
		declared = declared || c.Type == typ
	}
	if !declared {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Reference to undeclared connection",
			Detail:  fmt.Sprintf("No %s connection is declared.%s", typ, suggest(typ, types, "Connections are of: ")),
			Subject: rng.Ptr()}}
	}
	var diags hcl.Diagnostics
	byKey := map[string]*Connection{}
	for _, c := range p.Connections {
		if c.Type != typ || !c.Enabled {
			continue
		}
		fe.Instances = append(fe.Instances, c)
		if c.RouteKey == "" {
			continue
		}
		if other := byKey[c.RouteKey]; other != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Two connections serve the same records",
				Detail: fmt.Sprintf("%s and %s both serve %s: pipeline %q could not tell their events apart. Disable one.",
					other.Addr(), c.Addr(), c.RouteKey, decl.Name),
				Subject: rng.Ptr()})
		}
		byKey[c.RouteKey] = c
	}
	sort.Slice(fe.Instances, func(i, j int) bool { return fe.Instances[i].Name < fe.Instances[j].Name })
	return fe, diags
}

func traversalString(trav hcl.Traversal) string {
	parts := []string{trav.RootName()}
	for _, s := range trav[1:] {
		if a, ok := s.(hcl.TraverseAttr); ok {
			parts = append(parts, a.Name)
		}
	}
	return strings.Join(parts, ".")
}

// connectionOf resolves the connection of a trigger or step of connector
// typ that names ref (nil for none). In a pipeline instanced over typ, one
// that names none is instanced: it uses its instance's connection, and the
// one returned (instanceConnection) only types it.
func (p *Program) connectionOf(typ string, ref hcl.Traversal, rng hcl.Range, fe *ForEach) (c *Connection, instanced bool, diags hcl.Diagnostics) {
	if ref == nil && fe != nil && fe.Type == typ {
		return p.instanceConnection(fe), true, nil
	}
	c, diags = p.resolveConnection(typ, ref, rng)
	return c, false, diags
}

// instanceConnection is the connection a trigger or step of connector typ
// that names none types with in a pipeline instanced over typ: the first
// instance, else any connection of typ (a pipeline without instances never
// runs).
func (p *Program) instanceConnection(fe *ForEach) *Connection {
	if len(fe.Instances) > 0 {
		return fe.Instances[0]
	}
	for _, c := range p.Connections {
		if c.Type == fe.Type {
			return c
		}
	}
	return nil
}

// instanceTriggers places trigger t in a for_each pipeline. A trigger of
// the instanced connector that names no connection becomes one trigger per
// instance ("changed.main", "changed.second"), each with its instance's
// connection; one that names a connection serves that instance. Any other
// trigger stays one, and each of its events is split among the instances
// when it runs: cron ticks go to every instance, a connector's events by
// the route key of their records, which the connector must be able to say.
func (p *Program) instanceTriggers(pl *Pipeline, t *Trigger) ([]*Trigger, hcl.Diagnostics) {
	fe := pl.ForEach
	switch {
	case t.Conn != nil && t.Conn.Type == fe.Type && t.Decl.Connection == nil:
		out := make([]*Trigger, 0, len(fe.Instances))
		for _, c := range fe.Instances {
			it := *t
			it.Name, it.Conn, it.Instance = InstanceName(t.Name, c), c, c
			out = append(out, &it)
		}
		if len(out) == 0 {
			return []*Trigger{t}, nil // disabled with the pipeline
		}
		return out, nil
	case t.Conn != nil && t.Conn.Type == fe.Type:
		t.Instance = t.Conn
		return []*Trigger{t}, nil
	case t.Mode == ModeCron:
		return []*Trigger{t}, nil
	}
	var keyed bool
	if c := p.instanceConnection(fe); c != nil {
		keyed = c.Spec.RouteKey != nil
	}
	if t.Spec.Route == nil || !keyed {
		return []*Trigger{t}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Trigger cannot be split among instances",
			Detail: fmt.Sprintf("Pipeline %q has one instance per %s connection, but the events of %s trigger %q do not say which %s connection they belong to. "+
				"Move the trigger to a pipeline without for_each.", pl.Name, fe.Type, t.Kind, t.Name, fe.Type),
			Subject: t.Decl.DeclRange.Ptr()}}
	}
	return []*Trigger{t}, nil
}
