package main

import (
	"os"
	"strconv"
	"strings"
)

// The peak memory of a tote child is its own VmHWM, which it writes as it
// exits to the file named by $TOTE_BENCH_PEAK_FILE. wait4's ru_maxrss
// cannot be used: Go starts children with vfork semantics, and Linux
// carries the high-water mark of the memory the exec replaces (the
// parent's, which holds the fakes and grows with the backlog) into the
// child's ru_maxrss.

// writePeak writes this process's peak resident memory in KiB to
// $TOTE_BENCH_PEAK_FILE, when set.
func writePeak() {
	path := os.Getenv("TOTE_BENCH_PEAK_FILE")
	if path == "" {
		return
	}
	if os.Getenv("TOTE_INTAKE_JOURNAL") != "" {
		path += ".intake" // tote run's intake process: not its peak
	}
	if kb, ok := vmHWM(os.Getpid()); ok {
		_ = os.WriteFile(path, []byte(strconv.FormatInt(kb, 10)), 0o600)
	}
}

// childPeakRSSMB reads the peak a tote child wrote to peakFile.
func childPeakRSSMB(peakFile string) (float64, bool) {
	b, err := os.ReadFile(peakFile)
	if err != nil {
		return 0, false
	}
	kb, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, false
	}
	return float64(kb) / 1024, true
}
