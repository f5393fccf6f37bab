package run

import (
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/state"
	"github.com/zclconf/go-cty/cty"
)

// NewItem is the inbox item for one event of trigger t of a pipeline: its
// stored payload and the orders and SKUs it concerns.
func NewItem(pipeline string, t *compile.Trigger, key string, data cty.Value) state.NewItem {
	data = unmarked(data)
	return state.NewItem{Pipeline: pipeline, Trigger: t.Name, Key: key, Payload: encodePlain(t, data), Subjects: subjectsOf(t, data)}
}

// Subjects names the orders and SKUs an event of trigger t concerns, as
// its connector reads them.
func Subjects(t *compile.Trigger, data cty.Value) []state.Subject {
	return subjectsOf(t, unmarked(data))
}

func subjectsOf(t *compile.Trigger, data cty.Value) []state.Subject {
	var out []state.Subject
	for _, s := range connectors.SubjectsOf(t.Spec, data) {
		out = append(out, state.Subject{Kind: s.Kind, Value: s.Value})
	}
	return out
}
