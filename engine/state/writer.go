package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// maxBatch bounds how many write requests share one transaction.
const maxBatch = 256

// writeReq is one write submitted to the writer goroutine.
type writeReq struct {
	ctx    context.Context
	fn     func(*wtx) error
	done   chan error // buffered: the writer never blocks on a caller that gave up
	urgent bool       // see Urgent
}

// writer owns the only write connection and performs group commit: it takes
// every request queued at the moment it becomes free (up to maxBatch), runs
// each in its own SAVEPOINT inside one transaction, commits once, and then
// answers every caller.
type writer struct {
	db    *sql.DB
	conn  *sql.Conn
	stmts *stmtCache
	now   func() time.Time
	log   *slog.Logger

	mu      sync.RWMutex // held shared while submitting, exclusively while closing
	closing chan struct{}
	reqs    chan *writeReq
	urgent  chan *writeReq // Urgent requests: they go before those in reqs
	done    chan struct{}
	errs    []error // per-request results of the current batch
	ckpt    *checkpointer
}

func newWriter(db *sql.DB, conn *sql.Conn, now func() time.Time, log *slog.Logger) *writer {
	w := &writer{
		db:      db,
		conn:    conn,
		stmts:   newStmtCache(conn.PrepareContext),
		now:     now,
		log:     log,
		closing: make(chan struct{}),
		reqs:    make(chan *writeReq, maxBatch),
		urgent:  make(chan *writeReq, maxBatch),
		done:    make(chan struct{}),
		errs:    make([]error, 0, 2*maxBatch),
	}
	go w.run()
	return w
}

