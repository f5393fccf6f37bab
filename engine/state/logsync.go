package state

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sync"
	"sync/atomic"
)

// ErrLogSync fails every write after the write-ahead log could not be
// synced to disk: what was committed since the last sync may be lost, and
// a retried sync can report success for pages the kernel already dropped,
// so the store takes no more writes. Restart tote once the disk is sound.
var ErrLogSync = errors.New("state: the write-ahead log could not be synced to disk; writes are refused until tote restarts")

// logSyncer lets the writer commit a batch and go on to the next while the
// log of the last is synced. On a SQLite file the writer commits with
// synchronous=NORMAL (SQLite writes the log without syncing it) and hands
// the batch's answers here; they are given once a sync that began after
// the commit returns, so a caller is answered, as with synchronous=FULL,
// only once its write would survive a power loss. Under load the writer
// spent about a fifth of its time waiting on those syncs.
//
// Another connection may read a commit before its sync. A power loss can
// take such a commit back, with everything committed after it, but never
// one whose caller was answered.
type logSyncer struct {
	sync func() error // syncs the log file to disk
	log  *slog.Logger

	queue    chan []answer // committed batches waiting for a sync, in order
	synced   chan struct{} // signalled after each sync (capacity 1)
	unsynced atomic.Int64  // batches handed over and not yet answered
	stopped  chan struct{}

	mu     sync.Mutex
	broken error // set once a sync failed
}

// answer is a caller's outcome, held until its commit is synced.
type answer struct {
	done chan<- error
	err  error
}

// overlapMin is how many requests must wait for the writer before it
// starts a batch while the last one's log is still being synced; with
// fewer it waits for the sync. Started at once, batches grow small and
// their commits many: every commit writes the pages it changed again.
const overlapMin = 64

// newLogSyncer starts a syncer that syncs the log with sync.
func newLogSyncer(sync func() error, log *slog.Logger) *logSyncer {
	ls := &logSyncer{sync: sync, log: log, queue: make(chan []answer, maxBatch),
		synced: make(chan struct{}, 1), stopped: make(chan struct{})}
	go ls.run()
	return ls
}

// hand queues a committed batch's answers for the next sync.
func (ls *logSyncer) hand(as []answer) {
	ls.unsynced.Add(1)
	ls.queue <- as
}

// failure is the error that broke the syncer, or nil.
func (ls *logSyncer) failure() error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.broken
}

func (ls *logSyncer) run() {
	defer close(ls.stopped)
	var batches [][]answer
	for as := range ls.queue {
		// One sync covers every batch committed before it starts.
		queue := ls.queue // drain sets its copy to nil once closed
		batches = drain(&queue, append(batches[:0], as), math.MaxInt)
		err := ls.failure()
		if err == nil {
			if serr := ls.sync(); serr != nil {
				err = fmt.Errorf("%w: %w", ErrLogSync, serr)
				ls.mu.Lock()
				ls.broken = err
				ls.mu.Unlock()
				ls.log.Error("state: the write-ahead log could not be synced; refusing writes until restarted", "err", serr)
			}
		}
		for i, as := range batches {
			for _, a := range as {
				if a.err == nil {
					a.done <- err
				} else {
					a.done <- a.err
				}
			}
			batches[i] = nil
		}
		ls.unsynced.Add(-int64(len(batches)))
		select {
		case ls.synced <- struct{}{}:
		default:
		}
	}
}

// close answers what is queued, after a last sync, and stops the syncer.
func (ls *logSyncer) close() {
	close(ls.queue)
	<-ls.stopped
}

// fileSync returns a sync of the file at path, opened when first synced:
// SQLite creates the log with the first write.
func fileSync(path string) (sync func() error, closeFile func() error) {
	var f *os.File
	sync = func() error {
		if f == nil {
			var err error
			if f, err = os.OpenFile(path, os.O_RDWR, 0); err != nil {
				return err
			}
		}
		return f.Sync()
	}
	closeFile = func() error {
		if f == nil {
			return nil
		}
		return f.Close()
	}
	return sync, closeFile
}

// withLogSync wraps the sync of the log (tests); Open's own sync after
// migrating goes through it too.
func withLogSync(wrap func(sync func() error) func() error) Option {
	return func(s *Store) { s.wrapLogSync = wrap }
}
