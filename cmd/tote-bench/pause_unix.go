//go:build unix

package main

import "syscall"

// pause stops tote run where it stands (SIGSTOP), as a long garbage
// collection, a frozen virtual machine or a laptop lid would; resume
// lets it go on (SIGCONT) unaware that time has passed.
func (p *engineProc) pause() error  { return p.cmd.Process.Signal(syscall.SIGSTOP) }
func (p *engineProc) resume() error { return p.cmd.Process.Signal(syscall.SIGCONT) }