// write runs fn in the writer and waits until its batch has committed. If ctx
// ends first, write returns ctx.Err() and the write may still commit later.
func (w *writer) write(ctx context.Context, fn func(*wtx) error) error {
	done, err := w.submit(ctx, fn)
	if err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// submit queues fn and returns the channel its result will arrive on.
func (w *writer) submit(ctx context.Context, fn func(*wtx) error) (<-chan error, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	select {
	case <-w.closing:
		return nil, ErrClosed
	default:
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1), urgent: isUrgent(ctx)}
	queue := w.reqs
	if r.urgent {
		queue = w.urgent
	}
	select {
	case queue <- r:
		return r.done, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// close stops accepting requests, lets the writer finish every queued one,
// and closes the write connection.
func (w *writer) close() error {
	w.mu.Lock()
	close(w.closing)
	close(w.reqs)
	close(w.urgent)
	w.mu.Unlock()
	<-w.done
	return errors.Join(w.ckpt.close(), w.stmts.close(), w.conn.Close(), w.db.Close())
}

func (w *writer) run() {
	defer close(w.done)
	q := writeQueues{urgent: w.urgent, reqs: w.reqs}
	batch := make([]*writeReq, 0, 2*maxBatch)
	var carried []*writeReq // requests a batch left for the next
	for {
		batch = batch[:0]
		if len(carried) == 0 {
			r, ok := q.next()
			if !ok {
				return
			}
			batch = append(batch, r)
		}
		// Urgent requests first, then what the last batch left, then
		// the queue, up to maxBatch (more only when carrying).
		batch = q.fill(batch, q.urgent, maxBatch)
		batch = append(batch, carried...)
		batch = q.fill(batch, q.reqs, maxBatch)
		n := w.commit(batch)
		carried = append(carried[:0], batch[n:]...)
		clear(batch)
	}
}

// commit runs one batch in one transaction and answers its callers. It
// may stop before the end of the batch to let urgent requests through
// (see runBatch); it returns how many requests it answered, the first of
// the batch, and the others wait for the next.
func (w *writer) commit(batch []*writeReq) int {
	start := time.Now()
	if cap(w.errs) < len(batch) {
		w.errs = make([]error, 0, len(batch))
	}
	errs := w.errs[:len(batch)]
	live := 0
	for i, r := range batch {
		errs[i] = r.ctx.Err() // a caller that gave up before its turn is not run
		if errs[i] == nil {
			live++
		}
	}
	n := len(batch)
	if live > 0 {
		n = w.runBatch(batch, errs)
	}
	for i, r := range batch[:n] {
		r.done <- errs[i]
	}
	clear(errs)
	if w.log.Enabled(context.Background(), slog.LevelDebug) {
		w.log.Debug("state: group commit", "requests", n, "left", len(batch)-n, "live", live, "took", time.Since(start))
	}
	return n
}

// runBatch executes the live requests of batch, setting errs[i] for each,
// and returns how many of the batch's requests it ran or skipped: the rest
// wait for the next batch. An ordinary request is left for the next batch
// once urgent ones wait, or this batch holds some, and ordinary ones have
// had their share (urgentYield) of it: an urgent caller then waits for
// about one commit, not for a whole batch of others' writes.
func (w *writer) runBatch(batch []*writeReq, errs []error) int {
	// abort rolls the whole transaction back and fails every request that
	// had not already failed on its own.
	abort := func(cause error) {
		if _, err := w.exec("ROLLBACK"); err != nil {
			cause = errors.Join(cause, err)
		}
		for i := range errs {
			if errs[i] == nil {
				errs[i] = cause
			}
		}
	}
	if _, err := w.exec("BEGIN IMMEDIATE"); err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("begin transaction: %w", err)
			}
		}
		return len(batch)
	}
	n := len(batch)
	urgentHere := false
	var ordinary time.Duration // spent on ordinary requests
	for i, r := range batch {
		urgentHere = urgentHere || r.urgent
		if !r.urgent && ordinary >= urgentYield && (urgentHere || len(w.urgent) > 0) {
			n = i // batch[i:] wait for the next batch
			for j := i; j < len(errs); j++ {
				errs[j] = nil
			}
			break
		}
		if errs[i] != nil {
			continue
		}
		if _, err := w.exec("SAVEPOINT req"); err != nil {
			abort(fmt.Errorf("savepoint: %w", err))
			return len(batch)
		}
		began := time.Now()
		err := r.fn(&wtx{w: w, now: w.now()})
		if !r.urgent {
			ordinary += time.Since(began)
		}
		if err != nil {
			errs[i] = err
			// Undo this request alone. If SQLite already rolled the whole
			// transaction back (as it does on I/O errors), this fails too.
			if _, rerr := w.exec("ROLLBACK TO req"); rerr != nil {
				abort(fmt.Errorf("transaction lost after %w: %w", err, rerr))
				return len(batch)
			}
		}
		if _, err := w.exec("RELEASE req"); err != nil {
			abort(fmt.Errorf("release savepoint: %w", err))
			return len(batch)
		}
	}
	if _, err := w.exec("COMMIT"); err != nil {
		abort(fmt.Errorf("commit: %w", err))
		return n
	}
	w.ckpt.committed()
	return n
}

// exec runs a statement on the write connection. Writer statements ignore
// the callers' contexts: once a batch has started it runs to completion.
func (w *writer) exec(query string, args ...any) (sql.Result, error) {
	st, err := w.stmts.get(context.Background(), query)
	if err != nil {
		return nil, err
	}
	return st.Exec(args...)
}

// wtx is the handle a write request uses inside its savepoint. It is valid
// only while the request's function runs.
type wtx struct {
	w   *writer
	now time.Time // the clock, read once when the request started
}

func (t *wtx) exec(query string, args ...any) (sql.Result, error) {
	return t.w.exec(query, args...)
}

// affected runs a statement and returns how many rows it changed.
func (t *wtx) affected(query string, args ...any) (int64, error) {
	res, err := t.w.exec(query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *wtx) query(query string, args ...any) (*sql.Rows, error) {
	st, err := t.w.stmts.get(context.Background(), query)
	if err != nil {
		return nil, err
	}
	return st.Query(args...)
}

func (t *wtx) queryRow(query string, args ...any) scanner {
	st, err := t.w.stmts.get(context.Background(), query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRow(args...)
}

// write runs fn as one write request and prefixes its error with the
// file and op, so that a failed write names the file to look at.
func (s *Store) write(ctx context.Context, op string, fn func(*wtx) error) error {
	if err := s.w.write(ctx, fn); err != nil {
		return fmt.Errorf("state %s: %s: %w", s.path, op, err)
	}
	return nil
}
