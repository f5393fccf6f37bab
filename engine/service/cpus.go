package service

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/engine/affinity"
	"github.com/toteworks/tote/engine/ingress"
)

// IntakeCPUs resolves tote run's -intake-cpus against the CPUs this
// process may use: "off" gives none; "auto" gives the last of them where
// there are two or more; a list gives its CPUs, which must be among them
// and leave this process at least one.
func IntakeCPUs(spec string, allowed affinity.Set) (affinity.Set, error) {
	switch spec {
	case "off":
		return nil, nil
	case "auto":
		if len(allowed) < 2 {
			return nil, nil
		}
		return allowed[len(allowed)-1:], nil
	}
	cpus, err := affinity.Parse(spec)
	if err != nil {
		return nil, err
	}
	if !cpus.Within(allowed) {
		return nil, fmt.Errorf("-intake-cpus %s: this process may use CPUs %s only", cpus, allowed)
	}
	if len(allowed.Without(cpus)) == 0 {
		return nil, fmt.Errorf("-intake-cpus %s leaves the runs no CPU of %s", cpus, allowed)
	}
	return cpus, nil
}

// keepOffQuiet is how long after the last delivery the serving process
// keeps off the intake's CPUs.
const keepOffQuiet = 2 * time.Second

// keepOff keeps this process off the intake process's CPUs while
// deliveries arrive, and lets it have every CPU again after keepOffQuiet
// without one. Measured on two cores, a delivery's acknowledgement waits
// for the intake's turn on a CPU and for a sync, and a sync is slow while
// every CPU is busy: with the runs on the other CPU, the intake's is never
// theirs, and is idle between deliveries. Between sales the runs have
// every CPU.
type keepOff struct {
	ingress.Observer // the serving process's observer, told of every report
	all, rest        affinity.Set
	last             atomic.Int64 // when the last delivery was reported, in Unix nanoseconds
	poke             chan struct{}
	logger           *slog.Logger
	now              func() time.Time
	keep             func(affinity.Set) error // affinity.Keep, or a test's
}

func newKeepOff(obs ingress.Observer, all, intake affinity.Set, logger *slog.Logger) *keepOff {
	return &keepOff{Observer: obs, all: all, rest: all.Without(intake), poke: make(chan struct{}, 1), logger: logger,
		now: time.Now, keep: affinity.Keep}
}

// Delivered notes the delivery and passes it on.
func (k *keepOff) Delivered(pipeline, trigger string, accepted, duplicates int, took time.Duration) {
	k.last.Store(k.now().UnixNano())
	select {
	case k.poke <- struct{}{}:
	default:
	}
	if k.Observer != nil {
		k.Observer.Delivered(pipeline, trigger, accepted, duplicates, took)
	}
}

// Rejected passes a refusal on.
func (k *keepOff) Rejected(path string, status int, reason string) {
	if k.Observer != nil {
		k.Observer.Rejected(path, status, reason)
	}
}

// run narrows this process's CPUs at a delivery and widens them at a tick
// keepOffQuiet after the last, until ctx ends, and leaves it every CPU
// then.
func (k *keepOff) run(ctx context.Context, tick <-chan time.Time) {
	narrowed := false
	set := func(to affinity.Set, narrow bool) {
		if err := k.keep(to); err != nil {
			k.logger.Warn("could not change the CPUs this process runs on", "cpus", to.String(), "err", err)
			return
		}
		narrowed = narrow
	}
	defer func() {
		if narrowed {
			set(k.all, false)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-k.poke:
		case <-tick:
		}
		recent := k.now().Sub(time.Unix(0, k.last.Load())) < keepOffQuiet
		switch {
		case recent && !narrowed:
			set(k.rest, true)
		case !recent && narrowed:
			set(k.all, false)
		}
	}
}
