package intake

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/engine/state"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

// Every commit is synced (FULL) because an answered delivery must survive
// a crash: the sender does not deliver it again. secure_delete: a moved
// event's payload is zeroed in the file, not left in its free space.
// journal_size_limit: the write-ahead log, reset after each checkpoint,
// is cut back to 4 MiB if a burst grew it.
const laneDSN = "?_journal_mode=WAL&_busy_timeout=5000&_synchronous=FULL&_pragma=secure_delete(1)&_pragma=journal_size_limit(4194304)"

// keptKeys is how many deliveries the lane remembers the keys of (in
// memory, as hashes), so that a redelivery of one is answered as a
// duplicate without asking the state, which the serving process is busy
// writing. One delivered longer ago, or before the intake process
// started and moved since, is journalled again, and the state
// deduplicates it when it is moved.
const keptKeys = 100_000

// The journal's file holds the deliveries not yet moved, each committed
// as one row appended to one table: no index (the keys are deduplicated
// in memory), so that a commit writes one or two pages and the file
// stays small; the disk the journal syncs to is the one the state writes.
// A file made before keys were kept in memory has an AUTOINCREMENT table
// and a key index, which is dropped on opening.
const laneSchema = `
CREATE TABLE IF NOT EXISTS journal_meta (epoch TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
	id INTEGER PRIMARY KEY,
	pipeline TEXT NOT NULL, trigger TEXT NOT NULL, key TEXT NOT NULL,
	item BLOB -- NULL once moved
);
DROP INDEX IF EXISTS deliveries_key;
`

// maxGroup bounds the deliveries committed together.
const maxGroup = 256

// commitEvery is the least time from one commit's start to the next's
// while deliveries keep coming: the first delivery after a quiet spell is
// committed at once, and those that follow it wait for the rest of the
// interval and share a commit. Every commit is a sync, which costs the
// intake process CPU as well as its wait: at 2,000 deliveries a second,
// committed as they came, it synced 1,300 times a second and took 0.54 to
// 0.74 of a core; 1 ms apart, 0.40 to 0.68; 2 ms apart, 0.36 to 0.49, with
// the p99 lower still (see docs/operations.md). pause is time.Sleep, or a
// test's.
var (
	commitEvery = 2 * time.Millisecond
	pause       = time.Sleep
)

// checkpointEvery is how often a lane's write-ahead log is copied into its
// file, off the path of the commits that answer deliveries (a checkpoint
// syncs the file as well).
var checkpointEvery = 250 * time.Millisecond

// lane is one file of a journal, with a writer that commits the requests
// queued meanwhile together.
type lane struct {
	db     *sql.DB
	insert *sql.Stmt // a delivery's row, prepared once
	reqs   chan request
	// closeMu keeps close from closing reqs while a request is being
	// sent (a handler still running past the server's shutdown).
	closeMu sync.RWMutex
	closed  bool
	done    chan struct{}
	busy    atomic.Bool // committing

	// The writer's alone:
	forgotten int64 // the last id moved and deleted
	forgetTo  int64 // the last id moved, deleted or not yet
	last      int64 // the last id written
	keys      keySet

	checkpoints *sql.DB // a second connection, which checkpoints
	stopCkpt    chan struct{}
	ckptDone    chan struct{}
	written     atomic.Bool // commits since the last checkpoint
	tidy        atomic.Bool // a checkpoint is done: the writer copies what is left
}

// forgetChunk is how many moved rows a commit that deliveries wait on
// deletes at most: at 2 ms apart, 16,000 a second.
const forgetChunk = 32

// request is an append (items) or, with forget, a deletion up to upTo.
type request struct {
	items  []state.NewItem
	forget bool
	upTo   int64
	res    chan result
}

type result struct {
	res []state.EnqueueResult
	err error
}

