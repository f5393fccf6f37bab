package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/toteworks/tote/engine/run"
)

// A fake terminal sees the line drawn with \r, redrawn at most every
// progressEvery on the injected clock, padded over a longer previous line,
// and erased when the work is finished.
func TestProgressLineRedrawsInPlace(t *testing.T) {
	var term bytes.Buffer
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	l := &progressLine{w: &term, now: func() time.Time { return now }, every: progressEvery}

	l.update(run.Progress{Mode: run.Plan, Pipelines: 2, Events: 10})
	first := term.String()
	if !strings.HasPrefix(first, "\r") || !strings.Contains(first, "Planning: pipelines 0/2 · events 0/10") {
		t.Fatalf("first draw = %q", first)
	}

	now = now.Add(progressEvery / 2)
	l.update(run.Progress{Mode: run.Plan, Pipelines: 2, Events: 10, EventsDone: 1})
	if term.String() != first {
		t.Fatalf("redrawn before %v: %q", progressEvery, term.String())
	}

	now = now.Add(4*time.Second - progressEvery/2) // 4s in, 2 of 10 done: 16s to go
	l.update(run.Progress{Mode: run.Plan, Pipelines: 2, PipelinesDone: 1, Events: 10, EventsDone: 2, StepsDone: 7,
		VendorCalls: 12, Throttled: 1, RateWait: 1500 * time.Millisecond})
	second := strings.TrimPrefix(term.String(), first)
	want := "\rPlanning: pipelines 1/2 · events 2/10 · steps 7 · vendor calls 12 (1 answered 429) · rate wait 1.5s · ETA 16s"
	if second != want {
		t.Fatalf("second draw = %q\nwant          %q", second, want)
	}

	now = now.Add(time.Second)
	l.update(run.Progress{Mode: run.Plan, Pipelines: 2, Events: 10, EventsDone: 9})
	third := strings.TrimPrefix(term.String(), first+second)
	if !strings.HasPrefix(third, "\r") || utf8.RuneCountInString(third) != utf8.RuneCountInString(second) || !strings.HasSuffix(third, " ") {
		t.Fatalf("a shorter line must be padded over the longer one: %q", third)
	}

	l.update(run.Progress{Mode: run.Plan, Finished: true})
	erase := strings.TrimPrefix(term.String(), first+second+third)
	if erase != "\r"+strings.Repeat(" ", utf8.RuneCountInString(second)-1)+"\r" {
		t.Fatalf("finish = %q, want the line erased", erase)
	}
	if strings.Contains(term.String(), "\n") {
		t.Fatal("the progress line must never start a new line")
	}
}

func TestProgressLineApplyWording(t *testing.T) {
	got := formatProgress(run.Progress{Mode: run.Apply, Pipelines: 1, Events: 3, EventsDone: 3, Failed: 1}, time.Minute)
	want := "Applying: pipelines 0/1 · events 3/3 · steps 0 · failed 1 · vendor calls 0 · rate wait 0s"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestNoProgressLineOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	if l := newProgressLine(&buf, time.Now); l != nil {
		t.Fatal("a buffer is not a terminal")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if l := newProgressLine(f, time.Now); l != nil {
		t.Fatal("a redirected file is not a terminal")
	}
	if (*progressLine)(nil).callback() != nil {
		t.Fatal("no line, no callback")
	}
}
