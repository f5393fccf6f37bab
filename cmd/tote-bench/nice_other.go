//go:build !linux

package main

// ownNice is unknown where the system's priorities are not Linux's.
func ownNice() (int, bool) { return 0, false }