func openLane(ctx context.Context, path string) (*lane, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("intake: creating the journal: %w", err)
	}
	f.Close()
	// The writer makes no checkpoints of its own (see checkpoint).
	db, err := sql.Open("sqlite", path+laneDSN+"&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		return nil, fmt.Errorf("intake: opening the journal %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	l := &lane{db: db, reqs: make(chan request, maxGroup), done: make(chan struct{}), keys: newKeySet(keptKeys)}
	if err := l.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("intake: opening the journal %s: %w", path, err)
	}
	if l.insert, err = db.PrepareContext(ctx, `INSERT INTO deliveries (id, pipeline, trigger, key, item) VALUES (?, ?, ?, ?, ?)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("intake: opening the journal %s: %w", path, err)
	}
	ckpt, err := sql.Open("sqlite", path+laneDSN)
	if err != nil {
		l.insert.Close()
		db.Close()
		return nil, fmt.Errorf("intake: opening the journal %s: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	l.checkpoints, l.stopCkpt, l.ckptDone = ckpt, make(chan struct{}), make(chan struct{})
	go l.write()
	go l.checkpoint()
	return l, nil
}

// init makes the tables and, in a new file, its epoch: a random name that
// tells this file from one made after it was deleted, whose ids start
// again at 1. It learns the last id and the keys the file holds.
func (l *lane) init(ctx context.Context) error {
	if _, err := l.db.ExecContext(ctx, laneSchema); err != nil {
		return err
	}
	if err := l.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0), COALESCE(MAX(CASE WHEN item IS NULL THEN id END), 0) FROM deliveries`).
		Scan(&l.last, &l.forgotten); err != nil {
		return err
	}
	l.forgetTo = l.forgotten
	// The last keptKeys, oldest first, as they were added.
	rows, err := l.db.QueryContext(ctx, `SELECT pipeline, trigger, key FROM
		(SELECT id, pipeline, trigger, key FROM deliveries WHERE key <> '' ORDER BY id DESC LIMIT ?) ORDER BY id`, keptKeys)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p, t, k string
		if err := rows.Scan(&p, &t, &k); err != nil {
			return err
		}
		l.keys.add(hashKey(p, t, k))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var n int
	if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM journal_meta`).Scan(&n); err != nil || n > 0 {
		return err
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	_, err = l.db.ExecContext(ctx, `INSERT INTO journal_meta (epoch) VALUES (?)`, hex.EncodeToString(b))
	return err
}

func (l *lane) do(ctx context.Context, r request) ([]state.EnqueueResult, error) {
	r.res = make(chan result, 1)
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		return nil, errClosed
	}
	select {
	case l.reqs <- r: // the writer takes requests until reqs is closed
	case <-ctx.Done():
		l.closeMu.RUnlock()
		return nil, ctx.Err()
	}
	l.closeMu.RUnlock()
	// Once queued, the request is committed or failed; waiting for the
	// answer keeps a cancelled sender from missing a commit it caused.
	res := <-r.res
	return res.res, res.err
}

var errClosed = errors.New("intake: the journal is closed")

func (l *lane) close() error {
	l.closeMu.Lock()
	l.closed = true
	close(l.reqs)
	l.closeMu.Unlock()
	<-l.done
	close(l.stopCkpt)
	<-l.ckptDone
	l.checkpoints.Close()
	l.insert.Close()
	return l.db.Close()
}

// checkpoint copies the write-ahead log into the file every
// checkpointEvery while there are commits, so that no commit waits on a
// checkpoint: SQLite's own, made by the commit that crosses 1,000 pages,
// would copy them and sync the file in the middle of answering a
// delivery. A passive checkpoint does not hold the writer up, but the log
// starts again from its beginning only once every frame is copied, and
// the writer appends meanwhile: so the writer then copies the few frames
// left itself, between two commits (see tidy).
func (l *lane) checkpoint() {
	defer close(l.ckptDone)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-l.stopCkpt:
			return
		case <-tick.C:
			if l.written.Swap(false) {
				// A failed checkpoint leaves the log longer, nothing lost.
				if _, err := l.checkpoints.Exec(`PRAGMA wal_checkpoint(PASSIVE)`); err == nil {
					l.tidy.Store(true)
				}
			}
		}
	}
}

// write commits the queued requests in groups.
func (l *lane) write() {
	defer close(l.done)
	group := make([]request, 0, maxGroup)
	every, sleep := commitEvery, pause
	var began time.Time // when the last commit began
	for r := range l.reqs {
		l.busy.Store(true)
		if rest := every - time.Since(began); rest > 0 {
			sleep(rest)
		}
		began = time.Now()
		group = append(group[:0], r)
	more:
		for len(group) < maxGroup {
			select {
			case r, ok := <-l.reqs:
				if !ok {
					break more
				}
				group = append(group, r)
			default:
				break more
			}
		}
		l.commit(group)
		if l.tidy.Swap(false) {
			_, _ = l.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

func (l *lane) commit(group []request) {
	results := make([]result, len(group))
	forgotten, forgetTo, last := l.forgotten, l.forgetTo, l.last
	deliveries := false
	var added []keyHash // to the kept keys, once committed
	err := func() error {
		tx, err := l.db.Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		insert := tx.Stmt(l.insert)
		for i, r := range group {
			if r.forget {
				forgetTo = max(forgetTo, r.upTo)
				continue
			}
			deliveries = true
			res := make([]state.EnqueueResult, len(r.items))
			for k, it := range r.items {
				if it.Key != "" {
					h := hashKey(it.Pipeline, it.Trigger, it.Key)
					if l.keys.has(h) || slices.Contains(added, h) {
						res[k].Duplicate = true
						continue
					}
					added = append(added, h)
				}
				b, err := json.Marshal(it)
				if err != nil {
					return err
				}
				last++
				if _, err := insert.Exec(last, it.Pipeline, it.Trigger, it.Key, b); err != nil {
					return err
				}
				res[k].ID = last
			}
			results[i].res = res
		}
		if forgetTo > forgotten {
			// A commit that deliveries wait on deletes a few moved rows
			// at most, so that a move of hundreds (one every MoveEvery)
			// does not slow the deliveries that share one commit; the
			// commits after it delete the rest.
			upTo := forgetTo
			if deliveries {
				upTo = min(upTo, forgotten+forgetChunk)
			}
			// The last row written stays, payload dropped: without
			// AUTOINCREMENT, an empty table would give the next
			// delivery id 1 again, behind the serving process's
			// cursor.
			if _, err := tx.Exec(`DELETE FROM deliveries WHERE id <= ? AND id < ?`, upTo, last); err != nil {
				return err
			}
			if upTo >= last {
				if _, err := tx.Exec(`UPDATE deliveries SET item = NULL WHERE id = ?`, last); err != nil {
					return err
				}
			}
			forgotten = upTo
		}
		return tx.Commit()
	}()
	if err == nil {
		l.forgotten, l.forgetTo, l.last = forgotten, forgetTo, last
		for _, h := range added {
			l.keys.add(h)
		}
		l.written.Store(true)
	}
	// Idle again before answering: a sender's next delivery finds it so.
	l.busy.Store(false)
	for i, r := range group {
		if err != nil {
			results[i] = result{err: fmt.Errorf("intake: writing the journal: %w", err)}
		}
		r.res <- results[i]
	}
}

// laneReader reads one lane for the serving process.
type laneReader struct {
	db    *sql.DB
	next  *sql.Stmt // the entries after an id, prepared once: they are read at every report
	epoch string
}

func openLaneReader(ctx context.Context, path string) (*laneReader, error) {
	db, err := sql.Open("sqlite", path+laneDSN+"&_query_only=1")
	if err != nil {
		return nil, fmt.Errorf("intake: reading the journal %s: %w", path, err)
	}
	r := &laneReader{db: db}
	if err := db.QueryRowContext(ctx, `SELECT epoch FROM journal_meta`).Scan(&r.epoch); err != nil {
		db.Close()
		return nil, fmt.Errorf("intake: reading the journal %s: %w", path, err)
	}
	if r.next, err = db.PrepareContext(ctx, `SELECT id, item FROM deliveries WHERE id > ? AND item IS NOT NULL ORDER BY id LIMIT ?`); err != nil {
		db.Close()
		return nil, fmt.Errorf("intake: reading the journal %s: %w", path, err)
	}
	return r, nil
}

func (r *laneReader) close() error {
	r.next.Close()
	return r.db.Close()
}

func (r *laneReader) after(ctx context.Context, id int64, limit int) ([]Entry, error) {
	rows, err := r.next.QueryContext(ctx, id, limit)
	if err != nil {
		return nil, fmt.Errorf("intake: reading the journal: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var b []byte
		if err := rows.Scan(&e.ID, &b); err != nil {
			return nil, fmt.Errorf("intake: reading the journal: %w", err)
		}
		if err := json.Unmarshal(b, &e.Item); err != nil {
			return nil, fmt.Errorf("intake: journal entry %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
