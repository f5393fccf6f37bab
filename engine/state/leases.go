package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AcquireLease takes the named lease for holder until now+ttl. It reports
// true when the lease was free, expired, or already held by holder (then it
// is renewed), and false while another holder's lease is still valid.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return false, fmt.Errorf("state: acquire lease: name, holder and a positive ttl are required")
	}
	var n int64
	err := s.write(ctx, "acquire lease "+name, func(tx *wtx) error {
		now := tx.now.UnixNano()
		var err error
		n, err = tx.affected(`INSERT INTO leases (name, holder, expires_at, updated_at) VALUES (?1, ?2, ?3, ?4)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, updated_at = excluded.updated_at
			WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4`,
			name, holder, tx.now.Add(ttl).UnixNano(), now)
		return err
	})
	return n == 1, err
}

// ReleaseLease gives up the named lease if holder holds it; otherwise it does
// nothing.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.write(ctx, "release lease "+name, func(tx *wtx) error {
		_, err := tx.exec(`DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	})
}

// LeaseHolder returns who holds the named lease and until when; ok is
// false when nobody does.
func (s *Store) LeaseHolder(ctx context.Context, name string) (holder string, until time.Time, ok bool, err error) {
	var expires int64
	err = s.queryRow(ctx, `SELECT holder, expires_at FROM leases WHERE name = ?`, name).Scan(&holder, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, fmt.Errorf("state: reading lease %s: %w", name, err)
	}
	return holder, time.Unix(0, expires), true, nil
}

// TakeLease gives the named lease to holder if from still holds it,
// whatever its expiry: for a holder known to be gone.
func (s *Store) TakeLease(ctx context.Context, name, from, holder string, ttl time.Duration) (bool, error) {
	var n int64
	err := s.write(ctx, "take lease "+name, func(tx *wtx) error {
		var err error
		n, err = tx.affected(`UPDATE leases SET holder = ?1, expires_at = ?2, updated_at = ?3 WHERE name = ?4 AND holder = ?5`,
			holder, tx.now.Add(ttl).UnixNano(), tx.now.UnixNano(), name, from)
		return err
	})
	return n == 1, err
}
