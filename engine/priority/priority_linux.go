package priority

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// On Linux the nice value belongs to each thread, and PRIO_PROCESS with a
// thread id sets one thread's; a Go program's threads are listed in
// /proc/self/task. Two passes catch a thread the runtime started during
// the first.
func lower(nice int) error {
	for range 2 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("priority: listing this process's threads: %w", err)
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			// The raw syscall answers 20 - nice.
			raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
			if err != nil {
				continue // the thread has ended
			}
			if 20-raw >= nice {
				continue
			}
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice); err != nil && err != syscall.ESRCH {
				return fmt.Errorf("priority: setting thread %d's nice value to %d: %w", tid, nice, err)
			}
		}
	}
	return nil
}
