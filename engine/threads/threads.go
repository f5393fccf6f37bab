// Package threads applies a setting to every thread of this process, for
// the settings Linux keeps per thread rather than per process (the nice
// value, the CPUs a thread may run on).
package threads
