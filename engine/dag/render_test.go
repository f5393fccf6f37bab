package dag

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func renderGraph(reverse bool) *Graph {
	edges := [][2]string{
		{"transform.order", "step.orders"},
		{"step.upsert", "transform.order"},
		{"step.upsert", "step.lookup"},
	}
	g := New()
	if reverse {
		for i := len(edges) - 1; i >= 0; i-- {
			g.Connect(edges[i][0], edges[i][1])
		}
		return g
	}
	for _, e := range edges {
		g.Connect(e[0], e[1])
	}
	return g
}

func TestDOT(t *testing.T) {
	label := func(id string) string {
		if id == "step.upsert" {
			return `upsert "order"` + "\n" + `C:\x`
		}
		return strings.ToUpper(id)
	}
	want := `digraph "orders \"main\"" {
  rankdir=LR;
  "step.lookup" [label="STEP.LOOKUP"];
  "step.orders" [label="STEP.ORDERS"];
  "step.upsert" [label="upsert \"order\"\nC:\\x"];
  "transform.order" [label="TRANSFORM.ORDER"];
  "step.lookup" -> "step.upsert";
  "step.orders" -> "transform.order";
  "transform.order" -> "step.upsert";
}
`
	for _, reverse := range []bool{false, true} {
		if diff := cmp.Diff(want, renderGraph(reverse).DOT(`orders "main"`, label)); diff != "" {
			t.Errorf("DOT (reverse insertion %v) mismatch (-want +got):\n%s", reverse, diff)
		}
	}
}

func TestDOTNilLabelUsesID(t *testing.T) {
	g := New()
	g.Add("step.a")
	want := "digraph \"p\" {\n  rankdir=LR;\n  \"step.a\" [label=\"step.a\"];\n}\n"
	if got := g.DOT("p", nil); got != want {
		t.Errorf("DOT = %q, want %q", got, want)
	}
}

func TestMermaid(t *testing.T) {
	label := func(id string) string {
		if id == "step.upsert" {
			return `upsert "order"` + "\nbatched"
		}
		return id
	}
	want := `flowchart LR
  n0["step.lookup"]
  n1["step.orders"]
  n2["upsert #quot;order#quot;<br>batched"]
  n3["transform.order"]
  n0 --> n2
  n1 --> n3
  n3 --> n2
`
	for _, reverse := range []bool{false, true} {
		if diff := cmp.Diff(want, renderGraph(reverse).Mermaid(label)); diff != "" {
			t.Errorf("Mermaid (reverse insertion %v) mismatch (-want +got):\n%s", reverse, diff)
		}
	}
	if got := New().Mermaid(nil); got != "flowchart LR\n" {
		t.Errorf("empty Mermaid = %q", got)
	}
}
