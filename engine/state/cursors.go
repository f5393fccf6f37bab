package state

import (
	"context"
	"errors"
	"fmt"
)

// Cursor returns a named position (a poll cursor, a cron watermark); false
// when it was never set.
func (s *Store) Cursor(ctx context.Context, name string) (string, bool, error) {
	var v string
	err := s.queryRow(ctx, `SELECT value FROM cursors WHERE name = ?`, name).Scan(&v)
	if err != nil {
		if err = notFound(err); errors.Is(err, ErrNotFound) {
			return "", false, nil
		}
		return "", false, fmt.Errorf("state: cursor %s: %w", name, err)
	}
	return v, true, nil
}

// SetCursor sets a named position.
func (s *Store) SetCursor(ctx context.Context, name, value string) error {
	return s.write(ctx, "set cursor "+name, func(tx *wtx) error { return setCursor(tx, name, value) })
}

// DeleteCursor removes a named position; removing one never set is no
// error.
func (s *Store) DeleteCursor(ctx context.Context, name string) error {
	return s.write(ctx, "delete cursor "+name, func(tx *wtx) error {
		_, err := tx.exec(`DELETE FROM cursors WHERE name = ?`, name)
		return err
	})
}

func setCursor(tx *wtx, name, value string) error {
	if name == "" {
		return errors.New("cursor name is required")
	}
	_, err := tx.exec(`INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		name, value, tx.now.UnixNano())
	return err
}
