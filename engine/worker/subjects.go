package worker

import (
	"cmp"
	"slices"
	"strings"

	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
	"github.com/zclconf/go-cty/cty"
)

// maxSubjectValues bounds the ids a log line lists per kind.
const maxSubjectValues = 10

// subjectAttrs are log attributes naming the orders and SKUs an item's
// event concerns ("order", "sku"), so that an operator can grep the log for
// one order: what the item was indexed under, worked out again from its
// decoded event (of trigger t) instead of read back, and what its run
// learnt. None when the event names none.
func subjectAttrs(t *compile.Trigger, ev run.Event, learnt []state.Subject) []any {
	var subs []state.Subject
	if t != nil && ev.Data != cty.NilVal {
		subs = run.Subjects(t, ev.Data)
	}
	subs = append(subs, learnt...)
	if len(subs) == 0 {
		return nil
	}
	// In the order the index lists them (by kind, then value), once each.
	slices.SortFunc(subs, func(a, b state.Subject) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Value, b.Value))
	})
	subs = slices.Compact(subs)
	byKind := map[string][]string{}
	var kinds []string
	for _, s := range subs {
		if _, ok := byKind[s.Kind]; !ok {
			kinds = append(kinds, s.Kind)
		}
		byKind[s.Kind] = append(byKind[s.Kind], s.Value)
	}
	var attrs []any
	for _, k := range kinds {
		vals := byKind[k]
		if len(vals) > maxSubjectValues {
			vals = append(vals[:maxSubjectValues:maxSubjectValues], "...")
		}
		attrs = append(attrs, k, strings.Join(vals, ","))
	}
	return attrs
}
