package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"time"
)

// profileChild writes a CPU profile of the tote child to the file named by
// $TOTE_BENCH_CPUPROFILE, its heap as it exits to $TOTE_BENCH_MEMPROFILE,
// and an execution trace of its first 5 s (go tool trace: where goroutines
// wait for a core) to $TOTE_BENCH_TRACE, when set; the returned func ends
// the first two.
func profileChild() func() {
	// An intake process (tote run -intake process) is this program too;
	// its files are named apart from its serving process's.
	suffix := ""
	if os.Getenv("TOTE_INTAKE_JOURNAL") != "" {
		suffix = ".intake"
	}
	getenv := func(name string) string {
		if v := os.Getenv(name); v != "" {
			return v + suffix
		}
		return ""
	}
	if path := getenv("TOTE_BENCH_MEMPROFILE"); path != "" {
		// Also every 20 s, as path.1, path.2, ...: the peak may not last.
		go func() {
			for i := 1; ; i++ {
				time.Sleep(20 * time.Second) // a sampling period
				if f, err := os.Create(fmt.Sprintf("%s.%d", path, i)); err == nil {
					_ = pprof.Lookup("heap").WriteTo(f, 0)
					f.Close()
				}
				if f, err := os.Create(fmt.Sprintf("%s.goroutines.%d", path, i)); err == nil {
					_ = pprof.Lookup("goroutine").WriteTo(f, 1)
					f.Close()
				}
			}
		}()
	}
	if path := getenv("TOTE_BENCH_TRACE"); path != "" {
		if f, err := os.Create(path); err == nil && trace.Start(f) == nil {
			go func() {
				time.Sleep(5 * time.Second) // a sampling period
				trace.Stop()
				f.Close()
			}()
		}
	}
	heap := func() {
		if path := getenv("TOTE_BENCH_MEMPROFILE"); path != "" {
			if f, err := os.Create(path); err == nil {
				_ = pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		}
	}
	path := getenv("TOTE_BENCH_CPUPROFILE")
	if path == "" {
		return heap
	}
	f, err := os.Create(path)
	if err != nil {
		return heap
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return heap
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		heap()
	}
}
