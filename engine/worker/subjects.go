package worker

import (
	"context"
	"strings"

	"github.com/toteworks/tote/engine/state"
)

// maxSubjectValues bounds the ids a log line lists per kind.
const maxSubjectValues = 10

// subjectAttrs are log attributes naming the orders and SKUs an item's
// event concerns ("order", "sku"), so that an operator can grep the log for
// one order. None when the event names none or they cannot be read.
func (w *Worker) subjectAttrs(ctx context.Context, it state.Item) []any {
	subs, err := w.Store.SubjectsOf(context.WithoutCancel(ctx), it.ID)
	if err != nil || len(subs) == 0 {
		return nil
	}
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
