package main

import (
	"syscall"
	"time"
)

// sleepFor sleeps d on the calling goroutine's thread, in a nanosleep
// system call. Go's own timers wake a process with nothing else to do at
// best to the millisecond (its runtime waits in epoll in whole
// milliseconds), so a schedule that sleeps half a millisecond between
// requests with a timer sent them up to a millisecond late, and counted
// that against tote; the system call wakes within tens of microseconds.
func sleepFor(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	_ = syscall.Nanosleep(&ts, nil) // woken early by a signal: the schedule looks again
}
