package dag

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCycles(t *testing.T) {
	tests := []struct {
		name  string
		nodes []string
		edges [][2]string
		want  [][]string
	}{
		{name: "empty"},
		{
			name:  "acyclic diamond",
			edges: [][2]string{{"b", "a"}, {"c", "a"}, {"d", "b"}, {"d", "c"}},
		},
		{
			name:  "self edge",
			nodes: []string{"a"},
			edges: [][2]string{{"b", "b"}},
			want:  [][]string{{"b"}},
		},
		{
			name:  "two-node cycle with a tail",
			edges: [][2]string{{"y", "x"}, {"x", "y"}, {"z", "x"}, {"x", "w"}},
			want:  [][]string{{"x", "y"}},
		},
		{
			name: "two separate cycles sorted by first member",
			edges: [][2]string{
				{"q", "r"}, {"r", "p"}, {"p", "q"}, // p q r
				{"b", "c"}, {"c", "b"}, // b c
				{"m", "m"},
			},
			want: [][]string{{"b", "c"}, {"m"}, {"p", "q", "r"}},
		},
		{
			name:  "one component with chords",
			edges: [][2]string{{"a", "b"}, {"b", "c"}, {"c", "a"}, {"a", "c"}, {"c", "d"}, {"d", "b"}},
			want:  [][]string{{"a", "b", "c", "d"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := build(tt.nodes, tt.edges).Cycles()
			if diff := cmp.Diff(tt.want, got, cmpEmpty); diff != "" {
				t.Errorf("Cycles() mismatch (-want +got):\n%s", diff)
			}
			// Insertion order must not matter.
			rev := slices.Clone(tt.edges)
			slices.Reverse(rev)
			if again := build(tt.nodes, rev).Cycles(); !cmp.Equal(got, again, cmpEmpty) {
				t.Errorf("Cycles() depends on insertion order: %q then %q", got, again)
			}
		})
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.FilterValues(func(a, b [][]string) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())

func TestTopoOrderIsDeterministicWithLexicalTieBreak(t *testing.T) {
	edges := [][2]string{
		{"step.upsert", "transform.order"},
		{"transform.order", "step.orders"},
		{"step.notify", "step.upsert"},
		{"step.audit", "step.orders"},
	}
	nodes := []string{"transform.zeta", "step.zz", "step.a"}
	want := []string{"step.a", "step.orders", "step.audit", "step.zz", "transform.order", "step.upsert", "step.notify", "transform.zeta"}

	for range 2 {
		got, err := build(nodes, edges).TopoOrder()
		if err != nil {
			t.Fatalf("TopoOrder() error: %v", err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("TopoOrder() = %q, want %q", got, want)
		}
		slices.Reverse(edges)
		slices.Reverse(nodes)
	}
}

func TestTopoOrderRejectsCycles(t *testing.T) {
	g := build([]string{"ok"}, [][2]string{{"a", "b"}, {"b", "a"}, {"c", "c"}})
	order, err := g.TopoOrder()
	if order != nil {
		t.Errorf("TopoOrder() order = %q, want nil", order)
	}
	var ce *CycleError
	if !errors.As(err, &ce) {
		t.Fatalf("TopoOrder() error = %v, want *CycleError", err)
	}
	if diff := cmp.Diff([][]string{{"a", "b"}, {"c"}}, ce.Cycles); diff != "" {
		t.Errorf("CycleError.Cycles mismatch (-want +got):\n%s", diff)
	}
	if got, want := err.Error(), "dependency cycle among a, b; and among c"; got != want {
		t.Errorf("error text = %q, want %q", got, want)
	}
}
