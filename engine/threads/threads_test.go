//go:build linux

package threads_test

import (
	"os"
	"runtime"
	"syscall"
	"testing"

	"github.com/toteworks/tote/engine/threads"
)

func TestEachVisitsEveryThreadTwiceAndPassesOverEnded(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	seen := map[int]int{}
	err := threads.Each(func(tid int) error {
		seen[tid]++
		return syscall.ESRCH // as if it had ended: not an error
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tid := range []int{os.Getpid(), syscall.Gettid()} {
		if seen[tid] != 2 {
			t.Errorf("thread %d visited %d times, want 2", tid, seen[tid])
		}
	}
	if err := threads.Each(func(int) error { return syscall.EPERM }); err != syscall.EPERM {
		t.Errorf("Each = %v, want EPERM", err)
	}
}
