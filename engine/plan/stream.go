package plan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/toteworks/tote/connectors"
)

// A plan of a large backlog (`tote plan -since 72h` over 100,000 orders) is
// far bigger than what tote should hold in memory, so plans are also
// streamed: a Writer writes the runs to the plan file as they are planned,
// and a File reads them back one at a time. The file is the same JSON as
// Save writes; only the runs are never all in memory.

// Source is a plan whose runs can be visited one at a time: a Plan in
// memory, or a File read back from disk.
type Source interface {
	// Head is the plan without its runs (Runs is nil or must not be used).
	Head() *Plan
	// Summary tallies the runs.
	Summary() Summary
	// EachRun calls fn with each run in order; fn must not keep the run
	// past its call when the source is a File. An error from fn stops it.
	EachRun(fn func(*Run) error) error
}

// Summary is what views and apply need to know of all the runs up front.
type Summary struct {
	Counts
	Runs int
	// FailedRuns have errors; Failures and Waiting count their failed and
	// waiting nodes.
	FailedRuns, Failures, Waiting int
	// ToApply counts, per pipeline, the runs apply would execute: those
	// without errors and with writes.
	ToApply map[string]int
}

// Add tallies one run.
func (s *Summary) Add(r *Run) {
	if s.ToApply == nil {
		s.ToApply = map[string]int{}
	}
	s.Runs++
	s.Counts.add(r)
	s.Failures += len(r.Errors)
	s.Waiting += len(r.Waiting)
	switch {
	case len(r.Errors) > 0:
		s.FailedRuns++
	case r.HasWrites():
		s.ToApply[r.Pipeline]++
	}
}

// HasWrites reports whether the run plans any write that is not a no-op.
func (r *Run) HasWrites() bool {
	for _, c := range r.Changes {
		if c.Op != connectors.OpNoop {
			return true
		}
	}
	return false
}

// Head returns the plan itself.
func (p *Plan) Head() *Plan { return p }

// Summary tallies the plan's runs.
func (p *Plan) Summary() Summary {
	s := Summary{ToApply: map[string]int{}}
	for _, r := range p.Runs {
		s.Add(r)
	}
	return s
}

