package threads

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// Each calls set for every thread of this process, as listed in
// /proc/self/task, twice over: the second pass catches a thread the
// runtime started during the first from a thread not yet set (a thread
// inherits these settings from the one that starts it). A thread that
// ended meanwhile (ESRCH) is passed over; another error stops Each.
func Each(set func(tid int) error) error {
	for range 2 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("listing this process's threads: %w", err)
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := set(tid); err != nil && !errors.Is(err, syscall.ESRCH) {
				return err
			}
		}
	}
	return nil
}
