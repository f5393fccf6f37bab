package state

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Subject is a record an event concerns: kind "order" (a BigCommerce order
// id) or "sku", and its value.
type Subject struct {
	Kind  string
	Value string
}

// putSubjects indexes item under subs, up to groupRows per statement;
// subjects without a kind or a value are left out.
func putSubjects(tx *wtx, item int64, subs []Subject) error {
	args := tx.argBuf(3 * len(subs))
	for _, s := range subs {
		if s.Kind != "" && s.Value != "" {
			args = append(args, s.Kind, s.Value, item)
		}
	}
	for len(args) > 0 {
		n := min(len(args)/3, groupRows)
		if _, err := tx.exec(subjectInserts[n], args[:3*n]...); err != nil {
			return fmt.Errorf("subject %s %s: %w", args[0], args[1], err)
		}
		args = args[3*n:]
	}
	return nil
}

var subjectInserts = multiRow(groupRows, `INSERT INTO subjects (kind, value, item_id) VALUES `, `(?, ?, ?)`, ` ON CONFLICT DO NOTHING`)

// SearchFilter narrows a search by subject.
type SearchFilter struct {
	Pipeline string
	Since    time.Time // events enqueued at or after
	Limit    int       // <= 0: no limit
}

// ItemsConcerning lists the inbox items whose event concerns the subject,
// newest first.
func (s *Store) ItemsConcerning(ctx context.Context, sub Subject, f SearchFilter) ([]Item, error) {
	return s.ItemsConcerningAny(ctx, []Subject{sub}, f)
}

// ItemsConcerningAny lists the inbox items whose event concerns any of
// subs, newest first: lookups in the subjects index, never a scan of the
// payloads.
func (s *Store) ItemsConcerningAny(ctx context.Context, subs []Subject, f SearchFilter) ([]Item, error) {
	if len(subs) == 0 {
		return nil, nil
	}
	var match []string
	var args []any
	for _, sub := range subs {
		match = append(match, "(kind = ? AND value = ?)")
		args = append(args, sub.Kind, sub.Value)
	}
	where := []string{"inbox.id IN (SELECT item_id FROM subjects WHERE " + strings.Join(match, " OR ") + ")"}
	if f.Pipeline != "" {
		where = append(where, "pipeline = ?")
		args = append(args, f.Pipeline)
	}
	if !f.Since.IsZero() {
		where = append(where, "created_at >= ?")
		args = append(args, f.Since.UnixNano())
	}
	named := make([]string, len(subs))
	for i, sub := range subs {
		named[i] = sub.Kind + " " + sub.Value
	}
	return queryAll(ctx, s, "items concerning "+strings.Join(named, " or "), scanItem, `SELECT `+itemCols+` FROM inbox`+whereClause(where)+` ORDER BY id DESC LIMIT ?`,
		append(args, sqlLimit(f.Limit))...)
}

// SubjectsOf returns what an item's event concerns.
func (s *Store) SubjectsOf(ctx context.Context, item int64) ([]Subject, error) {
	return queryAll(ctx, s, fmt.Sprintf("subjects of item %d", item), func(sc scanner) (Subject, error) {
		var sub Subject
		err := sc.Scan(&sub.Kind, &sub.Value)
		return sub, err
	}, `SELECT kind, value FROM subjects WHERE item_id = ? ORDER BY kind, value`, item)
}

// RunsOfItem lists the runs of one inbox item, oldest first.
func (s *Store) RunsOfItem(ctx context.Context, item int64) ([]Run, error) {
	return queryAll(ctx, s, fmt.Sprintf("runs of item %d", item), scanRun,
		`SELECT `+runCols+` FROM runs WHERE item_id = ? ORDER BY started_at, rowid`, item)
}

// Write is one write of a run as the ledger holds it.
type Write struct {
	Connection string
	Action     string
	Identity   string
	Op         string // create, update, delete; empty for writes recorded before it was kept
	Status     IntentStatus
	Output     []byte
	Error      string
}

// WritesOfRun lists the ledger's writes made by one run.
func (s *Store) WritesOfRun(ctx context.Context, runID string) ([]Write, error) {
	return queryAll(ctx, s, "writes of run "+runID, func(sc scanner) (Write, error) {
		var w Write
		err := sc.Scan(&w.Connection, &w.Action, &w.Identity, &w.Op, &w.Status, &w.Output, &w.Error)
		return w, err
	}, `SELECT connection, action, identity, op, status, output, error
		FROM intents WHERE run_id = ? ORDER BY created_at, idem_key`, runID)
}

// Rejection is a webhook delivery tote refused.
type Rejection struct {
	At     time.Time
	Path   string
	Status int
	Reason string
}

// KeepRejections is how many rejections the state keeps, newest.
const KeepRejections = 1000

// RecordRejection keeps a refused delivery (never its body), dropping the
// oldest beyond KeepRejections. Path and reason are cut to 200 bytes: the
// sender chooses the path.
func (s *Store) RecordRejection(ctx context.Context, r Rejection) error {
	path, reason := CutText(r.Path, 200), CutText(r.Reason, 200)
	return s.write(ctx, "record rejection", func(tx *wtx) error {
		at := r.At
		if at.IsZero() {
			at = tx.now
		}
		var id int64
		err := tx.queryRow(`INSERT INTO rejections (at, path, status, reason) VALUES (?, ?, ?, ?) RETURNING id`,
			at.UnixNano(), path, r.Status, reason).Scan(&id)
		if err != nil {
			return err
		}
		_, err = tx.exec(`DELETE FROM rejections WHERE id <= ?`, id-KeepRejections)
		return err
	})
}

// Rejections lists refused deliveries, newest first.
func (s *Store) Rejections(ctx context.Context, since time.Time, limit int) ([]Rejection, error) {
	from := int64(math.MinInt64)
	if !since.IsZero() {
		from = since.UnixNano()
	}
	return queryAll(ctx, s, "rejections", func(sc scanner) (Rejection, error) {
		var r Rejection
		err := sc.Scan(timeCol{&r.At}, &r.Path, &r.Status, &r.Reason)
		return r, err
	}, `SELECT at, path, status, reason FROM rejections WHERE at >= ? ORDER BY id DESC LIMIT ?`, from, sqlLimit(limit))
}

// CutText shortens s to at most n bytes and marks the cut with "...": for
// text a sender chose, such as a refused delivery's path, up to a
// megabyte. What is kept is the longest valid UTF-8 prefix of s's first n
// bytes, found in one pass.
func CutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	k := 0
	for k < n {
		r, size := utf8.DecodeRuneInString(s[k:])
		if r == utf8.RuneError && size == 1 || k+size > n {
			break
		}
		k += size
	}
	return s[:k] + "..."
}
