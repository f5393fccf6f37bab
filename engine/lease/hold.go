package lease

import (
	"context"

	"github.com/toteworks/tote/engine/state"
)

// Fenced is what writes under a lease (the engine): each of its writes
// checks the fence it was given, none when it is nil.
type Fenced interface {
	SetFence(*state.Fence)
}

// Hold takes the lease (see Acquire), fences f's writes with it, and renews
// it until release. Release stops the renewals (waiting for one under way),
// lifts the fence and gives the lease up. The caller watches Held.Lost.
func Hold(ctx context.Context, store *state.Store, opts Options, f Fenced) (held *Held, release func(), err error) {
	held, err = Acquire(ctx, store, opts)
	if err != nil {
		return nil, nil, err
	}
	fence := held.Fence()
	f.SetFence(&fence)
	keep, stop := context.WithCancel(ctx)
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		held.Keep(keep)
	}()
	return held, func() {
		stop()
		<-kept
		f.SetFence(nil)
		_ = held.Release(context.WithoutCancel(ctx))
	}, nil
}
