package affinity

import (
	"fmt"

	"github.com/toteworks/tote/engine/threads"
	"golang.org/x/sys/unix"
)

func allowed() (Set, error) {
	var m unix.CPUSet
	if err := unix.SchedGetaffinity(0, &m); err != nil {
		return nil, fmt.Errorf("affinity: reading this process's CPUs: %w", err)
	}
	var s Set
	for c := range maxCPU {
		if m.IsSet(c) {
			s = append(s, c)
		}
	}
	return s, nil
}

// On Linux a CPU mask belongs to each thread.
func keep(s Set) error {
	var m unix.CPUSet
	for _, c := range s {
		if c >= len(m)*64 {
			return fmt.Errorf("affinity: CPU %d is past the %d this build can name", c, len(m)*64)
		}
		m.Set(c)
	}
	err := threads.Each(func(tid int) error {
		if err := unix.SchedSetaffinity(tid, &m); err != nil {
			return fmt.Errorf("keeping thread %d to CPUs %s: %w", tid, s, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("affinity: %w", err)
	}
	return nil
}
