package intake

import (
	"fmt"
	"testing"

	"github.com/toteworks/tote/engine/state"
)

// A delivery with a key always goes to the same lane, and keys spread
// over the lanes; one without goes to the first lane not committing, and
// when every lane is, to the one with the fewest waiting.
func TestPickLanes(t *testing.T) {
	j := &Journal{}
	for range 3 {
		j.lanes = append(j.lanes, &lane{reqs: make(chan request, 4)})
	}
	j.write = j.lanes
	keyed := func(k string) []state.NewItem { return []state.NewItem{{Pipeline: "p", Trigger: "t", Key: k}} }
	used := map[*lane]bool{}
	for i := range 30 {
		k := fmt.Sprint("order-", i)
		l := j.pick(keyed(k))
		j.lanes[0].busy.Store(i%2 == 0) // being busy changes nothing for a key
		if j.pick(keyed(k)) != l {
			t.Fatalf("%s went to two lanes", k)
		}
		used[l] = true
	}
	if len(used) != 3 {
		t.Errorf("30 keys used %d of 3 lanes", len(used))
	}

	none := []state.NewItem{{Pipeline: "p", Trigger: "t"}}
	j.lanes[0].busy.Store(false)
	if j.pick(none) != j.lanes[0] {
		t.Error("all idle: not the first lane")
	}
	j.lanes[0].busy.Store(true)
	if j.pick(none) != j.lanes[1] {
		t.Error("the first committing: not the second lane")
	}
	j.lanes[1].busy.Store(true)
	j.lanes[2].busy.Store(true)
	j.lanes[0].reqs <- request{}
	j.lanes[2].reqs <- request{}
	if j.pick(none) != j.lanes[1] {
		t.Error("all committing: not the lane with the fewest waiting")
	}
}
