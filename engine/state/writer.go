package state

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/engine/cpugate"
)

// maxBatch bounds how many write requests share one transaction.
const maxBatch = 256

// pgMaxBatch is maxBatch on PostgreSQL: a transaction with more than 64
// subtransactions that wrote (a savepoint each) overflows the server's
// per-process cache of them, and every other session's snapshots then
// consult pg_subtrans, slowing the whole database.
const pgMaxBatch = 64

// urgentBudget bounds the other work of a batch that holds urgent
// requests, or that urgent requests wait behind: past it, the batch
// commits what it has run and the rest goes into the next, after the
// urgent requests. A webhook's acknowledgement waits on its enqueue, so an
// enqueue never waits behind a long batch of settlements.
const urgentBudget = 2 * time.Millisecond

// yieldBelow is the size under which a batch waits for the goroutines
// that are ready to run before it commits (see run). Urgent requests
// never wait.
const yieldBelow = 16

// urgentGroup bounds a group's requests run together while urgent
// requests wait, so that the batch can be cut after it.
const urgentGroup = 32

// writeReq is one write submitted to the writer goroutine.
type writeReq struct {
	ctx  context.Context
	fn   func(*wtx) error
	done chan error // buffered: the writer never blocks on a caller that gave up
	// urgent requests (enqueues, which a sender waits on) go into the next
	// batch ahead of the others.
	urgent bool
	// grp, when set, lets this request run together with the requests of
	// the same group next to it in a batch (see group); arg is what the
	// group reads of it.
	grp group
	arg any
	// taken is reqQueued until the writer takes the request into a batch
	// (reqTaken) or its caller gives up waiting (reqAbandoned), whichever
	// comes first: an abandoned request never runs, and the caller of a
	// taken one waits for its outcome, so that nothing its fn writes (the
	// caller's results) is written after the caller has returned.
	taken atomic.Int32
}

const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
)

// take marks r taken by the writer, unless its caller gave up first. A
// request carried over from a batch cut short was taken already.
func (r *writeReq) take() bool {
	return r.taken.CompareAndSwap(reqQueued, reqTaken) || r.taken.Load() == reqTaken
}

// group runs several requests of one kind together, in fewer and larger
// statements than each would take alone. runAll may fail a request that
// changed nothing by setting its errs[i]. If runAll fails, the writer
// undoes it and runs each request's fn alone, so a failure still fails
// only its own request.
type group interface {
	runAll(tx *wtx, reqs []*writeReq, errs []error) error
}

// writer owns the only write connection and performs group commit: it takes
// every request queued at the moment it becomes free (up to maxBatch), runs
// each in its own SAVEPOINT inside one transaction, commits once, and then
// answers every caller, or, with a logSyncer, has it answer them once the
// commit is synced.
type writer struct {
	db    *sql.DB
	conn  *sql.Conn
	d     dialect
	stmts *stmtCache
	raw   *rawExec // SQLite: the statements that return no rows (see rawExec)
	now   func() time.Time
	log   *slog.Logger

	mu      sync.RWMutex // held shared while submitting, exclusively while closing
	closing chan struct{}
	reqs    chan *writeReq
	urgent  chan *writeReq // the priority lane (see writeReq.urgent)
	budget  time.Duration  // urgentBudget; tests set it
	done    chan struct{}
	errs    []error  // per-request results of the current batch
	later   []string // PostgreSQL: control statements waiting for the next (see control)
	aborted bool     // a batch failed as a whole since the last checkConn
	ckpt    *checkpointer
	grouped int      // requests that ran in groups (tests)
	args    []any    // the statements' argument buffer (see wtx.argBuf)
	ins     []Intent // settleAll's buffers
	links   []Link
	tx      wtx // the handle of the request running (see newTx)
	// sy, on a SQLite file, syncs the log after commits and answers their
	// callers (see logSyncer); closeLog closes its file.
	sy       *logSyncer
	closeLog func() error
}

// newWriter starts the writer on conn; sy, if not nil, syncs the log of
// its commits, and closeLog closes its file.
func newWriter(db *sql.DB, conn *sql.Conn, d dialect, now func() time.Time, log *slog.Logger, sy *logSyncer, closeLog func() error) *writer {
	w := &writer{
		db:       db,
		conn:     conn,
		d:        d,
		stmts:    newStmtCache(d, conn.PrepareContext),
		now:      now,
		log:      log,
		closing:  make(chan struct{}),
		reqs:     make(chan *writeReq, maxBatch),
		urgent:   make(chan *writeReq, maxBatch),
		budget:   urgentBudget,
		done:     make(chan struct{}),
		errs:     make([]error, 0, maxBatch),
		sy:       sy,
		closeLog: closeLog,
	}
	if d.backend != Postgres {
		w.raw = newRawExec(conn, d)
	}
	go w.run()
	return w
}

