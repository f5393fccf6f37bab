package bigcommerce

import (
	"context"
	"sort"
	"sync"
	"time"
)

// batcher coalesces reads of orders. Ids asked for within window of the
// first request, or while a fetch is in flight, are fetched together, so a
// burst of runs costs as few list calls as the ranges of their ids allow.
type batcher struct {
	window time.Duration
	// base outlives any one caller: a merged fetch serves them all.
	base  context.Context
	fetch func(ctx context.Context, ids []int64) (map[int64]fullOrder, error)

	mu        sync.Mutex
	waiting   []*batchReq
	scheduled bool
	running   bool
}

type batchReq struct {
	ids  []int64
	done chan struct{}
	res  map[int64]fullOrder
	err  error
}

// get returns the orders among ids that exist, by id.
func (b *batcher) get(ctx context.Context, ids []int64) (map[int64]fullOrder, error) {
	r := &batchReq{ids: ids, done: make(chan struct{})}
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
func (b *batcher) flush() {
	b.mu.Lock()
	batch := b.waiting
	b.waiting, b.scheduled, b.running = nil, false, true
	b.mu.Unlock()

	seen := map[int64]bool{}
	var ids []int64
	for _, r := range batch {
		for _, id := range r.ids {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	res, err := b.fetch(b.base, ids)
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

// idRanges splits sorted ids into the fewest [first, last] ranges of at most
// pageLimit ids each, so every range is one list call of one page.
func idRanges(sorted []int64) [][2]int64 {
	var out [][2]int64
	for i := 0; i < len(sorted); {
		first := sorted[i]
		j := i
		for j+1 < len(sorted) && sorted[j+1]-first < pageLimit {
			j++
		}
		out = append(out, [2]int64{first, sorted[j]})
		i = j + 1
	}
	return out
}