// EachRun calls fn with each run.
func (p *Plan) EachRun(fn func(*Run) error) error {
	for _, r := range p.Runs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// Writer writes a plan as its runs are planned: the head's leading fields
// first, then each run, then (Close) the fields known only at the end.
type Writer struct {
	w       *bufio.Writer
	indent  bool
	fields  int // fields of the plan object written
	runs    int
	summary Summary
	err     error
}

// NewWriter starts a plan on w. head gives the format and tote versions,
// the config hash and the creation time; indent writes the layout Save
// writes, for files people read.
func NewWriter(w io.Writer, head *Plan, indent bool) *Writer {
	pw := &Writer{w: bufio.NewWriterSize(w, 64<<10), indent: indent, summary: Summary{ToApply: map[string]int{}}}
	pw.raw("{")
	pw.field("format_version", head.FormatVersion)
	pw.field("tote_version", head.ToteVersion)
	pw.field("config_hash", head.ConfigHash)
	pw.field("created_at", head.CreatedAt)
	pw.raw("," + pw.nl(1) + `"runs":` + pw.space() + "[")
	return pw
}

// Add writes one run; the caller may drop it afterwards.
func (pw *Writer) Add(r *Run) error {
	if pw.err != nil {
		return pw.err
	}
	b, err := pw.marshal(r, 2)
	if err != nil {
		pw.err = fmt.Errorf("encoding a run of the plan: %w", err)
		return pw.err
	}
	if pw.runs > 0 {
		pw.raw(",")
	}
	pw.raw(pw.nl(2))
	pw.rawBytes(b)
	pw.runs++
	pw.summary.Add(r)
	return pw.err
}

// Summary tallies the runs written so far.
func (pw *Writer) Summary() Summary { return pw.summary }

// Close writes tail's cursors, public URL, subscriptions and variables,
// ends the plan and flushes it. It does not close the underlying writer.
func (pw *Writer) Close(tail *Plan) error {
	if pw.runs > 0 {
		pw.raw(pw.nl(1))
	}
	pw.raw("]")
	if len(tail.Cursors) > 0 {
		pw.field("cursors", tail.Cursors)
	}
	if tail.PublicURL != "" {
		pw.field("public_url", tail.PublicURL)
	}
	if len(tail.Subscriptions) > 0 {
		pw.field("subscriptions", tail.Subscriptions)
	}
	if len(tail.Variables) > 0 {
		pw.field("variables", tail.Variables)
	}
	pw.raw(pw.nl(0) + "}\n")
	if pw.err != nil {
		return pw.err
	}
	if err := pw.w.Flush(); err != nil {
		return fmt.Errorf("writing the plan: %w", err)
	}
	return nil
}

// field writes `"name": value`, after a comma unless it is the first.
func (pw *Writer) field(name string, v any) {
	b, err := pw.marshal(v, 1)
	if err != nil {
		pw.err = fmt.Errorf("encoding the plan's %s: %w", name, err)
		return
	}
	if pw.fields > 0 {
		pw.raw(",")
	}
	pw.fields++
	pw.raw(pw.nl(1) + `"` + name + `":` + pw.space())
	pw.rawBytes(b)
}

func (pw *Writer) marshal(v any, depth int) ([]byte, error) {
	if !pw.indent {
		return json.Marshal(v)
	}
	return json.MarshalIndent(v, indentOf(depth), "  ")
}

func indentOf(depth int) string {
	return string(bytes.Repeat([]byte("  "), depth))
}

func (pw *Writer) nl(depth int) string {
	if !pw.indent {
		return ""
	}
	return "\n" + indentOf(depth)
}

func (pw *Writer) space() string {
	if pw.indent {
		return " "
	}
	return ""
}

func (pw *Writer) raw(s string) {
	if pw.err == nil {
		_, pw.err = pw.w.WriteString(s)
	}
}

func (pw *Writer) rawBytes(b []byte) {
	if pw.err == nil {
		_, pw.err = pw.w.Write(b)
	}
}

// File is a saved plan read back from disk: its head and summary are read
// once by Open, its runs again, one at a time, by each EachRun.
type File struct {
	path    string
	head    Plan
	summary Summary
}

// Open reads the plan at path, checking its format version, without
// holding its runs.
func Open(path string) (*File, error) {
	f := &File{path: path, summary: Summary{ToApply: map[string]int{}}}
	err := f.scan(func(r *Run) error { f.summary.Add(r); return nil }, true)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Written is the plan file at path that a Writer has just written, with
// the head and summary it was written with: nothing is read again until
// EachRun.
func Written(path string, head *Plan, sum Summary) *File {
	h := *head
	h.Runs = nil
	return &File{path: path, head: h, summary: sum}
}

// Head is the plan without its runs.
func (f *File) Head() *Plan { return &f.head }

// Summary tallies the plan's runs.
func (f *File) Summary() Summary { return f.summary }

// EachRun reads the runs again and calls fn with each.
func (f *File) EachRun(fn func(*Run) error) error { return f.scan(fn, false) }

// scan decodes the plan at f.path token by token: the runs one at a time
// into fn, the other fields (when head) into f.head.
func (f *File) scan(fn func(*Run) error, head bool) error {
	file, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("reading the plan: %w", err)
	}
	defer file.Close()
	notPlan := func(err error) error { return fmt.Errorf("%s is not a saved plan: %w", f.path, err) }
	dec := json.NewDecoder(bufio.NewReaderSize(file, 64<<10))
	if err := expectDelim(dec, '{'); err != nil {
		return notPlan(err)
	}
	var version *int
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return notPlan(err)
		}
		key, _ := tok.(string)
		if key == "runs" {
			if err := f.scanRuns(dec, fn); err != nil {
				var stop stopError
				if errors.As(err, &stop) {
					return stop.err
				}
				return notPlan(err)
			}
			continue
		}
		dst := f.headField(key)
		if !head || dst == nil {
			var skip json.RawMessage
			err = dec.Decode(&skip)
		} else {
			err = dec.Decode(dst)
		}
		if err != nil {
			return notPlan(err)
		}
		if key == "format_version" {
			version = &f.head.FormatVersion
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return notPlan(err)
	}
	if head && (version == nil || *version != FormatVersion) {
		v := 0
		if version != nil {
			v = *version
		}
		return fmt.Errorf("%s has plan format %d; this tote reads format %d", f.path, v, FormatVersion)
	}
	return nil
}

// stopError carries an error from EachRun's fn out of the scan unchanged.
type stopError struct{ err error }

func (s stopError) Error() string { return s.err.Error() }

func (f *File) scanRuns(dec *json.Decoder, fn func(*Run) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil { // "runs": null
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("runs is not a list")
	}
	for dec.More() {
		var r Run
		if err := dec.Decode(&r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return stopError{err}
		}
	}
	return expectDelim(dec, ']')
}

func (f *File) headField(key string) any {
	h := &f.head
	switch key {
	case "format_version":
		return &h.FormatVersion
	case "tote_version":
		return &h.ToteVersion
	case "config_hash":
		return &h.ConfigHash
	case "created_at":
		return &h.CreatedAt
	case "cursors":
		return &h.Cursors
	case "public_url":
		return &h.PublicURL
	case "subscriptions":
		return &h.Subscriptions
	case "variables":
		return &h.Variables
	}
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, found %v", want, tok)
	}
	return nil
}
