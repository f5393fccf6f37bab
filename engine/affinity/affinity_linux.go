package affinity

import (
	"fmt"
	"os"
	"strconv"

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

// On Linux a CPU mask belongs to each thread, and a Go program's threads
// are listed in /proc/self/task. Two passes catch a thread the runtime
// started during the first from a thread not yet set.
func keep(s Set) error {
	var m unix.CPUSet
	for _, c := range s {
		if c >= len(m)*64 {
			return fmt.Errorf("affinity: CPU %d is past the %d this build can name", c, len(m)*64)
		}
		m.Set(c)
	}
	for range 2 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("affinity: listing this process's threads: %w", err)
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := unix.SchedSetaffinity(tid, &m); err != nil && err != unix.ESRCH {
				return fmt.Errorf("affinity: keeping thread %d to CPUs %s: %w", tid, s, err)
			}
		}
	}
	return nil
}
