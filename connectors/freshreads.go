package connectors

import "context"

type freshReadsKey struct{}

// WithFreshReads marks ctx as planning from the targets as they are now:
// `tote plan` and `tote apply` must show the vendors' truth, so a connector
// reads each target and answers from no memory of its own recent writes or
// of recent proofs of absence. `tote run` leaves it unset, and connectors
// may answer from such short-lived memories to save calls.
func WithFreshReads(ctx context.Context) context.Context {
	return context.WithValue(ctx, freshReadsKey{}, true)
}

// FreshReads reports whether ctx asks for fresh reads.
func FreshReads(ctx context.Context) bool {
	v, _ := ctx.Value(freshReadsKey{}).(bool)
	return v
}
