package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// checkDuplicates reports every name declared twice, pointing at the second
// declaration and naming the first.
func (c *Config) checkDuplicates() hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]hcl.Range{}
	check := func(kind, key string, rng hcl.Range) {
		if first, dup := seen[kind+" "+key]; dup {
			what := fmt.Sprintf("%s %q", kind, key)
			if p, name, ok := strings.Cut(key, "/"); ok {
				what = fmt.Sprintf("%s %q in pipeline %q", kind, name, p)
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate " + kind,
				Detail: fmt.Sprintf("The %s was already declared at %s:%d:%d. Names must be unique.",
					what, first.Filename, first.Start.Line, first.Start.Column),
				Subject: rng.Ptr(),
			})
			return
		}
		seen[kind+" "+key] = rng
	}
	for _, v := range c.Variables {
		check("variable", v.Name, v.DeclRange)
	}
	for _, l := range c.Locals {
		check("local", l.Name, l.DeclRange)
	}
	for _, conn := range c.Connections {
		check("connection", conn.Type+"."+conn.Name, conn.DeclRange)
	}
	for _, p := range c.Pipelines {
		if _, dup := seen["pipeline "+p.Name]; dup {
			check("pipeline", p.Name, p.DeclRange)
			continue // its blocks would only repeat the first pipeline's names
		}
		check("pipeline", p.Name, p.DeclRange)
		for _, t := range p.Triggers {
			check("trigger", p.Name+"/"+t.Name, t.DeclRange)
		}
		for _, t := range p.Transforms {
			check("transform", p.Name+"/"+t.Name, t.DeclRange)
		}
		for _, s := range p.Steps {
			check("step", p.Name+"/"+s.Name, s.DeclRange)
		}
	}
	return diags
}
