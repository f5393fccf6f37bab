package bigcommerce

import (
	"context"
	"sync"
	"time"
)

// batcher coalesces reads. Keys asked for within window of the first
// request, or while a fetch is in flight, are fetched together, so a burst
// of runs costs as few calls as the keys allow. Nothing is kept once a
// batch is answered.
type batcher[K comparable, V any] struct {
	window time.Duration
	// base outlives any one caller: a merged fetch serves them all.
	base  context.Context
	fetch func(ctx context.Context, keys []K) (map[K]V, error)

	mu        sync.Mutex
	waiting   []*batchReq[K, V]
	scheduled bool
	running   bool
}

type batchReq[K comparable, V any] struct {
	keys []K
	done chan struct{}
	res  map[K]V
	err  error
}

// get returns what was found among keys, by key.
func (b *batcher[K, V]) get(ctx context.Context, keys []K) (map[K]V, error) {
	r := &batchReq[K, V]{keys: keys, done: make(chan struct{})}
	b.mu.Lock()
	b.waiting = append(b.waiting, r)
	if !b.scheduled && !b.running {
		b.scheduled = true
		time.AfterFunc(b.window, b.flush)
	}
	b.mu.Unlock()
	select {
	case <-r.done:
		return r.res, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// flush fetches everything waiting, then starts again at once if more
// arrived meanwhile.
func (b *batcher[K, V]) flush() {
	b.mu.Lock()
	batch := b.waiting
	b.waiting, b.scheduled, b.running = nil, false, true
	b.mu.Unlock()

	seen := map[K]bool{}
	var keys []K
	for _, r := range batch {
		for _, k := range r.keys {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	res, err := b.fetch(b.base, keys)
	for _, r := range batch {
		r.res, r.err = res, err
		close(r.done)
	}

	b.mu.Lock()
	b.running = false
	if len(b.waiting) > 0 && !b.scheduled {
		b.scheduled = true
		go b.flush()
	}
	b.mu.Unlock()
}
