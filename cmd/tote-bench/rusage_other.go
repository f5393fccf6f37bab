//go:build !linux

package main

// writePeak does nothing where /proc does not tell a process's peak memory.
func writePeak() {}

// childPeakRSSMB is not measured where /proc does not tell it.
func childPeakRSSMB(string) (float64, bool) { return 0, false }
