package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// The ack bench runs the parts that must not share its Go scheduler (it
// is busy serving the fakes) as processes of their own: this binary run
// as one of ackChildren. The protocol, on the child's standard streams:
//
//   - the bench writes the child's spec as JSON on its stdin;
//   - the child prepares (builds its requests, writes its file), then
//     writes the line helperReady on its stdout;
//   - the bench closes its stdin, and the child's clock starts;
//   - the child writes its result as JSON on its stdout and exits.
//
// The bench can so lower its own priority after the child has started
// (the child does not inherit it), and have it ready before its clock.

// ackChildren are the ack bench's children, by the verb startHelper runs
// this binary with; they are not listed in the usage.
var ackChildren = map[string]func([]string) int{
	"ack-send":       ackSendMain,      // the sender
	"ack-floor":      ackFloorMain,     // the floor probe
	"ack-floor-http": ackFloorHTTPMain, // the HTTP floor
}

// helperReady is the line a child writes once it is prepared.
const helperReady = "ready"

// readyThenWait is the child's side: it says it is ready on out, then
// waits for the end of in (which dec has been reading), the start signal.
func readyThenWait(dec *json.Decoder, in io.Reader, out io.Writer) error {
	if _, err := fmt.Fprintln(out, helperReady); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, io.MultiReader(dec.Buffered(), in)); err != nil {
		return fmt.Errorf("waiting for the start: %w", err)
	}
	return nil
}

// childMain runs a child on this process's standard streams: the body of
// `tote-bench ack-send` and its kin.
func childMain(verb string, child func(in io.Reader, out io.Writer) error) int {
	if err := child(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %s: %v\n", verb, err)
		return 1
	}
	return 0
}

// helper is a started child, ready for its clock to start.
type helper struct {
	name  string // for errors: "the sender"
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
	ended bool // waited for; the goroutine that runs it alone sets it
}

// startHelper starts this binary as verb with spec and waits until it says
// it is ready; its errors go to stderr. It dies with this process.
func startHelper(ctx context.Context, verb, name string, spec any, stderr io.Writer) (*helper, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, verb)
	cmd.Stderr = stderr
	dieWithParent(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	h := &helper{name: name, cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	fail := func(err error) (*helper, error) {
		h.kill()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := json.NewEncoder(stdin).Encode(spec); err != nil {
		return fail(err)
	}
	line, err := h.out.ReadString('\n')
	if err != nil {
		return fail(fmt.Errorf("waiting for it to be ready: %w", err))
	}
	if line != helperReady+"\n" {
		return fail(fmt.Errorf("said %q before starting, not %q", line, helperReady))
	}
	return h, nil
}

// run closes the child's stdin (which starts its clock), reads its result
// with read and waits for it to exit.
func (h *helper) run(read func(io.Reader) error) error {
	if err := h.stdin.Close(); err != nil {
		h.kill()
		return fmt.Errorf("signalling %s: %w", h.name, err)
	}
	readErr := read(h.out)
	h.ended = true
	if err := h.cmd.Wait(); err != nil {
		return fmt.Errorf("%s: %w", h.name, err)
	}
	if readErr != nil {
		return fmt.Errorf("%s's result: %w", h.name, readErr)
	}
	return nil
}

// decodeResult reads a child's result, as JSON with no field unknown to v.
func decodeResult(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("no result")
		}
		return err
	}
	return nil
}

// kill stops the child, unless it was already waited for: deferred, it
// ends a child that a failure left running.
func (h *helper) kill() {
	if h.ended {
		return
	}
	h.ended = true
	_ = h.stdin.Close()
	_ = h.cmd.Process.Kill()
	_ = h.cmd.Wait()
}
