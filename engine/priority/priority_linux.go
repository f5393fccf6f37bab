package priority

import (
	"fmt"
	"syscall"

	"github.com/toteworks/tote/engine/threads"
)

// On Linux the nice value belongs to each thread, and PRIO_PROCESS with a
// thread id sets one thread's.
func lower(nice int) error {
	err := threads.Each(func(tid int) error {
		// The raw syscall answers 20 - nice.
		raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
		if err != nil {
			return nil // the thread has ended
		}
		if 20-raw >= nice {
			return nil
		}
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice); err != nil {
			return fmt.Errorf("setting thread %d's nice value to %d: %w", tid, nice, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("priority: %w", err)
	}
	return nil
}
