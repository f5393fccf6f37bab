package state

import (
	"context"
	"time"
)

// urgentYield is the share of a batch that ordinary writes keep while
// urgent ones wait: enough for the worker to go on draining during a
// flood of webhooks, short enough that an urgent caller waits for about
// one commit.
const urgentYield = 2 * time.Millisecond

type urgentKey struct{}

// Urgent marks ctx's writes as urgent: a caller waits on them to answer
// someone (a webhook sender waits for its delivery to be committed), so
// they go before the queued writes of the worker, and a batch of those
// in progress is cut short for them. Durability is the same: an urgent
// write returns only once committed.
func Urgent(ctx context.Context) context.Context {
	return context.WithValue(ctx, urgentKey{}, true)
}

func isUrgent(ctx context.Context) bool {
	u, _ := ctx.Value(urgentKey{}).(bool)
	return u
}

// writeQueues are the writer's two queues as its goroutine reads them; a
// queue that is closed and empty becomes nil.
type writeQueues struct {
	urgent, reqs chan *writeReq
}

// next waits for a request, an urgent one first; false once both queues
// are closed and empty.
func (q *writeQueues) next() (*writeReq, bool) {
	for q.urgent != nil || q.reqs != nil {
		if q.urgent != nil {
			select {
			case r, ok := <-q.urgent:
				if !ok {
					q.urgent = nil
					continue
				}
				return r, true
			default:
			}
		}
		select {
		case r, ok := <-q.urgent:
			if !ok {
				q.urgent = nil
				continue
			}
			return r, true
		case r, ok := <-q.reqs:
			if !ok {
				q.reqs = nil
				continue
			}
			return r, true
		}
	}
	return nil, false
}

// fill adds what from holds now, without waiting, until batch has max
// requests.
func (q *writeQueues) fill(batch []*writeReq, from chan *writeReq, max int) []*writeReq {
	for from != nil && len(batch) < max {
		select {
		case r, ok := <-from:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}
