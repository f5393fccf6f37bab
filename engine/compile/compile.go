// Package compile turns a parsed configuration and the connectors' schemas
// into checked pipeline graphs. Every static check of `tote validate` lives
// here: unknown connectors, actions and triggers, action arguments, references
// and their paths against typed unknowns, cycles and cron expressions.
package compile

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/lang"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// Options configure a compilation.
type Options struct {
	Registry *connectors.Registry
	// Offline compiles without reading the environment: env() and secret()
	// are unknown strings and required variables may be left unset. This is
	// what `tote validate` does.
	Offline bool
	// Vars are variable values given on the command line, as HCL expressions
	// (a bare word is taken as a string).
	Vars map[string]string
	// Pinned are the values a saved plan was made with. They take the
	// place of -var, the environment and the defaults.
	Pinned map[string]cty.Value
	Getenv func(string) (string, bool)
	Now    func() time.Time
}

// Program is a compiled configuration.
type Program struct {
	Config      *config.Config
	Vars        cty.Value
	Locals      cty.Value
	Connections []*Connection
	Pipelines   []*Pipeline
	Offline     bool

	getenv func(string) (string, bool)
	now    func() time.Time

	// The function tables are built once: building one wraps every
	// function and costs more than a small run.
	funcsOnce [2]sync.Once
	funcs     [2]map[string]function.Function
}

// Connection is a resolved connection block.
type Connection struct {
	Type, Name string
	Connector  connectors.Connector
	Spec       connectors.Spec
	// Values is the decoded block. It may carry sensitive marks; strip them
	// only at the connector boundary.
	Values cty.Value
	Decl   *config.Connection
	// Enabled is false when the block's enabled argument is: the
	// connection is never opened, its triggers never fire and steps using
	// it are skipped as if their when were false.
	Enabled bool
	// RouteKey names what the connection serves among other connectors'
	// records (connectors.Spec.RouteKey); "" when its connector does not
	// say or its settings are not known (offline).
	RouteKey string
	addr     string // Addr, set when compiled: a run asks for it several times per write
}

// Addr is connection.<type>.<name>.
func (c *Connection) Addr() string { return c.addr }

// Pipeline returns the pipeline with the given name, or nil.
func (p *Program) Pipeline(name string) *Pipeline {
	for _, pl := range p.Pipelines {
		if pl.Name == name {
			return pl
		}
	}
	return nil
}

// SensitiveVariable reports whether the variable name is declared sensitive.
func (p *Program) SensitiveVariable(name string) bool {
	for _, v := range p.Config.Variables {
		if v.Name == name {
			return v.Sensitive
		}
	}
	return false
}

// Connection returns the connection with the given type and name, or nil.
func (p *Program) Connection(typ, name string) *Connection {
	for _, c := range p.Connections {
		if c.Type == typ && c.Name == name {
			return c
		}
	}
	return nil
}

// Functions returns the function table; plan makes now() and uuid() unknown.
// The table is shared by every caller and must not be modified.
func (p *Program) Functions(plan bool) map[string]function.Function {
	i := 0
	if plan {
		i = 1
	}
	p.funcsOnce[i].Do(func() { p.funcs[i] = functions(p.getenv, p.now, plan, p.Offline) })
	return p.funcs[i]
}

func functions(getenv func(string) (string, bool), now func() time.Time, plan, offline bool) map[string]function.Function {
	funcs := lang.Functions(lang.Options{Getenv: getenv, Now: now, Plan: plan})
	if offline {
		funcs["env"] = unknownString(false)
		funcs["secret"] = unknownString(true)
	}
	return funcs
}

// unknownString stands in for env() and secret() offline: the value is
// unknown, so nothing depends on this machine's environment.
func unknownString(sensitive bool) function.Function {
	return function.New(&function.Spec{
		Params:   []function.Parameter{{Name: "name", Type: cty.String}},
		VarParam: &function.Parameter{Name: "default", Type: cty.String},
		Type:     function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 2 {
				return cty.NilVal, function.NewArgErrorf(2, "at most one default may be given")
			}
			v := cty.UnknownVal(cty.String)
			if sensitive {
				v = v.Mark(lang.Sensitive)
			}
			return v, nil
		},
	})
}

