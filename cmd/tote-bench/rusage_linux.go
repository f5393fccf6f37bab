package main

import (
	"os"
	"syscall"
)

// childPeakRSSMB is an exited child's peak resident memory in MB, from the
// rusage wait4 reported for it (ru_maxrss is in KiB on Linux).
func childPeakRSSMB(ps *os.ProcessState) (float64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	return float64(ru.Maxrss) / 1024, true
}
