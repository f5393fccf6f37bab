package cli

import (
	"context"
	"fmt"

	"github.com/toteworks/tote/engine/compile"
)

func cmdGraph(_ context.Context, env Env, args []string) int {
	fs := newFlags("graph", "graph [-pipeline P] [-format dot|mermaid] [DIR]", env.Stderr)
	pipeline := fs.String("pipeline", "", "only this pipeline")
	format := fs.String("format", "dot", "dot or mermaid")
	var c common
	c.register(fs, env, false)
	pos, err := parse(fs, args)
	if err != nil {
		return exitError
	}
	if len(pos) == 1 {
		c.dir = pos[0]
	}
	if *format != "dot" && *format != "mermaid" {
		fmt.Fprintf(env.Stderr, "Error: -format is dot or mermaid, not %q\n", *format)
		return exitError
	}
	prog, ok := load(env, c.dir, c.vars, true)
	if !ok {
		return exitError
	}
	found := false
	for _, pl := range prog.Pipelines {
		if *pipeline != "" && pl.Name != *pipeline {
			continue
		}
		found = true
		label := func(id string) string {
			n := pl.Nodes[id]
			if n != nil && n.Kind == compile.StepNode {
				return id + "\n" + n.ActionName
			}
			return id
		}
		if *format == "mermaid" {
			fmt.Fprintf(env.Stdout, "%%%% pipeline %q\n", pl.Name)
			fmt.Fprint(env.Stdout, pl.Graph.Mermaid(label))
		} else {
			fmt.Fprint(env.Stdout, pl.Graph.DOT(pl.Name, label))
		}
	}
	if !found {
		fmt.Fprintf(env.Stderr, "Error: no pipeline %q\n", *pipeline)
		return exitError
	}
	return exitOK
}
