//go:build !linux

package intake

import "os/exec"

// setDeathSignal does nothing here: the intake process notices the end of
// its stdin when the serving process dies, and stops.
func setDeathSignal(*exec.Cmd) {}
