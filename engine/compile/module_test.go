package compile_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
)

// lookup is a module: a shop read of the id given, and its output.
const lookup = `variable "id" {
  type = number
}

variable "label" {
  type    = string
  default = "x"
}

step "get" {
  action = shop.get
  id     = var.id
}

transform "named" {
  value = join(":", [for part in [var.label, step.get.output] : part])
}

output "name" {
  value = transform.named
}
`

func compileModules(t *testing.T, pipeline string, modules map[string]string) (*compile.Program, hcl.Diagnostics) {
	t.Helper()
	srcs := map[string][]byte{"pipes/p.hcl": []byte(stores + pipeline)}
	for name, src := range modules {
		srcs["pipes/modules/"+name] = []byte(src)
	}
	cfg, diags := config.Parse(srcs)
	if diags.HasErrors() {
		return nil, diags
	}
	reg := connectors.MustRegistry(func() connectors.Connector { return shopConnector{} }, func() connectors.Connector { return hubConnector{} })
	return compile.Compile(cfg, compile.Options{Registry: reg, Getenv: func(string) (string, bool) { return "", false }})
}

func TestModuleCallsExpandIntoPrefixedBlocks(t *testing.T) {
	prog, diags := compileModules(t, `
pipeline "p" {
  for_each = connection.shop

  trigger "shop_webhook" "changed" {}

  module "first" {
    source = "./modules/lookup.hcl"
    id     = 1
  }

  module "second" {
    source = "./modules/lookup.hcl"
    id     = length(module.first.name)
    label  = "y"
  }

  transform "both" {
    value = [module.first.name, module.second.name]
  }

  step "after" {
    action     = shop.get
    depends_on = [module.second]
  }
}
`, map[string]string{"lookup.hcl": lookup})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	pl := prog.Pipeline("p")
	for _, addr := range []string{"step.first_get", "step.second_get", "transform.first_id", "transform.second_label", "transform.first_named", "transform.second_name"} {
		if pl.Nodes[addr] == nil {
			t.Errorf("no node %s", addr)
		}
	}
	edges := map[string][]string{
		"transform.both":         {"transform.first_name", "transform.second_name"},
		"transform.first_name":   {"transform.first_named"},
		"transform.first_named":  {"step.first_get", "transform.first_label"},
		"step.first_get":         {"transform.first_id"},
		"transform.second_id":    {"transform.first_name"},
		"step.after":             {"step.second_get", "transform.second_name"},
		"transform.second_named": {"transform.second_label"},
	}
	for from, tos := range edges {
		deps := strings.Join(pl.Graph.DependenciesOf(from), " ")
		for _, to := range tos {
			if !strings.Contains(" "+deps+" ", " "+to+" ") {
				t.Errorf("%s depends on [%s], not on %s", from, deps, to)
			}
		}
	}
	// A step of the module is instanced like the pipeline's own.
	if n := pl.Nodes["step.first_get"]; !n.Instanced {
		t.Error("the module's shop step does not use the pipeline's instance")
	}
}

func TestModuleMisuseIsDiagnosedAtItsSource(t *testing.T) {
	cases := []struct {
		name, pipeline, module string
		summary, file          string
		line                   int
	}{
		{name: "missing input", pipeline: `
  module "m" {
    source = "./modules/lookup.hcl"
  }`, summary: "Missing module input", file: "pipes/p.hcl", line: 21},
		{name: "unknown input", pipeline: `
  module "m" {
    source = "./modules/lookup.hcl"
    id     = 1
    idd    = 2
  }`, summary: "Unsupported module input", file: "pipes/p.hcl", line: 24},
		{name: "unknown output", pipeline: `
  module "m" {
    source = "./modules/lookup.hcl"
    id     = 1
  }
  transform "t" {
    value = module.m.nam
  }`, summary: "Reference to undeclared module output", file: "pipes/p.hcl", line: 26},
		{name: "unknown module", pipeline: `
  step "s" {
    action     = shop.get
    depends_on = [module.nope]
  }`, summary: "Reference to undeclared module", file: "pipes/p.hcl", line: 23},
		{name: "cycle", pipeline: `
  module "m" {
    source = "./modules/lookup.hcl"
    id     = length(module.m.name)
  }`, summary: "Dependency cycle", file: "pipes/modules/lookup.hcl", line: 10},
		{name: "missing source file", pipeline: `
  module "m" {
    source = "./modules/lookups.hcl"
    id     = 1
  }`, summary: "Module source not found", file: "pipes/p.hcl", line: 22},
		{name: "no source", pipeline: `
  module "m" {
    id = 1
  }`, summary: "Missing module source", file: "pipes/p.hcl", line: 21},
		{name: "input of the wrong type", pipeline: `
  module "m" {
    source = "./modules/lookup.hcl"
    id     = "one"
  }`, summary: "Invalid module input", file: "pipes/p.hcl", line: 23},
		{name: "reference outside the module", pipeline: `
  module "m" {
    source = "./modules/bad.hcl"
  }`, module: `
step "get" {
  action = shop.get
  id     = length(trigger.records)
}
`, summary: "Reference outside the module", file: "pipes/modules/bad.hcl", line: 4},
		{name: "undeclared input inside the module", pipeline: `
  module "m" {
    source = "./modules/bad.hcl"
  }`, module: `
step "get" {
  action = shop.get
  id     = var.id
}
`, summary: "Reference to undeclared module input", file: "pipes/modules/bad.hcl", line: 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "\npipeline \"p\" {\n  trigger \"shop_webhook\" \"changed\" {\n    connection = connection.shop.main\n  }\n" + c.pipeline + "\n}\n"
			modules := map[string]string{"lookup.hcl": lookup}
			if c.module != "" {
				modules["bad.hcl"] = c.module
			}
			_, diags := compileModules(t, src, modules)
			for _, d := range diags {
				if d.Summary == c.summary && d.Subject != nil && d.Subject.Filename == c.file && d.Subject.Start.Line == c.line {
					return
				}
			}
			t.Fatalf("want %q at %s:%d, got %v", c.summary, c.file, c.line, diags)
		})
	}
}

func TestMistakeInAModuleIsReportedOncePerPlace(t *testing.T) {
	src := `
pipeline "p" {
  module "a" {
    source = "./modules/bad.hcl"
  }

  module "b" {
    source = "./modules/bad.hcl"
  }
}
`
	_, diags := compileModules(t, src, map[string]string{"bad.hcl": "step \"get\" {\n  action = shop.get\n  id     = var.id\n}\n"})
	n := 0
	for _, d := range diags {
		if d.Summary == "Reference to undeclared module input" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the mistake is reported %d times: %v", n, diags)
	}
}
