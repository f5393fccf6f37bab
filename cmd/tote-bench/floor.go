package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// The floor probe measures what the machine allows any webhook intake
// that answers a delivery only once it is on disk, as tote's does: a
// record of a delivery's size appended to a file written out beforehand,
// at the bench's rate from an open-loop schedule, the records queued
// meanwhile committed together by one writer that syncs each group (as
// the journal groups its commits), and each answered then. Its latency,
// from when each record was due, holds no HTTP, no verification and no
// SQLite, so tote's acknowledgement cannot beat it on that machine at that
// moment. It runs as `tote-bench ack-floor`, a process of its own (see
// helper.go).

// floorRecord is the bytes appended for one delivery, about what the
// journal writes for one (its commits write whole 4 KiB pages).
const floorRecord = 1024

// floorGroup bounds the records committed together, as the journal's
// commits are bounded.
const floorGroup = 256

// floorSpec is what the probe needs.
type floorSpec struct {
	Dir   string  `json:"dir"` // where its file goes: beside the state
	Rate  float64 `json:"rate"`
	Count int     `json:"count"`
}

// floorResult is what the probe measured.
type floorResult struct {
	Appends int `json:"appends"`
	Commits int `json:"commits"` // syncs
	// Latencies from when each record was due until its group was synced.
	latencyMs
}

// ackFloorMain is `tote-bench ack-floor`, the ack bench's floor probe;
// ackBench starts it. It is not listed in the usage.
func ackFloorMain([]string) int {
	return childMain("ack-floor", func(in io.Reader, out io.Writer) error { return ackFloor(context.Background(), in, out) })
}

// ackFloor reads a floorSpec from in, writes its file out, says so on out,
// waits for the end of in, measures, and writes the result on out. The
// file is removed.
func ackFloor(ctx context.Context, in io.Reader, out io.Writer) error {
	dec := json.NewDecoder(in)
	var spec floorSpec
	if err := dec.Decode(&spec); err != nil {
		return fmt.Errorf("reading the spec: %w", err)
	}
	if spec.Rate <= 0 || spec.Count <= 0 {
		return fmt.Errorf("rate %v and count %d must be positive", spec.Rate, spec.Count)
	}
	f, err := prepareFloor(spec.Dir, spec.Count)
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := readyThenWait(dec, in, out); err != nil {
		return err
	}
	res, err := measureFloor(ctx, f, spec.Rate, spec.Count)
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(res)
}

// prepareFloor makes the probe's file in dir and writes it out in full,
// synced, so that appending to it later changes no block map and no size:
// a sync then writes the records alone.
func prepareFloor(dir string, count int) (*os.File, error) {
	f, err := os.CreateTemp(dir, "floor-*.bin")
	if err != nil {
		return nil, fmt.Errorf("the floor's file: %w", err)
	}
	zeros := make([]byte, 1<<20)
	for left := count * floorRecord; left > 0; left -= len(zeros) {
		if _, err = f.Write(zeros[:min(left, len(zeros))]); err != nil {
			break
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("writing the floor's file out: %w", err)
	}
	return f, nil
}

// floorLog appends records to a file written out beforehand: one writer
// commits the records queued meanwhile, each in a slot of floorRecord
// bytes (or more, rounded up, for a longer one), with one write and one
// sync. The file is reused from its start once full.
type floorLog struct {
	f       *os.File
	size    int64
	queue   chan floorAppend
	done    chan struct{}
	commits int   // the writer's alone until done is closed
	err     error // the first failed write or sync, likewise
}

type floorAppend struct {
	rec    []byte
	synced chan struct{}
}

func startFloorLog(f *os.File, size int64) *floorLog {
	l := &floorLog{f: f, size: size, queue: make(chan floorAppend, floorGroup), done: make(chan struct{})}
	go l.write()
	return l
}

// append returns once rec is synced (or its write failed: see close).
func (l *floorLog) append(rec []byte) {
	a := floorAppend{rec, make(chan struct{})}
	l.queue <- a
	<-a.synced
}

// close stops the writer once every append has returned, and reports its
// commits and first error.
func (l *floorLog) close() (int, error) {
	close(l.queue)
	<-l.done
	return l.commits, l.err
}

func (l *floorLog) write() {
	defer close(l.done)
	buf := make([]byte, 0, floorGroup*floorRecord)
	var pad [floorRecord]byte // a slot's zeros after its record
	group := make([]floorAppend, 0, floorGroup)
	var off int64
	for a := range l.queue {
		group = append(group[:0], a)
	more:
		for len(group) < floorGroup {
			select {
			case a, ok := <-l.queue:
				if !ok {
					break more
				}
				group = append(group, a)
			default:
				break more
			}
		}
		buf = buf[:0]
		for _, a := range group {
			slot := max(floorRecord, (len(a.rec)+floorRecord-1)/floorRecord*floorRecord)
			buf = append(buf, a.rec...)
			buf = append(buf, pad[:slot-len(a.rec)]...)
		}
		if off+int64(len(buf)) > l.size {
			off = 0
		}
		if _, err := l.f.WriteAt(buf, off); err != nil && l.err == nil {
			l.err = err
		}
		if err := l.f.Sync(); err != nil && l.err == nil {
			l.err = err
		}
		off += int64(len(buf))
		l.commits++
		for _, a := range group {
			close(a.synced)
		}
	}
}

// measureFloor appends count records of floorRecord bytes to f at rate,
// each on a goroutine of its own when due, through a floorLog.
func measureFloor(ctx context.Context, f *os.File, rate float64, count int) (*floorResult, error) {
	record := bytes.Repeat([]byte{'r'}, floorRecord)
	l := startFloorLog(f, int64(count)*floorRecord)
	latencies := make([]time.Duration, count)
	var wg sync.WaitGroup
	s := newSchedule(rate)
	s.run(ctx, count, func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.append(record)
			latencies[i] = time.Since(s.due(i))
		}()
	})
	wg.Wait()
	commits, err := l.close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("appending to the floor's file: %w", err)
	}
	return &floorResult{Appends: count, Commits: commits, latencyMs: percentiles(latencies)}, nil
}

// floorProc is a started floor probe, its file written out.
type floorProc struct {
	h     *helper
	count int
}

// startFloor starts the floor probe for count records at rate in dir.
func startFloor(ctx context.Context, dir string, rate float64, count int, stderr io.Writer) (*floorProc, error) {
	h, err := startHelper(ctx, "ack-floor", "the floor probe", floorSpec{Dir: dir, Rate: rate, Count: count}, stderr)
	if err != nil {
		return nil, err
	}
	return &floorProc{h, count}, nil
}

// measure starts the probe's clock and waits for its result.
func (p *floorProc) measure() (*floorResult, error) {
	var res floorResult
	err := p.h.run(func(r io.Reader) error { return decodeResult(r, &res) })
	if err != nil {
		return nil, err
	}
	if res.Appends != p.count || res.Commits < 1 || res.Commits > res.Appends {
		return nil, fmt.Errorf("the floor probe: %d appends in %d commits, for %d records", res.Appends, res.Commits, p.count)
	}
	return &res, nil
}

// measureFloorNow starts the floor probe and measures at once.
func measureFloorNow(ctx context.Context, dir string, rate float64, count int, stderr io.Writer) (*floorResult, error) {
	p, err := startFloor(ctx, dir, rate, count, stderr)
	if err != nil {
		return nil, err
	}
	return p.measure()
}