// Compile checks cfg and builds its program. Diagnostics carry source ranges.
func Compile(cfg *config.Config, opts Options) (*Program, hcl.Diagnostics) {
	if opts.Getenv == nil {
		opts.Getenv = os.LookupEnv
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &Program{Config: cfg, Offline: opts.Offline, getenv: opts.Getenv, now: opts.Now}
	funcs := p.Functions(true)
	var diags hcl.Diagnostics

	vars, d := evalVariables(cfg, opts)
	diags = append(diags, d...)
	p.Vars = vars

	locals, d := evalLocals(cfg, vars, funcs)
	diags = append(diags, d...)
	p.Locals = locals

	d = p.compileConnections(opts.Registry, funcs)
	diags = append(diags, d...)

	for _, decl := range cfg.Pipelines {
		pl, d := p.compilePipeline(decl, opts.Registry)
		diags = append(diags, d...)
		if pl != nil {
			p.Pipelines = append(p.Pipelines, pl)
		}
	}
	return p, quench(config.Dedupe(suppressRepeats(cfg.Diagnostics, diags)))
}

func evalVariables(cfg *config.Config, opts Options) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	vals := map[string]cty.Value{}
	declared := map[string]bool{}
	for _, v := range cfg.Variables {
		declared[v.Name] = true
		val := v.Default
		raw, fromFlag := opts.Vars[v.Name]
		source := "-var " + v.Name
		if pinned, ok := opts.Pinned[v.Name]; ok {
			conv, err := convert.Convert(pinned, v.Type)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
					Detail: fmt.Sprintf("The saved plan's value for variable %q is not valid: %s.", v.Name, err), Subject: v.DeclRange.Ptr()})
				continue
			}
			val, fromFlag = conv, false
		} else if !fromFlag && !opts.Offline {
			raw, fromFlag = opts.Getenv("TOTE_VAR_" + v.Name)
			source = "TOTE_VAR_" + v.Name
		}
		if fromFlag {
			parsed, err := parseVarValue(raw, v.Type)
			if err != nil {
				diags = append(diags, badVarValue(v.Name, source, raw, v.Type, v.Sensitive, err, v.DeclRange))
				// Unknown, so that what uses it reports nothing more.
				vals[v.Name] = cty.UnknownVal(v.Type)
				continue
			}
			val = parsed
		}
		if val == cty.NilVal {
			if !opts.Offline {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No value for required variable",
					Detail:  fmt.Sprintf("Variable %q has no default. Set it with -var %s=VALUE or the environment variable TOTE_VAR_%s.", v.Name, v.Name, v.Name),
					Subject: v.DeclRange.Ptr()})
			}
			val = cty.UnknownVal(v.Type)
		}
		if v.Sensitive {
			val = val.Mark(lang.Sensitive)
		}
		vals[v.Name] = val
	}
	for name := range opts.Vars {
		if !declared[name] {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value for undeclared variable",
				Detail: fmt.Sprintf("-var %s: a value was given for variable %q, which no variable block declares.%s",
					name, name, suggest(name, sortedKeys(declared), ""))})
		}
	}
	if len(vals) == 0 {
		return cty.EmptyObjectVal, diags
	}
	return cty.ObjectVal(vals), diags
}

func parseVarValue(raw string, t cty.Type) (cty.Value, error) {
	if t == cty.String {
		return cty.StringVal(raw), nil
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), "<value>", hcl.InitialPos)
	if diags.HasErrors() {
		if t == cty.DynamicPseudoType {
			return cty.StringVal(raw), nil
		}
		return cty.NilVal, diags
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		if t == cty.DynamicPseudoType {
			return cty.StringVal(raw), nil
		}
		return cty.NilVal, diags
	}
	return convert.Convert(val, t)
}

