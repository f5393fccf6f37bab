package dag

import (
	"slices"
	"strings"
)

// CycleError reports the cycles that make a graph impossible to order.
type CycleError struct {
	Cycles [][]string // as returned by Graph.Cycles
}

func (e *CycleError) Error() string {
	parts := make([]string, len(e.Cycles))
	for i, c := range e.Cycles {
		parts[i] = strings.Join(c, ", ")
	}
	return "dependency cycle among " + strings.Join(parts, "; and among ")
}

// Cycles returns every cycle in the graph as a strongly connected component:
// one with more than one member, or a single node that depends on itself.
// Members are sorted and components are sorted by their first member.
func (g *Graph) Cycles() [][]string {
	t := tarjan{g: g, index: map[string]int{}, low: map[string]int{}, onStack: map[string]bool{}}
	for _, id := range g.Nodes() {
		if _, seen := t.index[id]; !seen {
			t.visit(id)
		}
	}
	slices.SortFunc(t.cycles, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return t.cycles
}

// tarjan is Tarjan's strongly connected components algorithm. Recursion
// depth is bounded by the length of the longest path, which is small for
// a pipeline.
type tarjan struct {
	g       *Graph
	next    int
	index   map[string]int
	low     map[string]int
	stack   []string
	onStack map[string]bool
	cycles  [][]string
}

func (t *tarjan) visit(id string) {
	t.index[id] = t.next
	t.low[id] = t.next
	t.next++
	t.stack = append(t.stack, id)
	t.onStack[id] = true

	for _, dep := range t.g.DependenciesOf(id) {
		if _, seen := t.index[dep]; !seen {
			t.visit(dep)
			t.low[id] = min(t.low[id], t.low[dep])
		} else if t.onStack[dep] {
			t.low[id] = min(t.low[id], t.index[dep])
		}
	}
	if t.low[id] != t.index[id] {
		return
	}

	var component []string
	for {
		top := t.stack[len(t.stack)-1]
		t.stack = t.stack[:len(t.stack)-1]
		t.onStack[top] = false
		component = append(component, top)
		if top == id {
			break
		}
	}
	_, selfEdge := t.g.deps[id][id]
	if len(component) > 1 || selfEdge {
		slices.Sort(component)
		t.cycles = append(t.cycles, component)
	}
}

// TopoOrder returns the nodes so that every node comes after its
// dependencies; among nodes that are ready together the lexically smallest
// comes first. It returns a *CycleError if the graph has a cycle.
func (g *Graph) TopoOrder() ([]string, error) {
	if cycles := g.Cycles(); len(cycles) > 0 {
		return nil, &CycleError{Cycles: cycles}
	}
	pending := map[string]int{}
	var ready []string // kept sorted
	for _, id := range g.Nodes() {
		pending[id] = len(g.deps[id])
		if pending[id] == 0 {
			ready = append(ready, id)
		}
	}
	order := make([]string, 0, len(g.nodes))
	for len(ready) > 0 {
		id := ready[0]
		ready = ready[1:]
		order = append(order, id)
		for _, d := range g.DependentsOf(id) {
			pending[d]--
			if pending[d] == 0 {
				i, _ := slices.BinarySearch(ready, d)
				ready = slices.Insert(ready, i, d)
			}
		}
	}
	return order, nil
}
