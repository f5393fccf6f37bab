//go:build !linux

package main

import "time"

// sleepFor sleeps d; here with Go's timers, to the millisecond at best.
func sleepFor(d time.Duration) { time.Sleep(d) }
