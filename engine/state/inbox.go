package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// NewItem is an event to put in the inbox.
type NewItem struct {
	Pipeline string
	Trigger  string
	// Key deduplicates the event within its pipeline and trigger (for a
	// BigCommerce webhook, its hash). An empty Key is never deduplicated.
	Key     string
	Payload []byte
	// NotBefore is when the item becomes claimable; zero means now.
	NotBefore time.Time
	Overlap   Overlap
	// Subjects are the orders and SKUs the event concerns, indexed for
	// search (SubjectItems).
	Subjects []Subject
}

// EnqueueResult is what Enqueue did with one NewItem.
type EnqueueResult struct {
	ID        int64 // the new item, or the existing one when Duplicate
	Duplicate bool  // the key was already present; nothing was inserted
	Skipped   bool  // OverlapSkip declined the item; nothing was inserted
}

// Item is an inbox item.
type Item struct {
	ID         int64
	Pipeline   string
	Trigger    string
	Key        string
	Payload    []byte
	Status     ItemStatus
	Attempts   int       // how many times it was claimed
	Generation int       // 1, plus one each time its attempts started afresh
	NotBefore  time.Time // when it becomes (or became) claimable
	LeaseUntil time.Time // while running: when its claim expires
	LastError  string
	RunID      string // the run that finished it
	ClaimToken int64  // the lease token of its latest claim (0: unfenced)
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// itemCols are the columns scanItem reads, in order.
const itemCols = `id, pipeline, trigger_name, COALESCE(event_key, ''), payload, status, attempts, generation,
	not_before, lease_until, last_error, run_id, claim_token, created_at, updated_at`

func scanItem(sc scanner) (Item, error) {
	var it Item
	err := sc.Scan(&it.ID, &it.Pipeline, &it.Trigger, &it.Key, &it.Payload, &it.Status, &it.Attempts, &it.Generation,
		timeCol{&it.NotBefore}, timeCol{&it.LeaseUntil}, &it.LastError, &it.RunID, &it.ClaimToken,
		timeCol{&it.CreatedAt}, timeCol{&it.UpdatedAt})
	return it, err
}

// Enqueue adds items to the inbox in one transaction, applying each item's
// overlap policy and deduplicating on (pipeline, trigger, key). The results
// are in the order of items. A sender (a webhook's) waits on it, so it
// goes into the writer's next commit ahead of other queued writes.
func (s *Store) Enqueue(ctx context.Context, items ...NewItem) ([]EnqueueResult, error) {
	if err := validateItems(items); err != nil {
		return nil, fmt.Errorf("state: enqueue: %w", err)
	}
	res := make([]EnqueueResult, len(items))
	err := s.writeUrgent(ctx, "enqueue", func(tx *wtx) error {
		return enqueue(tx, items, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// EnqueueAndSetCursor enqueues items and moves the cursor to value in one
// transaction, so a poll's results become durable together with the
// position that produced them.
func (s *Store) EnqueueAndSetCursor(ctx context.Context, cursor, value string, items ...NewItem) ([]EnqueueResult, error) {
	if err := validateItems(items); err != nil {
		return nil, fmt.Errorf("state: enqueue: %w", err)
	}
	return s.enqueueSettingCursor(ctx, "enqueue and set cursor", cursor, value, items, nil)
}

// ErrCursorMoved means a cursor was not where its mover last left it:
// another process moved it meanwhile.
var ErrCursorMoved = errors.New("state: the cursor was moved by another process")

// EnqueueMovingCursor is EnqueueAndSetCursor for a cursor one process
// moves at a time: it moves the cursor from value from (or from unset,
// when from is "") to value to, with the items, and when the cursor is
// elsewhere, changes nothing and fails with ErrCursorMoved.
func (s *Store) EnqueueMovingCursor(ctx context.Context, cursor, from, to string, items ...NewItem) ([]EnqueueResult, error) {
	if err := validateItems(items); err != nil {
		return nil, fmt.Errorf("state: enqueue: %w", err)
	}
	return s.enqueueSettingCursor(ctx, "enqueue and move cursor", cursor, to, items, func(tx *wtx) error {
		var n int64
		var err error
		if from == "" {
			// Unset: claimed by inserting it, which fails if it is set.
			n, err = tx.affected(`INSERT INTO cursors (name, value, updated_at) VALUES (?, '', ?) ON CONFLICT (name) DO NOTHING`,
				cursor, tx.now.UnixNano())
		} else {
			n, err = tx.affected(`UPDATE cursors SET updated_at = ? WHERE name = ? AND value = ?`, tx.now.UnixNano(), cursor, from)
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrCursorMoved
		}
		return nil
	})
}

// enqueueSettingCursor enqueues valid items and moves cursor to value in
// one write named op, after first (when not nil) has passed in it.
func (s *Store) enqueueSettingCursor(ctx context.Context, op, cursor, value string, items []NewItem, first func(*wtx) error) ([]EnqueueResult, error) {
	res := make([]EnqueueResult, len(items))
	err := s.write(ctx, op, func(tx *wtx) error {
		if first != nil {
			if err := first(tx); err != nil {
				return err
			}
		}
		if err := enqueue(tx, items, res); err != nil {
			return err
		}
		return setCursor(tx, cursor, value)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func validateItems(items []NewItem) error {
	for i, it := range items {
		if it.Pipeline == "" || it.Trigger == "" {
			return fmt.Errorf("item %d: pipeline and trigger are required", i)
		}
		if it.Overlap < OverlapAll || it.Overlap > OverlapLatest {
			return fmt.Errorf("item %d: unknown overlap policy %d", i, it.Overlap)
		}
	}
	return nil
}

func enqueue(tx *wtx, items []NewItem, res []EnqueueResult) error {
	for i := 0; i < len(items); {
		// Plain items next to each other go in one statement.
		j := i
		for j < len(items) && j-i < groupRows && plain(items[j]) {
			j++
		}
		if j-i > 1 {
			if err := enqueuePlain(tx, items[i:j], res[i:j]); err != nil {
				it := items[i]
				return fmt.Errorf("items %d to %d (%s/%s %q...): %w", i, j-1, it.Pipeline, it.Trigger, it.Key, err)
			}
			i = j
			continue
		}
		it := items[i]
		r, err := enqueueOne(tx, it)
		if err != nil {
			return fmt.Errorf("item %d (%s/%s %q): %w", i, it.Pipeline, it.Trigger, it.Key, err)
		}
		res[i] = r
		i++
	}
	return nil
}

// plain reports whether it is inserted unless its key is taken, with no
// overlap policy to apply: the kind of item enqueuePlain takes.
func plain(it NewItem) bool {
	return it.Overlap == OverlapAll && it.Key != ""
}

// itemKey is what deduplicates an item.
type itemKey struct{ pipeline, trigger, key string }

// enqueuePlain inserts plain items (see plain) with one statement; each
// has the result enqueueOne would give it. An item whose key is taken,
// before or by an earlier item of the same call, is a duplicate.
func enqueuePlain(tx *wtx, items []NewItem, res []EnqueueResult) error {
	now := tx.now.UnixNano()
	args := tx.argBuf(7 * len(items))
	for _, it := range items {
		notBefore := now
		if !it.NotBefore.IsZero() {
			notBefore = it.NotBefore.UnixNano()
		}
		args = append(args, it.Pipeline, it.Trigger, it.Key, it.Payload, notBefore, now, now)
	}
	rows, err := tx.query(enqueueInserts[len(items)], args...)
	if err != nil {
		return err
	}
	inserted := make(map[itemKey]int64, len(items))
	for rows.Next() {
		var id int64
		var k itemKey
		if err := rows.Scan(&id, &k.pipeline, &k.trigger, &k.key); err != nil {
			rows.Close()
			return err
		}
		inserted[k] = id
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for i, it := range items {
		k := itemKey{it.Pipeline, it.Trigger, it.Key}
		if id, ok := inserted[k]; ok {
			delete(inserted, k) // a later item with this key is its duplicate
			res[i] = EnqueueResult{ID: id}
			if err := putSubjects(tx, id, it.Subjects); err != nil {
				return err
			}
			continue
		}
		id, _, err := existingItem(tx, it.Pipeline, it.Trigger, it.Key)
		if err != nil {
			return err
		}
		res[i] = EnqueueResult{ID: id, Duplicate: true}
	}
	return nil
}

// enqueueInserts[n] inserts n plain items, returning those it inserted.
var enqueueInserts = multiRow(groupRows, `INSERT INTO inbox (pipeline, trigger_name, event_key, payload, status, not_before, created_at, updated_at) VALUES `,
	`(?, ?, ?, ?, 'pending', ?, ?, ?)`,
	` ON CONFLICT (pipeline, trigger_name, event_key) DO NOTHING RETURNING id, pipeline, trigger_name, event_key`)

func enqueueOne(tx *wtx, it NewItem) (EnqueueResult, error) {
	var key any // NULL: an empty key never collides
	if it.Key != "" {
		key = it.Key
	}
	if it.Overlap != OverlapAll {
		// The policy reads the live items and then writes: other
		// processes enqueueing for the same trigger wait their turn.
		if err := tx.lock("inbox " + it.Pipeline + "\n" + it.Trigger); err != nil {
			return EnqueueResult{}, err
		}
	}
	if it.Overlap != OverlapAll && key != nil {
		// A duplicate must neither be skipped nor supersede anything.
		id, found, err := existingItem(tx, it.Pipeline, it.Trigger, it.Key)
		if err != nil || found {
			return EnqueueResult{ID: id, Duplicate: found}, err
		}
	}
	switch it.Overlap {
	case OverlapSkip:
		var live bool
		err := tx.queryRow(`SELECT EXISTS (SELECT 1 FROM inbox WHERE pipeline = ? AND trigger_name = ?
			AND status IN ('pending', 'running'))`, it.Pipeline, it.Trigger).Scan(&live)
		if err != nil {
			return EnqueueResult{}, err
		}
		if live {
			return EnqueueResult{Skipped: true}, nil
		}
	case OverlapLatest:
		// The redundant IN term lets SQLite use the inbox_live index.
		_, err := tx.exec(`UPDATE inbox SET status = 'superseded', updated_at = ?
			WHERE pipeline = ? AND trigger_name = ? AND status IN ('pending', 'running') AND status = 'pending'`,
			tx.now.UnixNano(), it.Pipeline, it.Trigger)
		if err != nil {
			return EnqueueResult{}, err
		}
	}
	notBefore := it.NotBefore
	if notBefore.IsZero() {
		notBefore = tx.now
	}
	var id int64
	err := tx.queryRow(`INSERT INTO inbox (pipeline, trigger_name, event_key, payload, status, not_before, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)
		ON CONFLICT (pipeline, trigger_name, event_key) DO NOTHING
		RETURNING id`,
		it.Pipeline, it.Trigger, key, it.Payload, notBefore.UnixNano(), tx.now.UnixNano(), tx.now.UnixNano()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		id, _, err = existingItem(tx, it.Pipeline, it.Trigger, it.Key)
		return EnqueueResult{ID: id, Duplicate: true}, err
	}
	if err == nil {
		err = putSubjects(tx, id, it.Subjects)
	}
	return EnqueueResult{ID: id}, err
}

func existingItem(tx *wtx, pipeline, trigger, key string) (int64, bool, error) {
	var id int64
	err := tx.queryRow(`SELECT id FROM inbox WHERE pipeline = ? AND trigger_name = ? AND event_key = ?`,
		pipeline, trigger, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}
