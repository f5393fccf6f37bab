package intake

import (
	"os/exec"
	"syscall"
)

// setDeathSignal has the kernel kill the intake process if the serving
// process dies without stopping it (SIGKILL, a crash).
func setDeathSignal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
