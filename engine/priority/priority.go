// Package priority lowers this process's claim on the CPU, so that another
// process on the machine (tote run's webhook intake) is scheduled first
// whenever both are ready to run.
package priority

// Lower sets the nice value of every thread of this process to at least
// nice; threads started afterwards inherit it from the thread that starts
// them. Where the system has no per-thread nice value, it does nothing and
// reports ErrUnsupported.
func Lower(nice int) error { return lower(nice) }
