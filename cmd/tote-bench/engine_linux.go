package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes tote run end when the bench does, however it ends.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