// evalLocals evaluates locals in dependency order; locals may refer to
// variables and to other locals.
func evalLocals(cfg *config.Config, vars cty.Value, funcs map[string]function.Function) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	pending := map[string]*config.Local{}
	for _, l := range cfg.Locals {
		pending[l.Name] = l
	}
	done := map[string]cty.Value{}
	for len(pending) > 0 {
		progress := false
		for _, name := range sortedKeys(pending) {
			l := pending[name]
			ready := true
			for _, trav := range l.Expr.Variables() {
				switch trav.RootName() {
				case "var":
				case "local":
					dep := attrName(trav)
					if _, ok := done[dep]; !ok && dep != "" {
						if _, declared := pending[dep]; declared {
							ready = false
						}
					}
				default:
					diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid reference in locals",
						Detail:  fmt.Sprintf("Locals can refer to var.* and local.* only, not to %s.", trav.RootName()),
						Subject: trav.SourceRange().Ptr()})
				}
			}
			if !ready {
				continue
			}
			ctx := &hcl.EvalContext{Functions: funcs, Variables: map[string]cty.Value{
				"var": vars, "local": objectOf(done),
			}}
			val, d := l.Expr.Value(ctx)
			diags = append(diags, d...)
			if d.HasErrors() {
				val = cty.DynamicVal
			}
			done[name] = val
			delete(pending, name)
			progress = true
		}
		if !progress {
			names := sortedKeys(pending)
			for _, name := range names {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cycle in locals",
					Detail:  fmt.Sprintf("Local %q is part of a cycle among locals %s.", name, strings.Join(names, ", ")),
					Subject: pending[name].DeclRange.Ptr()})
				done[name] = cty.DynamicVal
			}
			break
		}
	}
	return objectOf(done), diags
}

func (p *Program) compileConnections(reg *connectors.Registry, funcs map[string]function.Function) hcl.Diagnostics {
	var diags hcl.Diagnostics
	ctx := &hcl.EvalContext{Functions: funcs, Variables: map[string]cty.Value{"var": p.Vars, "local": p.Locals}}
	for _, decl := range p.Config.Connections {
		c, ok := reg.Connector(decl.Type)
		if !ok {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown connector",
				Detail:  fmt.Sprintf("There is no connector %q.%s", decl.Type, suggest(decl.Type, reg.Types(), "Known connectors: ")),
				Subject: decl.TypeRange.Ptr()})
			continue
		}
		spec := c.Spec()
		meta, rest, d := decl.Body.PartialContent(connectionMeta)
		diags = append(diags, d...)
		enabled := true
		if a := meta.Attributes["enabled"]; a != nil {
			var d hcl.Diagnostics
			enabled, d = evalEnabled(a.Expr, ctx, p.Offline)
			diags = append(diags, d...)
		}
		val, d := decodeBody(rest, spec.Config, ctx)
		diags = append(diags, d...)
		routeKey := ""
		if spec.RouteKey != nil && !d.HasErrors() {
			clean, _ := val.UnmarkDeep()
			routeKey = spec.RouteKey(clean)
		}
		p.Connections = append(p.Connections, &Connection{
			Type: decl.Type, Name: decl.Name, Connector: c, Spec: spec, Values: markSensitiveAttrs(val, spec.Config), Decl: decl,
			Enabled: enabled, RouteKey: routeKey, addr: "connection." + decl.Type + "." + decl.Name,
		})
	}
	return diags
}

// connectionMeta is what a connection block holds besides its connector's
// settings.
var connectionMeta = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "enabled"}}}

// evalEnabled evaluates a connection's enabled argument, which must be
// known when the program is compiled (variables and env() are).
// Offline, where env() is unknown, an unknown value counts as enabled.
func evalEnabled(expr hcl.Expression, ctx *hcl.EvalContext, offline bool) (bool, hcl.Diagnostics) {
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return true, diags
	}
	v, _ = v.Unmark()
	b, err := convert.Convert(v, cty.Bool)
	switch {
	case err != nil || b.IsNull():
		return true, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid enabled",
			Detail: "enabled must be true or false.", Subject: expr.Range().Ptr()}}
	case !b.IsKnown() && offline:
		return true, nil
	case !b.IsKnown():
		return true, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid enabled",
			Detail:  "enabled must be known before any run: use variables and env() with a default, not values only a run knows.",
			Subject: expr.Range().Ptr()}}
	}
	return b.True(), nil
}

// ConnectionsValue is what connection.<type>.<name> evaluates to.
func (p *Program) ConnectionsValue() cty.Value {
	byType := map[string]map[string]cty.Value{}
	for _, c := range p.Connections {
		if byType[c.Type] == nil {
			byType[c.Type] = map[string]cty.Value{}
		}
		byType[c.Type][c.Name] = cty.ObjectVal(map[string]cty.Value{
			"type": cty.StringVal(c.Type), "name": cty.StringVal(c.Name),
		})
	}
	out := map[string]cty.Value{}
	for t, m := range byType {
		out[t] = cty.ObjectVal(m)
	}
	return objectOf(out)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func attrName(trav hcl.Traversal) string {
	if len(trav) < 2 {
		return ""
	}
	if a, ok := trav[1].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}
