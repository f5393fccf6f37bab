package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// writeDiagnostics prints diagnostics for people: severity and summary,
// file:line:column, the source line with the range underlined, the detail.
func writeDiagnostics(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File) {
	for _, d := range sortDiags(diags) {
		sev := "Error"
		if d.Severity == hcl.DiagWarning {
			sev = "Warning"
		}
		fmt.Fprintf(w, "%s: %s\n", sev, d.Summary)
		if d.Subject != nil {
			fmt.Fprintf(w, "  --> %s:%d:%d\n", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
			if line, ok := sourceLine(files, d.Subject); ok {
				gutter := fmt.Sprintf("%d", d.Subject.Start.Line)
				pad := strings.Repeat(" ", len(gutter))
				fmt.Fprintf(w, "   %s |\n", pad)
				fmt.Fprintf(w, "   %s | %s\n", gutter, line)
				fmt.Fprintf(w, "   %s | %s\n", pad, underline(line, d.Subject))
			}
		}
		if d.Detail != "" {
			fmt.Fprintf(w, "%s\n", d.Detail)
		}
		fmt.Fprintln(w)
	}
}

func sortDiags(diags hcl.Diagnostics) hcl.Diagnostics {
	out := append(hcl.Diagnostics(nil), diags...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Subject, out[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	return out
}

func sourceLine(files map[string]*hcl.File, rng *hcl.Range) (string, bool) {
	f, ok := files[rng.Filename]
	if !ok || f == nil {
		return "", false
	}
	sc := bufio.NewScanner(bytes.NewReader(f.Bytes))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if n == rng.Start.Line {
			return strings.ReplaceAll(sc.Text(), "\t", " "), true
		}
	}
	return "", false
}

func underline(line string, rng *hcl.Range) string {
	start := max(rng.Start.Column-1, 0)
	end := len(line)
	if rng.End.Line == rng.Start.Line {
		end = min(max(rng.End.Column-1, start+1), len(line))
	}
	if start >= len(line) {
		return strings.Repeat(" ", start) + "^"
	}
	return strings.Repeat(" ", start) + strings.Repeat("^", max(end-start, 1))
}

// jsonDiagnostic is a diagnostic as data; the field names follow the shape
// Terraform's validate -json uses, so existing tooling can read it.
type jsonDiagnostic struct {
	Severity string     `json:"severity"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail,omitempty"`
	Range    *jsonRange `json:"range,omitempty"`
	Snippet  *struct {
		Code           string `json:"code"`
		StartLine      int    `json:"start_line"`
		HighlightStart int    `json:"highlight_start_offset"`
		HighlightEnd   int    `json:"highlight_end_offset"`
	} `json:"snippet,omitempty"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

func diagnosticsJSON(diags hcl.Diagnostics, files map[string]*hcl.File) []jsonDiagnostic {
	out := []jsonDiagnostic{}
	for _, d := range sortDiags(diags) {
		jd := jsonDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if s := d.Subject; s != nil {
			jd.Range = &jsonRange{Filename: s.Filename,
				Start: jsonPos{s.Start.Line, s.Start.Column, s.Start.Byte},
				End:   jsonPos{s.End.Line, s.End.Column, s.End.Byte}}
			if line, ok := sourceLine(files, s); ok {
				jd.Snippet = &struct {
					Code           string `json:"code"`
					StartLine      int    `json:"start_line"`
					HighlightStart int    `json:"highlight_start_offset"`
					HighlightEnd   int    `json:"highlight_end_offset"`
				}{Code: line, StartLine: s.Start.Line, HighlightStart: s.Start.Column - 1, HighlightEnd: endColumn(s, line) - 1}
			}
		}
		out = append(out, jd)
	}
	return out
}

func endColumn(r *hcl.Range, line string) int {
	if r.End.Line == r.Start.Line {
		return r.End.Column
	}
	return len(line) + 1
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
