package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/toteworks/tote/engine/state"
)

// leaseHeld says which process holds the state lease, so the operator
// knows what to stop: the file, the holder's pid and host, and when the
// lease expires if that process is gone.
func leaseHeld(ctx context.Context, store *state.Store) error {
	holder, until, ok, err := store.LeaseHolder(ctx, LeaseName)
	if err != nil || !ok {
		return fmt.Errorf("another tote run holds the state file %s", store.Path())
	}
	return fmt.Errorf("another tote run (%s) holds the state file %s; stop it, or wait until its lease expires at %s",
		describeHolder(holder), store.Path(), until.UTC().Format(time.RFC3339))
}

// describeHolder turns a lease holder (host:pid:start:run) into "pid N on
// host H"; other forms are quoted as they are.
func describeHolder(holder string) string {
	parts := strings.Split(holder, ":")
	if len(parts) < 2 || parts[1] == "" {
		return fmt.Sprintf("holder %q", holder)
	}
	return fmt.Sprintf("pid %s on host %s", parts[1], parts[0])
}
