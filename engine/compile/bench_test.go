package compile_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
)

// fiftySteps is a pipeline of 50 steps: reads fanning into transforms and
// writes, each referring to earlier ones.
func fiftySteps() []byte {
	var b strings.Builder
	b.WriteString("connection \"memory\" \"m\" {}\npipeline \"big\" {\n")
	for i := 0; i < 50; i++ {
		switch {
		case i < 10:
			fmt.Fprintf(&b, "  step \"s%d\" {\n    action = memory.get\n    key    = \"k%d\"\n  }\n", i, i)
		default:
			fmt.Fprintf(&b, "  step \"s%d\" {\n    action = memory.put\n    key    = \"out/${step.s%d.output.key}\"\n    value  = { from = step.s%d.output.value, n = %d, up = upper(step.s%d.output.key) }\n  }\n",
				i, i%10, i-1, i, i-10)
		}
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

func BenchmarkCompile50Steps(b *testing.B) {
	src := fiftySteps()
	reg := connectors.MustRegistry(conntest.NewStore().Connector())
	b.ReportAllocs()
	for b.Loop() {
		cfg, diags := config.Parse(map[string][]byte{"big.hcl": src})
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		prog, diags := compile.Compile(cfg, compile.Options{Registry: reg})
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		if n := len(prog.Pipelines[0].Nodes); n != 50 {
			b.Fatalf("%d nodes", n)
		}
	}
}
