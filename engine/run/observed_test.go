package run

import (
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/state"
)

// A done create is repeated only when the connector saw the target gone.
func TestDoneBeforeHonoursAnObservedAbsence(t *testing.T) {
	done := state.Intent{Status: state.IntentDone}
	if !doneBefore(done, connectors.Change{Op: connectors.OpCreate}) {
		t.Error("an unread create (an email) counts as done")
	}
	if doneBefore(done, connectors.Change{Op: connectors.OpCreate, Observed: true}) {
		t.Error("a create of a target read as gone counts as done")
	}
}
