//go:build !linux

package intake

// OnMemoryFS reports whether dir is on a file system held in memory; only
// Linux's is recognised.
func OnMemoryFS(string) bool { return false }
