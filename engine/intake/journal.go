// Package intake is tote run's webhook intake in a process of its own
// (tote run -intake process): the intake process verifies deliveries,
// commits their events to a journal file beside the state and answers the
// sender; the serving process, at a lower CPU priority, moves the journal
// into the state's inbox. Acknowledgements then wait on no run's CPU.
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

	"github.com/toteworks/tote/engine/state"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

// JournalPath is the journal of the SQLite state file at statePath.
func JournalPath(statePath string) string { return statePath + ".intake" }

// Every commit is synced (FULL) because an answered delivery must survive
// a crash: the sender does not deliver it again.
const journalDSN = "?_journal_mode=WAL&_busy_timeout=5000&_synchronous=FULL"

const journalSchema = `
CREATE TABLE IF NOT EXISTS journal_meta (epoch TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	pipeline TEXT NOT NULL, trigger TEXT NOT NULL, key TEXT NOT NULL,
	item BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS deliveries_key ON deliveries (pipeline, trigger, key) WHERE key <> '';
`

// maxGroup bounds the deliveries committed together.
const maxGroup = 256

// Journal is the intake process's side: it appends events and forgets
// those the serving process has moved. One process writes a journal.
type Journal struct {
	db    *sql.DB
	known Known
	reqs  chan request
	done  chan struct{}
}

// Known reports whether the state already holds an event with this key
// (state.Keys.Has): a redelivery of an event already moved out of the
// journal is then answered as a duplicate, as tote run answers it
// without an intake process.
type Known func(ctx context.Context, pipeline, trigger, key string) (bool, error)

// request is an append (items) or, with forget, a deletion up to upTo.
type request struct {
	items  []state.NewItem
	known  []bool // of items, those the state holds
	forget bool
	upTo   int64
	res    chan result
}

type result struct {
	res []state.EnqueueResult
	err error
}

// OpenJournal opens or creates the journal at path, readable and writable
// by its owner only (the events carry customer data). known may be nil.
func OpenJournal(ctx context.Context, path string, known Known) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("intake: creating the journal: %w", err)
	}
	f.Close()
	db, err := sql.Open("sqlite", path+journalDSN)
	if err != nil {
		return nil, fmt.Errorf("intake: opening the journal %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if err := initJournal(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("intake: opening the journal %s: %w", path, err)
	}
	j := &Journal{db: db, known: known, reqs: make(chan request, maxGroup), done: make(chan struct{})}
	go j.write()
	return j, nil
}

// initJournal makes the tables and, in a new journal, its epoch: a random
// name that tells this journal from one made after it was deleted, whose
// ids start again at 1.
func initJournal(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, journalSchema); err != nil {
		return err
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM journal_meta`).Scan(&n); err != nil || n > 0 {
		return err
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	_, err := db.ExecContext(ctx, `INSERT INTO journal_meta (epoch) VALUES (?)`, hex.EncodeToString(b))
	return err
}

// Enqueue appends items in one commit, shared with the other deliveries
// that wait meanwhile, and returns once it is durable. An item whose key
// the journal still holds is a duplicate. It satisfies ingress.Inbox.
func (j *Journal) Enqueue(ctx context.Context, items ...state.NewItem) ([]state.EnqueueResult, error) {
	r := request{items: items}
	if j.known != nil {
		// Asked outside the writer, which waits on no read. An event
		// whose key cannot be looked up is journalled: the serving
		// process deduplicates it when it moves it.
		r.known = make([]bool, len(items))
		for i, it := range items {
			r.known[i], _ = j.known(ctx, it.Pipeline, it.Trigger, it.Key)
		}
	}
	return j.do(ctx, r)
}

// Forget drops the deliveries up to id, which the serving process has
// moved into the state.
func (j *Journal) Forget(ctx context.Context, upTo int64) error {
	_, err := j.do(ctx, request{forget: true, upTo: upTo})
	return err
}

func (j *Journal) do(ctx context.Context, r request) ([]state.EnqueueResult, error) {
	r.res = make(chan result, 1)
	select {
	case j.reqs <- r:
	case <-j.done:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// Once queued, the request is committed or failed; waiting for the
	// answer keeps a cancelled sender from missing a commit it caused.
	res := <-r.res
	return res.res, res.err
}

var errClosed = errors.New("intake: the journal is closed")

// Close finishes the queued requests and closes the journal. It is called
// once no Enqueue or Forget can start any more.
func (j *Journal) Close() error {
	close(j.reqs)
	<-j.done
	return j.db.Close()
}

// write commits the queued requests in groups.
func (j *Journal) write() {
	defer close(j.done)
	group := make([]request, 0, maxGroup)
	for r := range j.reqs {
		group = append(group[:0], r)
	more:
		for len(group) < maxGroup {
			select {
			case r, ok := <-j.reqs:
				if !ok {
					break more
				}
				group = append(group, r)
			default:
				break more
			}
		}
		j.commit(group)
	}
}

func (j *Journal) commit(group []request) {
	results := make([]result, len(group))
	err := func() error {
		tx, err := j.db.Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for i, r := range group {
			if r.forget {
				if _, err := tx.Exec(`DELETE FROM deliveries WHERE id <= ?`, r.upTo); err != nil {
					return err
				}
				continue
			}
			res := make([]state.EnqueueResult, len(r.items))
			for k, it := range r.items {
				if r.known != nil && r.known[k] {
					res[k].Duplicate = true
					continue
				}
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
	for i, r := range group {
		if err != nil {
			results[i] = result{err: fmt.Errorf("intake: writing the journal: %w", err)}
		}
		r.res <- results[i]
	}
}

// Entry is a journalled event.
type Entry struct {
	ID   int64
	Item state.NewItem
}

// Reader is the serving process's side of a journal: it reads what the
// intake process committed.
type Reader struct {
	db    *sql.DB
	epoch string
}

// OpenReader opens the journal at path for reading; the intake process
// must have opened it first.
func OpenReader(ctx context.Context, path string) (*Reader, error) {
	db, err := sql.Open("sqlite", path+journalDSN+"&_query_only=1")
	if err != nil {
		return nil, fmt.Errorf("intake: reading the journal %s: %w", path, err)
	}
	r := &Reader{db: db}
	if err := db.QueryRowContext(ctx, `SELECT epoch FROM journal_meta`).Scan(&r.epoch); err != nil {
		db.Close()
		return nil, fmt.Errorf("intake: reading the journal %s: %w", path, err)
	}
	return r, nil
}

// Epoch names this journal among those that were at its path.
func (r *Reader) Epoch() string { return r.epoch }

// After returns up to limit entries after id, in order.
func (r *Reader) After(ctx context.Context, id int64, limit int) ([]Entry, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT id, item FROM deliveries WHERE id > ? ORDER BY id LIMIT ?`, id, limit)
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

// Close closes the reader.
func (r *Reader) Close() error { return r.db.Close() }
