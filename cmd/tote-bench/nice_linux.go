package main

import "syscall"

// ownNice is the nice value of the calling thread; priority.Lower gives
// every thread of the process the same one.
func ownNice() (int, bool) {
	// The raw syscall answers 20 - nice.
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		return 0, false
	}
	return 20 - raw, true
}
