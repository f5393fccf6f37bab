//go:build !unix

package main

import "errors"

var errNoPause = errors.New("pausing a process needs a Unix system")

func (p *engineProc) pause() error  { return errNoPause }
func (p *engineProc) resume() error { return errNoPause }
