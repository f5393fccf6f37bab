package main

import (
	"os"
	"runtime/pprof"
)

// profileChild writes a CPU profile of the tote child to the file named by
// $TOTE_BENCH_CPUPROFILE, when set; the returned func ends it.
func profileChild() func() {
	path := os.Getenv("TOTE_BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
