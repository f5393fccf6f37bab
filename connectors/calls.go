package connectors

import (
	"context"
	"time"
)

// CallObserver learns of the vendor calls made under a context: tote's
// progress line and its periodic summary count them. Its methods may be
// called concurrently and must not block.
type CallObserver interface {
	// VendorCall is one call about to be made, after waited for the
	// rate budget.
	VendorCall(waited time.Duration)
	// VendorThrottled is one call the vendor answered with 429.
	VendorThrottled()
}

type callObserverKey struct{}

// WithCallObserver returns ctx carrying o; connectors report the calls made
// under it. An observer already in ctx is replaced.
func WithCallObserver(ctx context.Context, o CallObserver) context.Context {
	return context.WithValue(ctx, callObserverKey{}, o)
}

// ObserveCall reports a call made under ctx that waited for its budget.
func ObserveCall(ctx context.Context, waited time.Duration) {
	if o, ok := ctx.Value(callObserverKey{}).(CallObserver); ok {
		o.VendorCall(waited)
	}
}

// ObserveThrottled reports a 429 answered to a call made under ctx.
func ObserveThrottled(ctx context.Context) {
	if o, ok := ctx.Value(callObserverKey{}).(CallObserver); ok {
		o.VendorThrottled()
	}
}
