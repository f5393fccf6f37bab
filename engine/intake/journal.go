// Package intake is tote run's webhook intake in a process of its own
// (tote run -intake process): the intake process verifies deliveries,
// commits their events to a journal beside the state file and answers the
// sender; the serving process, at a lower CPU priority, moves the journal
// into the state's inbox. Acknowledgements then wait on no run's CPU.
package intake

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/toteworks/tote/engine/state"
)

// JournalPath is the journal of the SQLite state file at statePath: a
// directory of lanes.
func JournalPath(statePath string) string { return statePath + ".intake" }

// Lanes is how many files a journal commits to side by side. A delivery
// goes to a lane whose writer is idle, so it waits for its own commit
// (a write and a sync, about 4 ms at p99 on a busy disk) and not also for
// the rest of another's; syncs of different files proceed together.
const Lanes = 2

// Journal is the intake process's side: it appends events and forgets
// those the serving process has moved. One process writes a journal.
type Journal struct {
	lanes []*lane
}

// OpenJournal opens or creates the journal at dir, readable and writable
// by its owner only (the events carry customer data).
func OpenJournal(ctx context.Context, dir string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("intake: creating the journal: %w", err)
	}
	j := &Journal{}
	for i := range Lanes {
		l, err := openLane(ctx, lanePath(dir, i))
		if err != nil {
			j.Close()
			return nil, err
		}
		j.lanes = append(j.lanes, l)
	}
	return j, nil
}

func lanePath(dir string, i int) string { return filepath.Join(dir, "lane-"+strconv.Itoa(i)+".db") }

// Enqueue appends items to a lane in one commit, shared with the other
// deliveries that wait meanwhile, and returns once it is durable. An item
// whose key the lane holds (see keptKeys) is a duplicate; one in another
// lane is found out when it is moved (the state deduplicates). It
// satisfies ingress.Inbox.
func (j *Journal) Enqueue(ctx context.Context, items ...state.NewItem) ([]state.EnqueueResult, error) {
	return j.pick().do(ctx, request{items: items})
}

// pick is the first lane not committing, else the one with the fewest
// waiting. Taking the first, not the next, keeps a quiet intake on one
// lane, where every redelivery is seen as one.
func (j *Journal) pick() *lane {
	best := j.lanes[0]
	for _, l := range j.lanes {
		if !l.busy.Load() {
			return l
		}
		if len(l.reqs) < len(best.reqs) {
			best = l
		}
	}
	return best
}

// Forget drops the payloads of lane's deliveries up to id, which the
// serving process has moved into the state, and all but the last keptKeys
// keys.
func (j *Journal) Forget(ctx context.Context, lane int, upTo int64) error {
	if lane < 0 || lane >= len(j.lanes) {
		return fmt.Errorf("intake: no lane %d", lane)
	}
	_, err := j.lanes[lane].do(ctx, request{forget: true, upTo: upTo})
	return err
}

// Close finishes the queued requests and closes the journal. It is called
// once no Enqueue or Forget can start any more.
func (j *Journal) Close() error {
	var first error
	for _, l := range j.lanes {
		if err := l.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Entry is a journalled event.
type Entry struct {
	ID   int64
	Item state.NewItem
}

// Reader is the serving process's side of a journal: it reads what the
// intake process committed.
type Reader struct {
	lanes []*laneReader
}

// OpenReader opens the journal at dir for reading; the intake process
// must have opened it first.
func OpenReader(ctx context.Context, dir string) (*Reader, error) {
	r := &Reader{}
	for i := range Lanes {
		l, err := openLaneReader(ctx, lanePath(dir, i))
		if err != nil {
			r.Close()
			return nil, err
		}
		r.lanes = append(r.lanes, l)
	}
	return r, nil
}

// Lanes is how many lanes the journal has.
func (r *Reader) Lanes() int { return len(r.lanes) }

// Epoch names lane's file among those that were at its path.
func (r *Reader) Epoch(lane int) string { return r.lanes[lane].epoch }

// After returns up to limit of lane's entries after id, in order.
func (r *Reader) After(ctx context.Context, lane int, id int64, limit int) ([]Entry, error) {
	return r.lanes[lane].after(ctx, id, limit)
}

// Close closes the reader.
func (r *Reader) Close() error {
	for _, l := range r.lanes {
		l.db.Close()
	}
	return nil
}
