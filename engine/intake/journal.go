// Package intake is tote run's webhook intake in a process of its own
// (tote run -intake process): the intake process verifies deliveries,
// commits their events to a journal beside the state file and answers the
// sender; the serving process, at a lower CPU priority, moves the journal
// into the state's inbox. Acknowledgements then wait on no run's CPU.
package intake

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/toteworks/tote/engine/state"
)

// JournalPath is the journal of the SQLite state file at statePath: a
// directory of lanes.
func JournalPath(statePath string) string { return statePath + ".intake" }

// Lanes is how many files a journal commits to side by side. One: two
// lanes, whose syncs proceed together, answered no faster at p99 (the
// disk's flushes queue behind each other) and, making twice the commits of
// half the deliveries each, left the serving process a third to half
// fewer runs while deliveries came.
const Lanes = 1

// Journal is the intake process's side: it appends events and forgets
// those the serving process has moved. One process writes a journal.
type Journal struct {
	lanes []*lane // every lane file, read and forgotten
	write []*lane // the first Lanes, which take new deliveries
}

// OpenJournal opens or creates the journal at dir, readable and writable
// by its owner only (the events carry customer data).
func OpenJournal(ctx context.Context, dir string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("intake: creating the journal: %w", err)
	}
	j := &Journal{}
	for i := range laneCount(dir) {
		l, err := openLane(ctx, lanePath(dir, i))
		if err != nil {
			j.Close()
			return nil, err
		}
		j.lanes = append(j.lanes, l)
	}
	j.write = j.lanes[:Lanes]
	return j, nil
}

func lanePath(dir string, i int) string { return filepath.Join(dir, "lane-"+strconv.Itoa(i)+".db") }

// laneCount is how many lanes the journal at dir has: Lanes, or more when
// a tote that wrote more lanes left files there, whose deliveries are
// still moved (new ones go to the first Lanes).
func laneCount(dir string) int {
	n := Lanes
	files, _ := filepath.Glob(filepath.Join(dir, "lane-*.db"))
	for _, f := range files {
		i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "lane-"), ".db"))
		if err == nil && i >= n && i < maxLanes {
			n = i + 1
		}
	}
	return n
}

// maxLanes bounds the lane files a journal is read from.
const maxLanes = 64

// Enqueue appends items to a lane in one commit, shared with the other
// deliveries that wait meanwhile, and returns once it is durable. An item
// whose key the lane holds (see keptKeys) is a duplicate. It satisfies
// ingress.Inbox.
func (j *Journal) Enqueue(ctx context.Context, items ...state.NewItem) ([]state.EnqueueResult, error) {
	return j.pick(items).do(ctx, request{items: items})
}

// pick is the lane of a delivery: by its first event's key, so that every
// redelivery of it meets the first in one lane; without a key (nothing to
// deduplicate), the first lane not committing, else the one with the
// fewest waiting.
func (j *Journal) pick(items []state.NewItem) *lane {
	if len(j.write) == 1 {
		return j.write[0]
	}
	if len(items) > 0 && items[0].Key != "" {
		h := hashKey(items[0].Pipeline, items[0].Trigger, items[0].Key)
		return j.write[binary.BigEndian.Uint32(h[:4])%uint32(len(j.write))]
	}
	best := j.write[0]
	for _, l := range j.write {
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
	for i := range laneCount(dir) {
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
		l.close()
	}
	return nil
}
