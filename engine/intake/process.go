package intake

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/engine/affinity"
	"github.com/toteworks/tote/engine/ingress"
	"github.com/toteworks/tote/engine/state"
)

// CursorName is the state cursor of a journal lane file's moved position,
// named by the file's epoch and kept as "epoch:id" in the transaction that
// enqueues what was moved: a file's position is its own, whichever
// directory or lane index it is found at.
func CursorName(epoch string) string { return "intake:journal:" + epoch }

// legacyCursorName is the cursor lane N's position was kept in before
// cursors were named by epoch; it is taken when its epoch is the file's,
// and deleted once the file's own cursor holds the position.
func legacyCursorName(lane int) string { return "intake:journal:" + strconv.Itoa(lane) }

// moveBatch bounds the entries moved in one state write.
const moveBatch = 512

// movePoll is how often the journal is read when no report wakes the
// mover (a report can be dropped).
const movePoll = 100 * time.Millisecond

// DefaultMoveEvery is the least time from one move to the next while
// deliveries keep coming (Options.MoveEvery). A move is a commit of the
// state, synced, and the deletion of what it moved from the journal, which
// the intake process commits among the deliveries it is answering: moved
// at every report, 2,000 deliveries a second made hundreds of each a
// second, on the disk the acknowledgements sync to.
const DefaultMoveEvery = 100 * time.Millisecond

// Options start an intake process.
type Options struct {
	// Cmd is the intake process: tote run itself, with the serving
	// process's arguments. Start adds its environment, files and stdin.
	Cmd *exec.Cmd
	// Listener is handed over to the intake process, which serves it.
	Listener *net.TCPListener
	// Upstream is the serving process's own server, for the other paths.
	Upstream string
	Journal  string
	// Store is the SQLite state the journal is moved into.
	Store Store
	// Observer hears the deliveries and refusals the intake reports.
	Observer ingress.Observer
	// Wake is called after events are moved into the inbox.
	Wake   func()
	Logger *slog.Logger
	// MoveEvery is the least time from a move that moved events to the
	// next (default DefaultMoveEvery): the first delivery after a quiet
	// spell is moved at once, those that follow it together.
	MoveEvery time.Duration
	// CPUs, if any, are the CPUs the intake process keeps to.
	CPUs affinity.Set
}

// Store is what the serving process moves the journal into: the state
// (*state.Store).
type Store interface {
	EnqueueMovingCursor(ctx context.Context, cursor, from, to string, items ...state.NewItem) ([]state.EnqueueResult, error)
	Cursor(ctx context.Context, name string) (string, bool, error)
	DeleteCursor(ctx context.Context, name string) error
}

// Process is a running intake process, seen from the serving process.
type Process struct {
	opts    Options
	stdin   io.WriteCloser
	exited  chan struct{}
	waitErr error
	poke    chan struct{}
	reader  *Reader
	last    []int64  // of each lane, the last id moved; the mover's alone
	cursor  []string // of each lane, its cursor's value as last read or set ("" unset)
	legacy  []bool   // of each lane, a legacy cursor of its file is left to delete

	stopMover   chan struct{} // closed to stop the mover between moves
	moverDone   chan struct{}
	reportsDone chan struct{}

	accepted, duplicates, rejected atomic.Int64

	// read counts the reports read; readMore is closed, and replaced,
	// when it grows (see WaitReports).
	readMu   sync.Mutex
	read     int64
	readMore chan struct{}
}

