package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/toteworks/tote/connectors/sandbox"
	"github.com/toteworks/tote/pipelines"
)

// engineProc is `tote run` as a process of its own: this binary run as
// `tote-bench tote run ...`, so what is measured is tote itself.
type engineProc struct {
	cmd *exec.Cmd
	// exited is closed once tote run has exited; err is then how.
	exited chan struct{}
	err    error
}

// loopback has each fake listen on a free loopback port.
var loopback = sandbox.Addresses{BigCommerce: "127.0.0.1:0", ShipStation: "127.0.0.1:0", SMTP: "127.0.0.1:0", Mail: "127.0.0.1:0"}

// vendorLimits are the fakes' options at the vendors' own rate limits:
// BigCommerce 150 requests per 30 s, ShipStation v1 40 and v2 200 a minute.
func vendorLimits() sandbox.Options {
	return sandbox.Options{Addresses: loopback, Seed: 1,
		BigCommerceQuota: 150, ShipStationPerMinute: 40, ShipStationV2PerMinute: 200}
}

// selfTote is the command `tote ARGS...`, this binary run as tote, with
// env added to this process's environment; it dies with this process.
func selfTote(ctx context.Context, env map[string]string, args ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, append([]string{"tote"}, args...)...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	dieWithParent(cmd)
	return cmd, nil
}

// startEngine starts tote run with args after "run", the environment env
// added to this process's, its output appended to logPath, and waits until
// it serves (its ready file exists).
func startEngine(ctx context.Context, dir, logPath string, env map[string]string, args []string) (*engineProc, error) {
	return startEngineReady(ctx, filepath.Join(dir, "ready"), logPath, env, args)
}

// startEngineReady is startEngine with the ready file at ready, so that
// several tote runs start side by side.
func startEngineReady(ctx context.Context, ready, logPath string, env map[string]string, args []string) (*engineProc, error) {
	cmd, err := selfTote(ctx, env, append([]string{"run", "-ready-file", ready}, args...)...)
	if err != nil {
		return nil, err
	}
	_ = os.Remove(ready)
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child keeps its own descriptor
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &engineProc{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	if err := waitReady(ctx, ready, p); err != nil {
		log, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("tote run: %w\n%s", err, log)
	}
	return p, nil
}

// done reports whether tote run has exited.
func (p *engineProc) done() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// pid is the process id.
func (p *engineProc) pid() int { return p.cmd.Process.Pid }

// stop asks tote run to stop (SIGTERM) and waits for it.
func (p *engineProc) stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.exited
	return p.err
}

// kill ends tote run at once (SIGKILL), as a crash or an OOM kill would.
func (p *engineProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// waitReady waits for tote run's ready file, or for it to exit.
func waitReady(ctx context.Context, path string, p *engineProc) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		select {
		case <-p.exited:
			err := p.err
			if err == nil {
				err = errors.New("exit status 0")
			}
			return fmt.Errorf("exited before serving: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// newWorkspace makes a bench's temporary directory, named after prefix:
// the named shipped pipelines (all when none are named) and the shipped
// modules under pipelines/, and the environment that points tote at the
// fakes (started with opts), a webhook token and a state file in the
// directory. The caller removes dir; on an error nothing is left.
func newWorkspace(prefix string, fakes *sandbox.Fakes, opts sandbox.Options, pipelineFiles ...string) (dir, pipeDir string, env map[string]string, err error) {
	dir, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", "", nil, err
	}
	env = fakes.Env(opts)
	env["SHIPSTATION_WEBHOOK_TOKEN"] = "bench-token"
	env["TOTE_STATE"] = filepath.Join(dir, "state.db")
	pipeDir = filepath.Join(dir, "pipelines")
	if err := writePipelines(pipeDir, pipelineFiles...); err != nil {
		os.RemoveAll(dir)
		return "", "", nil, err
	}
	return dir, pipeDir, env, nil
}

// writePipelines copies the named shipped pipeline files (all when names
// is empty) and the shipped modules into dir.
func writePipelines(dir string, names ...string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if len(names) == 0 {
		var err error
		if names, err = fs.Glob(pipelines.FS, "*.hcl"); err != nil {
			return err
		}
	}
	modules, err := fs.Glob(pipelines.FS, "modules/*.hcl")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "modules"), 0o755); err != nil {
		return err
	}
	names = append(names, modules...)
	for _, name := range names {
		b, err := fs.ReadFile(pipelines.FS, name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
