package state

import (
	"context"
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
