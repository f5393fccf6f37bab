package sandbox

import (
	"strconv"
	"testing"

	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
)

// The first other channels' orders the warehouse handles meet every fate
// once, so even a short sandbox world cancels, holds, marks shipped and
// ships one, and its verdict checks each.
func TestWorldWorksEveryKindOfForeignOrder(t *testing.T) {
	f := startTestFakes(t)
	for i := range 4 {
		if _, err := f.ShipStation.AddForeignOrder(shipstationtest.ForeignOrder{Number: strconv.Itoa(900 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	w := &World{Fakes: f, Seed: 1, shipped: map[int64]bool{}, counts: map[string]int{}}
	w.work()
	got := w.Counts()
	for _, kind := range []string{"cancelled", "held", "marked shipped", "shipped"} {
		if got["other channels' orders "+kind] == 0 {
			t.Errorf("no other channel's order %s; the world did %v", kind, got)
		}
	}
}
