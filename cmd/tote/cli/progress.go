package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/toteworks/tote/engine/run"
)

// progressEvery is how often the progress line is redrawn at most.
const progressEvery = 100 * time.Millisecond

// progressLine draws run.Progress snapshots as one line on a terminal,
// redrawn in place with \r and erased when the work is finished, so what
// follows starts on a clean line.
type progressLine struct {
	w     io.Writer
	now   func() time.Time
	every time.Duration

	mu    sync.Mutex
	start time.Time
	drawn time.Time
	width int // of the line on screen
}

// newProgressLine returns a line drawn on w, or nil when w is not a
// terminal: piped or redirected output gets no progress line.
func newProgressLine(w io.Writer, now func() time.Time) *progressLine {
	if !isTerminal(w) {
		return nil
	}
	return &progressLine{w: w, now: now, every: progressEvery}
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// callback returns the function for run.Options.Progress; nil for a nil line.
func (l *progressLine) callback() func(run.Progress) {
	if l == nil {
		return nil
	}
	return l.update
}

func (l *progressLine) update(p run.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.start.IsZero() {
		l.start = now
	}
	if p.Finished {
		l.erase()
		return
	}
	if !l.drawn.IsZero() && now.Sub(l.drawn) < l.every {
		return
	}
	l.drawn = now
	line := formatProgress(p, now.Sub(l.start))
	pad := ""
	n := utf8.RuneCountInString(line)
	if n < l.width {
		pad = strings.Repeat(" ", l.width-n)
	}
	fmt.Fprintf(l.w, "\r%s%s", line, pad)
	l.width = max(l.width, n)
}

func (l *progressLine) erase() {
	if l.width > 0 {
		fmt.Fprintf(l.w, "\r%s\r", strings.Repeat(" ", l.width))
		l.width = 0
	}
	l.drawn = time.Time{}
	l.start = time.Time{}
}

// formatProgress is the text of the line.
func formatProgress(p run.Progress, elapsed time.Duration) string {
	verb := "Planning"
	if p.Mode == run.Apply {
		verb = "Applying"
	}
	parts := []string{
		fmt.Sprintf("%s: pipelines %d/%d", verb, p.PipelinesDone, p.Pipelines),
		fmt.Sprintf("events %d/%d", p.EventsDone, p.Events),
		fmt.Sprintf("steps %d", p.StepsDone),
	}
	if p.Failed > 0 {
		parts = append(parts, fmt.Sprintf("failed %d", p.Failed))
	}
	calls := fmt.Sprintf("vendor calls %d", p.VendorCalls)
	if p.Throttled > 0 {
		calls += fmt.Sprintf(" (%d answered 429)", p.Throttled)
	}
	parts = append(parts, calls, "rate wait "+shortDuration(p.RateWait))
	// The rate of the events done so far, over the events known; a plan
	// learns more events as it reaches each pipeline.
	if p.EventsDone > 0 && p.Events > p.EventsDone {
		eta := time.Duration(float64(elapsed) / float64(p.EventsDone) * float64(p.Events-p.EventsDone))
		parts = append(parts, "ETA "+shortDuration(eta))
	}
	return strings.Join(parts, " · ")
}

// shortDuration prints d to the second (tenths below ten seconds).
func shortDuration(d time.Duration) string {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