// Start starts the intake process and returns once it serves; it has
// then taken the listener over.
func Start(ctx context.Context, opts Options) (*Process, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	lnFile, err := opts.Listener.File()
	if err != nil {
		return nil, fmt.Errorf("intake: handing the listener over: %w", err)
	}
	defer lnFile.Close()
	reports, reportW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	cmd := opts.Cmd
	cmd.Env = append(cmd.Env, envJournal+"="+opts.Journal, envUpstream+"="+opts.Upstream)
	if len(opts.CPUs) > 0 {
		cmd.Env = append(cmd.Env, envCPUs+"="+opts.CPUs.String())
	}
	cmd.ExtraFiles = []*os.File{lnFile, reportW}
	setDeathSignal(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	p := &Process{opts: opts, stdin: stdin, exited: make(chan struct{}), poke: make(chan struct{}, 1), moverDone: make(chan struct{}),
		reportsDone: make(chan struct{}), readMore: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// The death signal is sent when the thread that started the
		// process ends, not the process: this goroutine keeps its thread
		// until the intake process has exited.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(p.exited)
			return
		}
		started <- nil
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	err = <-started
	reportW.Close()
	if err != nil {
		reports.Close()
		return nil, fmt.Errorf("intake: starting the intake process: %w", err)
	}
	// The intake process serves the listener from now on.
	opts.Listener.Close()
	ready := make(chan struct{})
	go p.readReports(reports, ready)
	select {
	case <-ready:
	case <-p.exited:
		return nil, fmt.Errorf("intake: the intake process exited before serving: %v", p.waitErr)
	case <-ctx.Done():
		p.kill()
		return nil, ctx.Err()
	}
	if p.reader, err = OpenReader(ctx, opts.Journal); err != nil {
		p.kill()
		return nil, err
	}
	if err := p.resume(ctx); err != nil {
		p.kill()
		return nil, err
	}
	p.stopMover = make(chan struct{})
	go p.moveUntil(p.stopMover)
	return p, nil
}

// resume finds where the last moves of each lane ended.
func (p *Process) resume(ctx context.Context) error {
	p.last = make([]int64, p.reader.Lanes())
	p.cursor = make([]string, p.reader.Lanes())
	p.legacy = make([]bool, p.reader.Lanes())
	for lane := range p.last {
		epoch := p.reader.Epoch(lane)
		v, ok, err := p.opts.Store.Cursor(ctx, CursorName(epoch))
		if err != nil {
			return fmt.Errorf("intake: reading the journal's cursor: %w", err)
		}
		old, oldOK, err := p.opts.Store.Cursor(ctx, legacyCursorName(lane))
		if err != nil {
			return fmt.Errorf("intake: reading the journal's cursor: %w", err)
		}
		p.legacy[lane] = oldOK && strings.HasPrefix(old, epoch+":")
		switch {
		case ok:
			p.cursor[lane] = v
			p.retireLegacy(ctx, lane)
		case p.legacy[lane]:
			// The first move sets the file's own cursor from there.
			v, ok = old, true
		}
		e, id, _ := strings.Cut(v, ":")
		if !ok || e != epoch {
			continue // a file never moved from
		}
		if p.last[lane], err = strconv.ParseInt(id, 10, 64); err != nil {
			return fmt.Errorf("intake: the journal's cursor %q: %w", v, err)
		}
		p.forget(lane)
	}
	return nil
}

// retireLegacy deletes lane's legacy cursor, if it has one, once the
// file's own cursor holds its position. A failure leaves it for the next
// move: it is only read while the file's own cursor is missing.
func (p *Process) retireLegacy(ctx context.Context, lane int) {
	if !p.legacy[lane] {
		return
	}
	if err := p.opts.Store.DeleteCursor(ctx, legacyCursorName(lane)); err != nil {
		p.opts.Logger.Debug("intake: deleting the journal's cursor of an earlier build", "err", err)
		return
	}
	p.legacy[lane] = false
}

// Exited is closed when the intake process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Err is how the intake process exited, once it has.
func (p *Process) Err() error { return p.waitErr }

// Stats are the intake's counters since start.
func (p *Process) Stats() ingress.Stats {
	return ingress.Stats{Accepted: p.accepted.Load(), Duplicates: p.duplicates.Load(), Rejected: p.rejected.Load()}
}

// Stop stops the intake process (it finishes the deliveries it is
// serving), killing it if it is not gone when ctx ends, and then moves
// what is left in the journal into the state.
func (p *Process) Stop(ctx context.Context) error {
	p.stdin.Close()
	select {
	case <-p.exited:
	case <-ctx.Done():
		p.kill()
	}
	// The pipe ends with the process: its last reports are counted.
	<-p.reportsDone
	close(p.stopMover)
	<-p.moverDone
	defer p.reader.Close()
	_, err := p.moveAll(context.WithoutCancel(ctx), nil)
	return err
}

func (p *Process) kill() {
	p.stdin.Close()
	if cmd := p.opts.Cmd; cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
	<-p.exited
}

// readReports passes the intake's reports on until its pipe closes.
func (p *Process) readReports(r io.ReadCloser, ready chan struct{}) {
	defer close(p.reportsDone)
	defer r.Close()
	sc := bufio.NewScanner(r)
	// Reports are short (see maxReported); the bound only keeps one that
	// is not from ending the reading of all that follow.
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		p.readReport(sc.Bytes(), &ready)
		p.readMu.Lock()
		p.read++
		close(p.readMore)
		p.readMore = make(chan struct{})
		p.readMu.Unlock()
	}
	if err := sc.Err(); err != nil {
		p.opts.Logger.Error("intake: reading the intake's reports; deliveries are still moved, but no longer counted", "err", err)
	}
}

