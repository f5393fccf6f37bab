// Package config parses a directory of pipeline files (*.hcl) into a
// configuration model of blocks, bodies and expressions. It evaluates
// nothing: compile resolves references and types, run evaluates.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Config is every file of a pipelines directory.
type Config struct {
	// Files maps file names to parsed files, for diagnostics with snippets.
	Files map[string]*hcl.File
	// Hash identifies the exact source: saved plans record it and apply
	// refuses a plan made from other files.
	Hash        string
	Variables   []*Variable
	Locals      []*Local
	Connections []*Connection
	Pipelines   []*Pipeline
	// moduleSrc holds the module files (modules/*.hcl) by name: each
	// module call parses its own copy.
	moduleSrc map[string][]byte
	// Diagnostics are what parsing reported: compile does not report a
	// mistake again within their subjects (a module reference left
	// unresolved, say).
	Diagnostics hcl.Diagnostics
	// Broken is true when a file did not parse; the model is then partial
	// and must not be compiled.
	Broken bool
}

// Variable is a `variable "<name>"` block.
type Variable struct {
	Name        string
	Description string
	Type        cty.Type
	Default     cty.Value // cty.NilVal when absent
	Sensitive   bool
	DeclRange   hcl.Range
}

// Local is one attribute of a `locals` block.
type Local struct {
	Name      string
	Expr      hcl.Expression
	DeclRange hcl.Range
}

// Connection is a `connection "<type>" "<name>"` block.
type Connection struct {
	Type, Name string
	Body       hcl.Body
	DeclRange  hcl.Range
	TypeRange  hcl.Range
}

// Address is how references name the connection.
func (c *Connection) Address() string { return "connection." + c.Type + "." + c.Name }

// Pipeline is a `pipeline "<name>"` block.
type Pipeline struct {
	Name        string
	Description string
	// ForEach is the `for_each` expression, or nil: connection.<type>
	// makes one instance of the pipeline per enabled connection of type.
	ForEach    hcl.Expression
	Triggers   []*Trigger
	Transforms []*Transform
	Steps      []*Step
	DeclRange  hcl.Range
}

// Trigger is a `trigger "<kind>" "<name>"` block.
type Trigger struct {
	Kind, Name string
	// Connection is the traversal given to `connection`, or nil.
	Connection hcl.Traversal
	// Schedule is the `schedule` expression, or nil.
	Schedule hcl.Expression
	// Overlap and CatchUp tune scheduled triggers.
	Overlap   hcl.Expression
	CatchUp   hcl.Expression
	Body      hcl.Body // the kind's own arguments
	DeclRange hcl.Range
	KindRange hcl.Range
}

// Transform is a `transform "<name>"` block: a named value, optionally one
// per for_each key.
type Transform struct {
	Name      string
	ForEach   hcl.Expression
	When      hcl.Expression
	Value     hcl.Expression
	DependsOn []hcl.Traversal
	DeclRange hcl.Range
}

// Step is a `step "<name>"` block.
type Step struct {
	Name        string
	Action      hcl.Traversal // <type>.<action>
	ActionRange hcl.Range
	Connection  hcl.Traversal // nil when defaulted
	ForEach     hcl.Expression
	When        hcl.Expression
	DependsOn   []hcl.Traversal
	Retry       *Retry
	Timeout     time.Duration
	OnError     string // "fail" (default) or "continue"
	Body        hcl.Body
	DeclRange   hcl.Range
}

// Retry is a step's `retry {}` block.
type Retry struct {
	Attempts int
	Backoff  time.Duration
	MaxDelay time.Duration
}

// Load parses every *.hcl file at the top of fsys, in name order, and the
// modules in its modules folder. Files are named dir/<name> in
// diagnostics, so users see paths they can open.
func Load(fsys fs.FS, dir string) (*Config, hcl.Diagnostics) {
	names, err := fs.Glob(fsys, "*.hcl")
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot list pipeline files", Detail: err.Error()}}
	}
	modules, err := fs.Glob(fsys, moduleDir+"/*.hcl")
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot list module files", Detail: err.Error()}}
	}
	names = append(names, modules...)
	sort.Strings(names)
	srcs := make(map[string][]byte, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read pipeline file", Detail: err.Error()}}
		}
		srcs[path.Join(dir, name)] = b
	}
	return Parse(srcs)
}

// Parse parses the given sources, keyed by file name. Files in a folder
// named modules are modules, used only by the pipelines that call them.
func Parse(srcs map[string][]byte) (*Config, hcl.Diagnostics) {
	names := make([]string, 0, len(srcs))
	for n := range srcs {
		names = append(names, n)
	}
	sort.Strings(names)
	cfg := &Config{Files: map[string]*hcl.File{}, moduleSrc: map[string][]byte{}}
	h := sha256.New()
	var diags hcl.Diagnostics
	var files []*hcl.File
	for _, name := range names {
		src := srcs[name]
		base := path.Base(name)
		if IsModuleFile(name) {
			base = moduleDir + "/" + base
			cfg.moduleSrc[name] = src
		}
		h.Write([]byte(base))
		h.Write([]byte{0})
		h.Write(src)
		h.Write([]byte{0})
		f, d := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		diags = append(diags, d...)
		if f == nil {
			continue
		}
		cfg.Files[name] = f
		if d.HasErrors() {
			cfg.Broken = true
			continue
		}
		if !IsModuleFile(name) {
			files = append(files, f)
		}
	}
	// Modules are all read before a pipeline calls one.
	for _, f := range files {
		diags = append(diags, cfg.decodeFile(f)...)
	}
	cfg.Hash = hex.EncodeToString(h.Sum(nil))
	diags = append(diags, cfg.checkDuplicates()...)
	cfg.Diagnostics = Dedupe(diags)
	return cfg, cfg.Diagnostics
}

// Pipeline returns the pipeline with the given name.
func (c *Config) Pipeline(name string) *Pipeline {
	for _, p := range c.Pipelines {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Connection returns the connection block with the given type and name.
func (c *Config) Connection(typ, name string) *Connection {
	for _, conn := range c.Connections {
		if conn.Type == typ && conn.Name == name {
			return conn
		}
	}
	return nil
}

func validName(kind, name string, rng hcl.Range) hcl.Diagnostics {
	if hclsyntax.ValidIdentifier(name) && !strings.Contains(name, "-") {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + kind + " name",
		Detail:   "A name must start with a letter or underscore and may contain only letters, digits and underscores.",
		Subject:  rng.Ptr(),
	}}
}
