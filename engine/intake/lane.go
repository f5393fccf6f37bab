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
	"sync"
	"sync/atomic"

	"github.com/toteworks/tote/engine/state"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

// Every commit is synced (FULL) because an answered delivery must survive
// a crash: the sender does not deliver it again. secure_delete: a moved
// event's payload is zeroed in the file, not left in its free space.
const laneDSN = "?_journal_mode=WAL&_busy_timeout=5000&_synchronous=FULL&_pragma=secure_delete(1)"

// keptKeys is how many moved deliveries keep their key (not their
// payload) in a lane, so that a redelivery of one is answered as a
// duplicate without asking the state, which the serving process is busy
// writing. One moved longer ago is journalled again, and the state
// deduplicates it when it is moved.
const keptKeys = 100_000

const laneSchema = `
CREATE TABLE IF NOT EXISTS journal_meta (epoch TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	pipeline TEXT NOT NULL, trigger TEXT NOT NULL, key TEXT NOT NULL,
	item BLOB -- NULL once moved: only the key is kept
);
CREATE UNIQUE INDEX IF NOT EXISTS deliveries_key ON deliveries (pipeline, trigger, key) WHERE key <> '';
`

// maxGroup bounds the deliveries committed together.
const maxGroup = 256

// lane is one file of a journal, with a writer that commits the requests
// queued meanwhile together.
type lane struct {
	db   *sql.DB
	reqs chan request
	// closeMu keeps close from closing reqs while a request is being
	// sent (a handler still running past the server's shutdown).
	closeMu   sync.RWMutex
	closed    bool
	done      chan struct{}
	busy      atomic.Bool // committing
	forgotten int64       // the last id whose payload is dropped; the writer's
}

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
	db, err := sql.Open("sqlite", path+laneDSN)
	if err != nil {
		return nil, fmt.Errorf("intake: opening the journal %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	l := &lane{db: db, reqs: make(chan request, maxGroup), done: make(chan struct{})}
	if err := l.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("intake: opening the journal %s: %w", path, err)
	}
	go l.write()
	return l, nil
}

// init makes the tables and, in a new file, its epoch: a random name that
// tells this file from one made after it was deleted, whose ids start
// again at 1.
func (l *lane) init(ctx context.Context) error {
	if _, err := l.db.ExecContext(ctx, laneSchema); err != nil {
		return err
	}
	if err := l.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM deliveries WHERE item IS NULL`).Scan(&l.forgotten); err != nil {
		return err
	}
	var n int
	if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM journal_meta`).Scan(&n); err != nil || n > 0 {
		return err
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	_, err := l.db.ExecContext(ctx, `INSERT INTO journal_meta (epoch) VALUES (?)`, hex.EncodeToString(b))
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
	return l.db.Close()
}

// write commits the queued requests in groups.
func (l *lane) write() {
	defer close(l.done)
	group := make([]request, 0, maxGroup)
	for r := range l.reqs {
		l.busy.Store(true)
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
	}
}

func (l *lane) commit(group []request) {
	results := make([]result, len(group))
	forgotten := l.forgotten
	err := func() error {
		tx, err := l.db.Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for i, r := range group {
			if r.forget {
				if r.upTo <= forgotten {
					continue
				}
				// By id ranges: a condition on the payload would read
				// every kept key each time.
				if _, err := tx.Exec(`UPDATE deliveries SET item = NULL WHERE id > ? AND id <= ?`, forgotten, r.upTo); err != nil {
					return err
				}
				if _, err := tx.Exec(`DELETE FROM deliveries WHERE id <= ?`, r.upTo-keptKeys); err != nil {
					return err
				}
				forgotten = r.upTo
				continue
			}
			res := make([]state.EnqueueResult, len(r.items))
			for k, it := range r.items {
				b, err := json.Marshal(it)
				if err != nil {
					return err
				}
				out, err := tx.Exec(`INSERT OR IGNORE INTO deliveries (pipeline, trigger, key, item) VALUES (?, ?, ?, ?)`,
					it.Pipeline, it.Trigger, it.Key, b)
				if err != nil {
					return err
				}
				if n, _ := out.RowsAffected(); n == 0 {
					res[k].Duplicate = true
				} else {
					res[k].ID, _ = out.LastInsertId()
				}
			}
			results[i].res = res
		}
		return tx.Commit()
	}()
	if err == nil {
		l.forgotten = forgotten
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
	return r, nil
}

func (r *laneReader) after(ctx context.Context, id int64, limit int) ([]Entry, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT id, item FROM deliveries WHERE id > ? AND item IS NOT NULL ORDER BY id LIMIT ?`, id, limit)
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