// WaitReports waits until n of the intake's reports have been read (see
// intake.ReportsHeader) and reports whether they were: it gives up when the
// pipe has closed or ctx ends.
func (p *Process) WaitReports(ctx context.Context, n int64) bool {
	for {
		p.readMu.Lock()
		read, more := p.read, p.readMore
		p.readMu.Unlock()
		if read >= n {
			return true
		}
		select {
		case <-more:
		case <-p.reportsDone:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// readReport acts on one report line. Its effects are in place before the
// report is counted read.
func (p *Process) readReport(line []byte, ready *chan struct{}) {
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		p.opts.Logger.Warn("intake: an unreadable report", "err", err)
		return
	}
	switch {
	case m.Ready:
		if *ready != nil {
			close(*ready)
			*ready = nil
		}
	case m.Delivered != nil:
		d := m.Delivered
		p.accepted.Add(int64(d.Accepted))
		p.duplicates.Add(int64(d.Duplicates))
		if p.opts.Observer != nil {
			p.opts.Observer.Delivered(d.Pipeline, d.Trigger, d.Accepted, d.Duplicates, d.Took)
		}
		if d.Accepted > 0 {
			select {
			case p.poke <- struct{}{}:
			default:
			}
		}
	case m.Rejected != nil:
		p.rejected.Add(1)
		if p.opts.Observer != nil {
			p.opts.Observer.Rejected(m.Rejected.Path, m.Rejected.Status, m.Rejected.Reason)
		}
	}
}

// moveUntil moves the journal into the state whenever the intake reports
// a delivery, and every movePoll, but not again within MoveEvery of a move
// that moved events, until stop is closed.
func (p *Process) moveUntil(stop <-chan struct{}) {
	defer close(p.moverDone)
	// Stopping never cuts a move short: a move interrupted between the
	// state's commit and its answer would leave this process's idea of
	// the cursor behind the state's.
	ctx := context.Background()
	t := time.NewTicker(movePoll)
	defer t.Stop()
	every := p.opts.MoveEvery
	if every <= 0 {
		every = DefaultMoveEvery
	}
	var moved time.Time // when the last move that moved events began
	for {
		began := time.Now()
		n, err := p.moveAll(ctx, stop)
		if n > 0 {
			moved = began
		}
		if errors.Is(err, state.ErrCursorMoved) {
			// Another tote run holds the state now (this one lost its
			// lease, and is stopping): the journal is its to move.
			p.opts.Logger.Error("another process moves the intake's journal; this one stops moving it", "err", err)
			return
		} else if err != nil {
			p.opts.Logger.Error("moving webhook deliveries from the intake's journal into the state", "err", err)
		}
		select {
		case <-stop:
			return
		case <-p.poke:
		case <-t.C:
		}
		if rest := every - time.Since(moved); rest > 0 {
			pause := time.NewTimer(rest)
			select {
			case <-stop:
				pause.Stop()
				return
			case <-pause.C:
			}
		}
	}
}

// moveAll moves the entries after the last moved, a batch per write, each
// together with its lane's cursor, until a batch is not full: an entry is
// enqueued once, whenever the serving process stops, and whichever other
// process moves the journal (a move from a cursor that another made is
// refused: ErrCursorMoved). It returns how many entries it moved.
func (p *Process) moveAll(ctx context.Context, stop <-chan struct{}) (moved int, err error) {
	for lane := range p.last {
		for {
			select {
			case <-stop:
				return moved, nil
			default:
			}
			entries, err := p.reader.After(ctx, lane, p.last[lane], moveBatch)
			if err != nil {
				return moved, err
			}
			if len(entries) == 0 {
				break
			}
			items := make([]state.NewItem, len(entries))
			for i, e := range entries {
				items[i] = e.Item
			}
			upTo := entries[len(entries)-1].ID
			cursor := p.reader.Epoch(lane) + ":" + strconv.FormatInt(upTo, 10)
			if _, err := p.opts.Store.EnqueueMovingCursor(ctx, CursorName(p.reader.Epoch(lane)), p.cursor[lane], cursor, items...); err != nil &&
				!p.moved(ctx, lane, cursor) {
				return moved, err
			}
			moved += len(entries)
			p.last[lane], p.cursor[lane] = upTo, cursor
			p.retireLegacy(ctx, lane)
			if p.opts.Wake != nil {
				p.opts.Wake()
			}
			p.forget(lane)
			if len(entries) < moveBatch {
				// What came during this move waits for the next, MoveEvery
				// after this one began: read again at once, a steady
				// stream would be moved a few entries a commit.
				break
			}
		}
	}
	return moved, nil
}

// moved reports whether lane's cursor is at cursor after a move to it
// failed: the failure was in the answer (the write was committed all the
// same), and the move is done.
func (p *Process) moved(ctx context.Context, lane int, cursor string) bool {
	v, ok, err := p.opts.Store.Cursor(ctx, CursorName(p.reader.Epoch(lane)))
	return err == nil && ok && v == cursor
}

// forget tells the intake process that lane's journal up to the last
// moved entry can go. Lost when the process is gone; the next one is told.
func (p *Process) forget(lane int) {
	select {
	case <-p.exited:
		return
	default:
	}
	if _, err := fmt.Fprintf(p.stdin, "%s %d %d\n", forgetCommand, lane, p.last[lane]); err != nil && !errors.Is(err, os.ErrClosed) {
		p.opts.Logger.Debug("intake: telling the intake process what was moved", "err", err)
	}
}
