package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrLeaseLost means the fence's lease has expired or passed to another
// holder: its holder must stop claiming and writing at once.
var ErrLeaseLost = errors.New("state: the state lease is no longer held (it expired or another process took it)")

// Fence is a held lease as its holder knows it. The token grows by one
// whenever the lease changes holder, so a holder that lost the lease (it
// was paused past its expiry and another took over) cannot pass a check,
// even if it later believes it holds the lease again.
type Fence struct {
	Name   string
	Holder string
	Token  int64
}

// AcquireFence takes the named lease for holder until now+ttl. It reports
// true when the lease was free, expired, or already held by holder (then it
// is renewed and keeps its token), and false while another holder's lease
// is still valid.
func (s *Store) AcquireFence(ctx context.Context, name, holder string, ttl time.Duration) (Fence, bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return Fence{}, false, fmt.Errorf("state: acquire lease: name, holder and a positive ttl are required")
	}
	f := Fence{Name: name, Holder: holder}
	var ok bool
	err := s.write(ctx, "acquire lease "+name, func(tx *wtx) error {
		now := tx.now.UnixNano()
		var cur string
		var token, expires int64
		err := tx.queryRow(`SELECT holder, token, expires_at FROM leases WHERE name = ?`+forUpdate, name).Scan(&cur, &token, &expires)
		seen := token // the upsert changes the lease only if still at it (0: absent)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			f.Token, seen = 1, 0
		case err != nil:
			return err
		case cur == holder:
			f.Token = token
		case expires <= now:
			f.Token = token + 1
		default:
			return nil
		}
		n, err := tx.affected(putLease+` WHERE leases.token = ?6`, name, holder, f.Token, tx.now.Add(ttl).UnixNano(), now, seen)
		ok = err == nil && n == 1
		return err
	})
	return f, ok, err
}

// putLease sets a lease's holder, token and expiry (?1 to ?5: name,
// holder, token, expires_at, updated_at), inserting it if absent.
const putLease = `INSERT INTO leases (name, holder, token, expires_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
	ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at, updated_at = excluded.updated_at`

// AcquireLease is AcquireFence without the fence.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	_, ok, err := s.AcquireFence(ctx, name, holder, ttl)
	return ok, err
}

// RenewFence extends f's lease until now+ttl if f still holds it and it has
// not expired; otherwise it fails with ErrLeaseLost. A lease that expired is
// not renewed even when nobody took it: its holder may have been paused,
// and it must find out.
func (s *Store) RenewFence(ctx context.Context, f Fence, ttl time.Duration) error {
	return s.write(ctx, "renew lease "+f.Name, func(tx *wtx) error {
		if err := checkFence(tx, f); err != nil {
			return err
		}
		_, err := tx.exec(`UPDATE leases SET expires_at = ?, updated_at = ? WHERE name = ?`, tx.now.Add(ttl).UnixNano(), tx.now.UnixNano(), f.Name)
		return err
	})
}

// checkFence verifies, inside a write transaction, that f's holder still
// holds the lease with f's token and that it has not expired.
func checkFence(tx *wtx, f Fence) error {
	return fenceIn(tx.queryRow(fenceQuery+forUpdate, f.Name), f, tx.now)
}

// fenceQuery reads what fenceIn checks of a lease.
const fenceQuery = `SELECT holder, token, expires_at FROM leases WHERE name = ?`

// fenceIn checks f against its lease as read by fenceQuery: ErrLeaseLost
// when the lease is gone, has another holder or token, or expired by now.
func fenceIn(row scanner, f Fence, now time.Time) error {
	var holder string
	var token, expires int64
	err := row.Scan(&holder, &token, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (holder != f.Holder || token != f.Token || expires <= now.UnixNano())) {
		return ErrLeaseLost
	}
	return err
}

// ReleaseLease gives up the named lease if holder holds it; otherwise it does
// nothing. The lease keeps its token, so the next holder's is higher.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.write(ctx, "release lease "+name, func(tx *wtx) error {
		_, err := tx.exec(`UPDATE leases SET expires_at = 0, updated_at = ? WHERE name = ? AND holder = ?`, tx.now.UnixNano(), name, holder)
		return err
	})
}

// LeaseHolder returns who holds the named lease and until when; ok is
// false when nobody does (it was never taken, or was released). A holder
// whose lease has expired is still returned, with its expiry.
func (s *Store) LeaseHolder(ctx context.Context, name string) (holder string, until time.Time, ok bool, err error) {
	var expires int64
	err = s.queryRow(ctx, `SELECT holder, expires_at FROM leases WHERE name = ?`, name).Scan(&holder, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && expires == 0) {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, fmt.Errorf("state: reading lease %s: %w", name, err)
	}
	return holder, time.Unix(0, expires), true, nil
}

// TakeLease gives the named lease to holder if from still holds it,
// whatever its expiry: for a holder known to be gone. The token grows.
func (s *Store) TakeLease(ctx context.Context, name, from, holder string, ttl time.Duration) (Fence, bool, error) {
	var f Fence
	var n int64
	err := s.write(ctx, "take lease "+name, func(tx *wtx) error {
		var err error
		n, err = tx.affected(`UPDATE leases SET holder = ?1, token = token + 1, expires_at = ?2, updated_at = ?3 WHERE name = ?4 AND holder = ?5`,
			holder, tx.now.Add(ttl).UnixNano(), tx.now.UnixNano(), name, from)
		if err != nil || n == 0 {
			return err
		}
		f = Fence{Name: name, Holder: holder}
		return tx.queryRow(`SELECT token FROM leases WHERE name = ?`, name).Scan(&f.Token)
	})
	return f, n == 1, err
}
