// Package dag is the small dependency graph tote builds for each pipeline:
// nodes are string ids such as "step.upsert" or "transform.x", and an edge
// says that one node runs after another. It finds cycles, orders nodes
// topologically, walks them in parallel and renders them as DOT or Mermaid.
package dag

import (
	"maps"
	"slices"
	"sync/atomic"
)

// Graph is a directed graph of node ids. The zero value is not usable; call
// New. A Graph is not safe for concurrent mutation, but Walk and the read
// methods may run concurrently with each other.
type Graph struct {
	nodes map[string]struct{}
	// deps[a] holds the nodes a depends on; dependents is its inverse.
	deps       map[string]map[string]struct{}
	dependents map[string]map[string]struct{}
	// idx is what every Walk reads, built on first use after a change:
	// a pipeline's graph is walked once per event but never changes.
	idx atomic.Pointer[index]
}

// index is a read-only view of a Graph: its nodes and each node's
// dependents, sorted, and its cycles.
type index struct {
	nodes      []string
	dependents map[string][]string
	cycles     [][]string
	// pos is each node's position in nodes, and ndeps its number of
	// dependencies: a walk keeps its per-node state in slices, not maps.
	pos   map[string]int
	ndeps []int
}

// index returns the graph's index, building it if the graph changed.
// Concurrent first calls may each build one; they are equal.
func (g *Graph) index() *index {
	if x := g.idx.Load(); x != nil {
		return x
	}
	x := &index{nodes: g.Nodes(), dependents: make(map[string][]string, len(g.dependents)), cycles: g.Cycles()}
	for id := range g.dependents {
		x.dependents[id] = g.DependentsOf(id)
	}
	x.pos, x.ndeps = make(map[string]int, len(x.nodes)), make([]int, len(x.nodes))
	for i, id := range x.nodes {
		x.pos[id], x.ndeps[i] = i, len(g.deps[id])
	}
	g.idx.Store(x)
	return x
}

// New returns an empty graph.
func New() *Graph {
	return &Graph{
		nodes:      map[string]struct{}{},
		deps:       map[string]map[string]struct{}{},
		dependents: map[string]map[string]struct{}{},
	}
}

// Add adds the node id; adding an existing node does nothing.
func (g *Graph) Add(id string) {
	g.nodes[id] = struct{}{}
	g.idx.Store(nil)
}

// Connect records that dependent runs after dependency, adding both nodes.
func (g *Graph) Connect(dependent, dependency string) {
	g.Add(dependent)
	g.Add(dependency)
	link(g.deps, dependent, dependency)
	link(g.dependents, dependency, dependent)
	g.idx.Store(nil)
}

func link(m map[string]map[string]struct{}, from, to string) {
	set := m[from]
	if set == nil {
		set = map[string]struct{}{}
		m[from] = set
	}
	set[to] = struct{}{}
}

// Nodes returns every node id, sorted.
func (g *Graph) Nodes() []string {
	return sortedKeys(g.nodes)
}

// DependenciesOf returns the nodes id directly depends on, sorted.
func (g *Graph) DependenciesOf(id string) []string {
	return sortedKeys(g.deps[id])
}

// DependentsOf returns the nodes that directly depend on id, sorted.
func (g *Graph) DependentsOf(id string) []string {
	return sortedKeys(g.dependents[id])
}

// sortedKeys never returns nil, so callers can compare results with an
// empty literal without special cases.
func sortedKeys[V any](m map[string]V) []string {
	keys := slices.Sorted(maps.Keys(m))
	if keys == nil {
		keys = []string{}
	}
	return keys
}
