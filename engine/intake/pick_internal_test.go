package intake

import "testing"

// A delivery goes to the first lane not committing, and when every lane
// is, to the one with the fewest waiting.
func TestPickPrefersAnIdleLane(t *testing.T) {
	j := &Journal{}
	for range 3 {
		j.lanes = append(j.lanes, &lane{reqs: make(chan request, 4)})
	}
	if j.pick() != j.lanes[0] {
		t.Error("all idle: not the first lane")
	}
	j.lanes[0].busy.Store(true)
	if j.pick() != j.lanes[1] {
		t.Error("the first committing: not the second lane")
	}
	j.lanes[1].busy.Store(true)
	j.lanes[2].busy.Store(true)
	j.lanes[0].reqs <- request{}
	j.lanes[2].reqs <- request{}
	if j.pick() != j.lanes[1] {
		t.Error("all committing: not the lane with the fewest waiting")
	}
}