// write runs fn in the writer and waits until its batch has committed. If ctx
// ends before the writer takes the request, write returns ctx.Err() and fn
// never runs; once it is taken, write waits for its batch's outcome (the
// batch is running), and a request taken into a batch cut short is not run
// after ctx has ended.
func (w *writer) write(ctx context.Context, fn func(*wtx) error) error {
	return w.wait(ctx, &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// writeUrgent is write in the priority lane.
func (w *writer) writeUrgent(ctx context.Context, fn func(*wtx) error) error {
	return w.wait(ctx, &writeReq{ctx: ctx, fn: fn, urgent: true, done: make(chan error, 1)})
}

// writeGrouped is write for a request that may run together with others
// of grp (see group).
func (w *writer) writeGrouped(ctx context.Context, grp group, arg any, fn func(*wtx) error) error {
	return w.wait(ctx, &writeReq{ctx: ctx, fn: fn, grp: grp, arg: arg, done: make(chan error, 1)})
}

func (w *writer) wait(ctx context.Context, r *writeReq) error {
	// A run waiting for room in the queue or for its commit computes
	// nothing: its CPU slot is another's meanwhile.
	defer cpugate.Wait(ctx)()
	done, err := w.submitReq(ctx, r)
	if err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		if r.taken.CompareAndSwap(reqQueued, reqAbandoned) {
			return ctx.Err()
		}
		return <-done
	}
}

// submit queues fn and returns the channel its result will arrive on.
func (w *writer) submit(ctx context.Context, fn func(*wtx) error) (<-chan error, error) {
	return w.submitReq(ctx, &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

func (w *writer) submitReq(ctx context.Context, r *writeReq) (<-chan error, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	select {
	case <-w.closing:
		return nil, ErrClosed
	default:
	}
	lane := w.reqs
	if r.urgent {
		lane = w.urgent
	}
	select {
	case lane <- r:
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
	var logErr error
	if w.sy != nil {
		w.sy.close()
		logErr = w.closeLog()
	}
	return errors.Join(logErr, w.ckpt.close(), w.stmts.close(), w.raw.close(), w.conn.Close(), w.db.Close())
}

func (w *writer) run() {
	defer close(w.done)
	limit := maxBatch
	if w.d.backend == Postgres {
		limit = pgMaxBatch
	}
	batch := make([]*writeReq, 0, limit)
	var later []*writeReq // requests not yet in a batch, in order: the last batch's rest first
	lanes := lanes{urgent: w.urgent, reqs: w.reqs}
	for {
		batch = batch[:0]
		var urgent *writeReq
		later, urgent = w.awaitSync(&lanes, later)
		if urgent == nil && len(later) == 0 {
			r := lanes.next()
			if r == nil {
				return // closed and drained
			}
			if r.urgent {
				urgent = r
			} else {
				later = append(later, r)
			}
		}
		if urgent != nil {
			batch = append(batch, urgent)
		}
		// The urgent requests first, then the others in their order; one
		// place is kept for another.
		batch = drain(&lanes.urgent, batch, limit-1)
		n := min(len(later), limit-len(batch))
		batch = append(batch, later[:n]...)
		later = append(later[:0], later[n:]...)
		batch = drain(&lanes.reqs, batch, limit)
		if len(batch) < yieldBelow && !w.pressed(batch) {
			// Every goroutine ready to run goes first, and makes its
			// requests. On one processor (GOMAXPROCS=1, as tote run's
			// serving process has while webhooks arrive) the writer
			// otherwise takes each request as soon as it is sent, and
			// commits and syncs nearly every one alone.
			runtime.Gosched()
			batch = drain(&lanes.reqs, batch, limit)
		}
		done := w.commit(batch)
		// The rest is copied out: the next batch reuses batch's array.
		if done < len(batch) {
			later = append(slices.Clone(batch[done:]), later...)
		}
		clear(batch)
	}
}

// awaitSync waits, while the last batch's log is being synced, until
// that sync is over, overlapMin requests wait (taken into later, which it
// returns) or an urgent request comes (returned too: it leads the next
// batch).
func (w *writer) awaitSync(l *lanes, later []*writeReq) ([]*writeReq, *writeReq) {
	if w.sy == nil {
		return later, nil
	}
	for w.sy.unsynced.Load() > 0 && len(later) < overlapMin {
		select {
		case <-w.sy.synced:
		case r, ok := <-l.urgent:
			if ok {
				return later, r
			}
			l.urgent = nil
		case r, ok := <-l.reqs:
			if ok {
				later = append(later, r)
			} else {
				l.reqs = nil
			}
		}
		if l.urgent == nil && l.reqs == nil {
			break // closing: what is left runs at once
		}
	}
	return later, nil
}

// lanes are the writer's two queues; a closed one is set to nil.
type lanes struct {
	urgent, reqs chan *writeReq
}

// next waits for a request, urgent ones first; nil once both lanes are
// closed and empty.
func (l *lanes) next() *writeReq {
	for l.urgent != nil || l.reqs != nil {
		select {
		case r, ok := <-l.urgent:
			if ok {
				return r
			}
			l.urgent = nil
			continue
		default:
		}
		select {
		case r, ok := <-l.urgent:
			if ok {
				return r
			}
			l.urgent = nil
		case r, ok := <-l.reqs:
			if ok {
				return r
			}
			l.reqs = nil
		}
	}
	return nil
}

// failRest sets err for every request of errs that has not failed yet.
func failRest(errs []error, err error) {
	for i := range errs {
		if errs[i] == nil {
			errs[i] = err
		}
	}
}

// drain appends what is queued on *ch now, up to limit; a closed channel
// is set to nil.
func drain[T any](ch *chan T, batch []T, limit int) []T {
	for len(batch) < limit && *ch != nil {
		select {
		case r, ok := <-*ch:
			if !ok {
				*ch = nil
				return batch
			}
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// commit runs one batch in one transaction and answers its callers. It
// returns how many of batch, from the first, it ran and answered; the
// rest (a batch cut short for urgent requests, see urgentBudget) go into
// the next.
func (w *writer) commit(batch []*writeReq) int {
	start := time.Now()
	errs := w.errs[:len(batch)]
	live := 0
	for i, r := range batch {
		errs[i] = r.ctx.Err() // a caller that gave up before its turn is not run
		if errs[i] == nil && !r.take() {
			errs[i] = context.Canceled // nor one that stopped waiting
		}
		if errs[i] == nil {
			live++
		}
	}
	n := len(batch)
	if live > 0 && w.sy != nil {
		if err := w.sy.failure(); err != nil {
			failRest(errs, err)
			live = 0
		}
	}
	if live > 0 {
		n = w.runBatch(batch, errs)
		w.retryConflicts(batch[:n], errs[:n])
		w.checkConn()
	}
	if live > 0 && w.sy != nil {
		as := make([]answer, n)
		for i, r := range batch[:n] {
			as[i] = answer{done: r.done, err: errs[i]}
		}
		w.sy.hand(as)
	} else {
		for i, r := range batch[:n] {
			r.done <- errs[i]
		}
	}
	clear(errs)
	if w.log.Enabled(context.Background(), slog.LevelDebug) {
		w.log.Debug("state: group commit", "requests", n, "live", live, "left", len(batch)-n, "took", time.Since(start))
	}
	return n
}

// cut reports whether a batch that began at start should commit before
// its request i: it holds urgent requests (they come first) or urgent
// requests wait for the next, and its budget is spent. The urgent
// requests themselves are never cut, and neither is a batch's first
// other request, so the others make progress under a flood of urgent ones.
func (w *writer) cut(batch []*writeReq, i int, start time.Time) bool {
	if i == 0 || batch[i].urgent || batch[i-1].urgent {
		return false
	}
	return w.pressed(batch) && time.Since(start) >= w.budget
}

// pressed reports whether batch holds urgent requests (they come first)
// or urgent requests wait for the next one.
func (w *writer) pressed(batch []*writeReq) bool {
	return batch[0].urgent || len(w.urgent) > 0
}

// conflictRetries bounds how often a request that lost a conflict with
// another process is run again.
const conflictRetries = 3

// retryConflicts runs again, each time in a transaction of its own after
// the last one committed, the requests of batch that PostgreSQL chose as
// the victim of a deadlock or a serialization conflict with another
// process. Their savepoints undid them alone; the batch's commit released
// the locks the other process waited for, so the next try can pass.
func (w *writer) retryConflicts(batch []*writeReq, errs []error) {
	for range conflictRetries {
		var again []*writeReq
		var at []int
		for i, r := range batch {
			if isConflict(errs[i]) && r.ctx.Err() == nil {
				again, at = append(again, r), append(at, i)
			}
		}
		if len(again) == 0 {
			return
		}
		w.log.Debug("state: retrying requests that lost a conflict", "requests", len(again))
		sub := make([]error, len(again))
		w.runBatch(again, sub)
		for j, i := range at {
			errs[i] = sub[j]
		}
	}
}

// runBatch executes the live requests of batch, setting errs[i] for each,
// and returns how many of batch it dealt with: all of them, unless it was
// cut short for urgent requests (see cut).
func (w *writer) runBatch(batch []*writeReq, errs []error) int {
	start := time.Now()
	n := len(batch)
	// abort rolls the whole transaction back and fails every request of
	// the first n that had not already failed on its own.
	abort := func(cause error) int {
		w.later = w.later[:0]
		w.aborted = true
		if _, err := w.exec("ROLLBACK"); err != nil {
			cause = errors.Join(cause, err)
		}
		failRest(errs[:n], cause)
		return n
	}
	if err := w.control(w.d.begin); err != nil {
		failRest(errs, fmt.Errorf("begin transaction: %w", err))
		return len(batch)
	}
run:
	for i := 0; i < len(batch); {
		if w.cut(batch, i, start) {
			n = i
			break
		}
		// A run of live requests of one group goes together; alone, or
		// when that fails, each request runs by itself. While urgent
		// requests wait, a group is kept short enough to cut after.
		j := i + 1
		if g := batch[i].grp; g != nil && errs[i] == nil {
			short := w.pressed(batch)
			for j < len(batch) && batch[j].grp == g && errs[j] == nil && (!short || j-i < urgentGroup) {
				j++
			}
			if j-i > 1 {
				ok, err := w.runGroup(g, batch[i:j], errs[i:j])
				if err != nil {
					return abort(err)
				}
				if ok {
					w.grouped += j - i
					i = j
					continue
				}
			}
		}
		for ; i < j; i++ {
			if w.cut(batch, i, start) {
				n = i
				break run
			}
			if !w.runOne(batch[i], &errs[i]) {
				return abort(errs[i])
			}
		}
	}
	if err := w.control("COMMIT"); err != nil {
		return abort(fmt.Errorf("commit: %w", err))
	}
	w.ckpt.committed()
	return n
}

// control runs one of the statements that delimit the batch and its
// requests. On PostgreSQL, BEGIN and RELEASE wait to go in one round trip
// with the statement after them (a SAVEPOINT or COMMIT), which saves a
// round trip per request; an error in either fails the batch as before.
func (w *writer) control(q string) error {
	if w.d.backend != Postgres {
		_, err := w.exec(q)
		return err
	}
	if q == w.d.begin || q == "RELEASE req" || q == "RELEASE grp" {
		w.later = append(w.later, q)
		return nil
	}
	if len(w.later) > 0 {
		q = strings.Join(append(w.later, q), "; ")
		w.later = w.later[:0]
	}
	// Without arguments, the statements go as one simple query.
	_, err := w.conn.ExecContext(context.Background(), q)
	return err
}

// checkConn replaces the write connection when a batch failed as a whole
// because the connection was lost (PostgreSQL restarted or failed over, a
// proxy cut it): that batch has failed, and the next one runs on a new
// connection. A SQLite file's connection is never lost this way.
func (w *writer) checkConn() {
	if !w.aborted || w.d.backend != Postgres {
		return
	}
	w.aborted = false
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if w.conn.PingContext(ctx) == nil {
		return
	}
	// The pool holds one connection: the dead one goes before a new one
	// can come.
	w.stmts.close()
	w.conn.Raw(func(any) error { return driver.ErrBadConn }) // discards it
	w.conn.Close()
	w.later = w.later[:0]
	conn, err := w.db.Conn(ctx)
	if err != nil {
		w.log.Warn("state: the write connection was lost and no new one could be made", "err", err)
		w.aborted = true // the next batch fails on the closed connection; try again then
		w.stmts = newStmtCache(w.d, w.conn.PrepareContext)
		return
	}
	w.log.Warn("state: the write connection was lost; writing on a new one")
	w.conn, w.stmts = conn, newStmtCache(w.d, conn.PrepareContext)
}

// runGroup runs reqs together in a savepoint of their own. It reports
// false, with the savepoint undone, when they should run one by one; an
// error means the transaction is lost.
func (w *writer) runGroup(g group, reqs []*writeReq, errs []error) (bool, error) {
	if err := w.control("SAVEPOINT grp"); err != nil {
		return false, fmt.Errorf("savepoint: %w", err)
	}
	ok := true
	err := g.runAll(w.newTx(), reqs, errs)
	w.endTx()
	if err != nil {
		ok = false
		clear(errs)
		if _, rerr := w.exec("ROLLBACK TO grp"); rerr != nil {
			return false, fmt.Errorf("transaction lost after %w: %w", err, rerr)
		}
	}
	if err := w.control("RELEASE grp"); err != nil {
		return false, fmt.Errorf("release savepoint: %w", err)
	}
	return ok, nil
}

// runOne runs one request in its own savepoint, setting *errp to its
// error. It reports false when the transaction is lost; *errp then says
// why.
func (w *writer) runOne(r *writeReq, errp *error) bool {
	if *errp != nil {
		return true // the caller gave up before its turn
	}
	if err := w.control("SAVEPOINT req"); err != nil {
		*errp = fmt.Errorf("savepoint: %w", err)
		return false
	}
	err := r.fn(w.newTx())
	w.endTx()
	if err != nil {
		*errp = err
		// Undo this request alone. If SQLite already rolled the whole
		// transaction back (as it does on I/O errors), this fails too.
		// PostgreSQL undoes a failed statement's row locks with it.
		if _, rerr := w.exec("ROLLBACK TO req"); rerr != nil {
			*errp = fmt.Errorf("transaction lost after %w: %w", err, rerr)
			return false
		}
	}
	if err := w.control("RELEASE req"); err != nil {
		*errp = fmt.Errorf("release savepoint: %w", err)
		return false
	}
	return true
}

// exec runs a statement on the write connection. Writer statements ignore
// the callers' contexts: once a batch has started it runs to completion.
func (w *writer) exec(query string, args ...any) (sql.Result, error) {
	if w.raw != nil {
		return w.raw.Exec(query, args)
	}
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

// newTx returns the handle for the next request (or group) to run: the
// writer's own, one request running at a time.
func (w *writer) newTx() *wtx {
	w.tx = wtx{w: w, now: w.now()}
	return &w.tx
}

// endTx drops the values the request that ran left in the argument
// buffer, so that the writer holds nothing of a request once it has run,
// however it ended.
func (w *writer) endTx() {
	clear(w.args[:cap(w.args)])
}

func (t *wtx) exec(query string, args ...any) (sql.Result, error) {
	return t.w.exec(query, args...)
}

// argBuf returns the writer's argument buffer, empty, with room for n
// arguments. The writer runs one statement at a time and a statement has
// read its arguments when it returns, so one buffer serves them all; the
// writer clears it once the request has run (see endTx).
func (t *wtx) argBuf(n int) []any {
	if cap(t.w.args) < n {
		t.w.args = make([]any, 0, n)
	}
	return t.w.args[:0]
}

// affected runs a statement and returns how many rows it changed.
func (t *wtx) affected(query string, args ...any) (int64, error) {
	res, err := t.w.exec(query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// lock takes a lock on key until the transaction ends, for a read and the
// write that depends on it when no row can be locked (the row is yet to be
// inserted). SQLite's single writer needs none.
func (t *wtx) lock(key string) error {
	if t.w.d.backend != Postgres {
		return nil
	}
	_, err := t.w.exec(`SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, key)
	return err
}

func (t *wtx) query(query string, args ...any) (*sql.Rows, error) {
	st, err := t.w.stmts.get(context.Background(), query)
	if err != nil {
		return nil, err
	}
	return st.Query(args...)
}

// queryIDs runs a query whose rows are one integer each and returns the
// integers, valid until the next statement.
func (t *wtx) queryIDs(query string, args []any) ([]int64, error) {
	if t.w.raw != nil {
		return t.w.raw.QueryIDs(query, args)
	}
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
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

// writeUrgent is write in the writer's priority lane.
func (s *Store) writeUrgent(ctx context.Context, op string, fn func(*wtx) error) error {
	if err := s.w.writeUrgent(ctx, fn); err != nil {
		return fmt.Errorf("state %s: %s: %w", s.path, op, err)
	}
	return nil
}
