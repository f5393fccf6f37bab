package dag

import (
	"fmt"
	"strings"
)

// DOT renders the graph in Graphviz's DOT language as `digraph "name"`,
// with edges drawn from dependency to dependent so arrows follow execution.
// label gives each node's text; nil uses the id. Output is deterministic.
func (g *Graph) DOT(name string, label func(id string) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotQuote(name))
	b.WriteString("  rankdir=LR;\n")
	for _, id := range g.Nodes() {
		fmt.Fprintf(&b, "  %s [label=%s];\n", dotQuote(id), dotQuote(labelOf(label, id)))
	}
	for _, id := range g.Nodes() {
		for _, d := range g.DependentsOf(id) {
			fmt.Fprintf(&b, "  %s -> %s;\n", dotQuote(id), dotQuote(d))
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// Mermaid renders the graph as a Mermaid `flowchart LR`, edges from
// dependency to dependent. Node ids are n0, n1, ... in sorted order of the
// tote ids, so they are stable for a given graph and never need escaping;
// the text shown is label(id), or the id when label is nil.
func (g *Graph) Mermaid(label func(id string) string) string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	nodes := g.Nodes()
	key := make(map[string]string, len(nodes))
	for i, id := range nodes {
		key[id] = fmt.Sprintf("n%d", i)
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", key[id], mermaidEscape(labelOf(label, id)))
	}
	for _, id := range nodes {
		for _, d := range g.DependentsOf(id) {
			fmt.Fprintf(&b, "  %s --> %s\n", key[id], key[d])
		}
	}
	return b.String()
}

func labelOf(label func(string) string, id string) string {
	if label == nil {
		return id
	}
	return label(id)
}

// dotQuote makes a DOT quoted string. Backslashes are doubled so that a
// label is shown literally rather than read as a DOT escape such as \l.
func dotQuote(s string) string {
	return `"` + dotEscaper.Replace(s) + `"`
}

var dotEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// mermaidEscape replaces the characters that would end or break a quoted
// Mermaid label with Mermaid's entity codes.
var mermaidEscape = strings.NewReplacer(`"`, "#quot;", "\n", "<br>").Replace
