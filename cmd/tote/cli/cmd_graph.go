package cli

import (
	"context"
	"fmt"
	"strings"

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
	var selected []*compile.Pipeline
	for _, pl := range prog.Pipelines {
		if *pipeline == "" || pl.Name == *pipeline {
			selected = append(selected, pl)
		}
	}
	if len(selected) == 0 {
		fmt.Fprintf(env.Stderr, "Error: no pipeline %q\n", *pipeline)
		return exitError
	}
	if *format == "mermaid" && len(selected) > 1 {
		fmt.Fprint(env.Stdout, mermaidPipelines(selected))
		return exitOK
	}
	for _, pl := range selected {
		if *format == "mermaid" {
			fmt.Fprintf(env.Stdout, "%%%% pipeline %q\n", pl.Name)
			if fe := instancesNote(pl); fe != "" {
				fmt.Fprintf(env.Stdout, "%%%% %s\n", fe)
			}
			fmt.Fprint(env.Stdout, pl.Graph.Mermaid(nodeLabel(pl)))
		} else {
			if fe := instancesNote(pl); fe != "" {
				fmt.Fprintf(env.Stdout, "// pipeline %q: %s\n", pl.Name, fe)
			}
			fmt.Fprint(env.Stdout, pl.Graph.DOT(pl.Name, nodeLabel(pl)))
		}
	}
	return exitOK
}

func nodeLabel(pl *compile.Pipeline) func(string) string {
	return func(id string) string {
		n := pl.Nodes[id]
		if n != nil && n.Kind == compile.StepNode {
			if n.Instanced {
				return id + "\n" + n.ActionName + " (per instance)"
			}
			return id + "\n" + n.ActionName
		}
		return id
	}
}

// instancesNote says, for a pipeline with for_each, which instances run
// the graph; "" for any other.
func instancesNote(pl *compile.Pipeline) string {
	if pl.ForEach == nil {
		return ""
	}
	names := make([]string, 0, len(pl.ForEach.Instances))
	for _, c := range pl.ForEach.Instances {
		names = append(names, c.Name)
	}
	if len(names) == 0 {
		return fmt.Sprintf("one instance per enabled %s connection (none enabled)", pl.ForEach.Type)
	}
	return fmt.Sprintf("one instance per enabled %s connection: %s", pl.ForEach.Type, strings.Join(names, ", "))
}

// mermaidPipelines draws several pipelines as one diagram, a subgraph each,
// so it renders as a whole.
func mermaidPipelines(pls []*compile.Pipeline) string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for i, pl := range pls {
		title := "pipeline " + pl.Name
		if pl.ForEach != nil {
			title += ", per " + pl.ForEach.Type + " connection"
		}
		fmt.Fprintf(&b, "  subgraph p%d[\"%s\"]\n", i, title)
		ids := map[string]string{}
		label := nodeLabel(pl)
		for j, id := range pl.Graph.Nodes() {
			ids[id] = fmt.Sprintf("p%dn%d", i, j)
			text := strings.ReplaceAll(strings.ReplaceAll(label(id), `"`, "#quot;"), "\n", "<br>")
			fmt.Fprintf(&b, "    %s[\"%s\"]\n", ids[id], text)
		}
		for _, id := range pl.Graph.Nodes() {
			for _, dep := range pl.Graph.DependenciesOf(id) {
				fmt.Fprintf(&b, "    %s --> %s\n", ids[dep], ids[id])
			}
		}
		b.WriteString("  end\n")
	}
	return b.String()
}
