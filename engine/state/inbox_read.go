package state

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// ItemFilter selects inbox items. Empty fields match everything; Limit <= 0
// means no limit.
type ItemFilter struct {
	Pipeline string
	Status   ItemStatus
	Limit    int
}

// NextDue returns the earliest not_before among pending items; false when
// nothing is pending.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var t time.Time
	err := s.queryRow(ctx, `SELECT MIN(not_before) FROM inbox WHERE status = 'pending'`).Scan(timeCol{&t})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("state: next due: %w", err)
	}
	return t, !t.IsZero(), nil
}

// Item returns one inbox item, or ErrNotFound.
func (s *Store) Item(ctx context.Context, id int64) (Item, error) {
	it, err := scanItem(s.queryRow(ctx, `SELECT `+itemCols+` FROM inbox WHERE id = ?`, id))
	if err != nil {
		return Item{}, fmt.Errorf("state: item %d: %w", id, notFound(err))
	}
	return it, nil
}

// Items lists inbox items matching f, newest first.
func (s *Store) Items(ctx context.Context, f ItemFilter) ([]Item, error) {
	var where []string
	var args []any
	if f.Pipeline != "" {
		where = append(where, "pipeline = ?")
		args = append(args, f.Pipeline)
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	return queryAll(ctx, s, "list items", scanItem, `SELECT `+itemCols+` FROM inbox`+whereClause(where)+` ORDER BY id DESC LIMIT ?`,
		append(args, sqlLimit(f.Limit))...)
}

// InboxCounts returns how many items are in each status; every status is
// present in the map, zero or not.
func (s *Store) InboxCounts(ctx context.Context) (map[ItemStatus]int, error) {
	rows, err := s.queryRows(ctx, `SELECT status, COUNT(*) FROM inbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("state: inbox counts: %w", err)
	}
	defer rows.Close()
	counts := make(map[ItemStatus]int, len(itemStatuses))
	for _, st := range itemStatuses {
		counts[st] = 0
	}
	for rows.Next() {
		var st ItemStatus
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("state: inbox counts: %w", err)
		}
		counts[st] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: inbox counts: %w", err)
	}
	return counts, nil
}

// whereClause joins filter conditions; the conditions are fixed strings and
// every value goes in as a parameter.
func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// sqlLimit maps "no limit" (<= 0) to the largest limit, which both
// backends accept (PostgreSQL refuses SQLite's -1). The limit is a
// parameter so the query text, and its cached statement, does not vary
// with it.
func sqlLimit(limit int) int64 {
	if limit <= 0 {
		return math.MaxInt64
	}
	return int64(limit)
}
