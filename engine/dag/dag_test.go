package dag

import (
	"slices"
	"testing"
)

func TestAddIsIdempotent(t *testing.T) {
	g := New()
	g.Add("step.b")
	g.Add("step.a")
	g.Add("step.b")
	if got, want := g.Nodes(), []string{"step.a", "step.b"}; !slices.Equal(got, want) {
		t.Fatalf("Nodes() = %q, want %q", got, want)
	}
}

func TestConnectAddsBothNodesAndDirectEdgesOnly(t *testing.T) {
	g := New()
	g.Connect("step.upsert", "transform.order")
	g.Connect("transform.order", "step.orders")
	g.Connect("step.upsert", "step.lookup")
	g.Connect("step.upsert", "transform.order") // duplicate edge

	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"Nodes", g.Nodes(), []string{"step.lookup", "step.orders", "step.upsert", "transform.order"}},
		{"DependenciesOf(upsert)", g.DependenciesOf("step.upsert"), []string{"step.lookup", "transform.order"}},
		{"DependenciesOf(orders)", g.DependenciesOf("step.orders"), []string{}},
		{"DependentsOf(orders)", g.DependentsOf("step.orders"), []string{"transform.order"}},
		{"DependentsOf(upsert)", g.DependentsOf("step.upsert"), []string{}},
		{"DependentsOf(unknown)", g.DependentsOf("step.nope"), []string{}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// build makes a graph from "dependent dependency" pairs and lone nodes.
func build(nodes []string, edges [][2]string) *Graph {
	g := New()
	for _, n := range nodes {
		g.Add(n)
	}
	for _, e := range edges {
		g.Connect(e[0], e[1])
	}
	return g
}
