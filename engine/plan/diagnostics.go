package plan

import "github.com/hashicorp/hcl/v2"

// Diagnostic is an error found while evaluating an expression, at the place
// in the pipeline files where it happened, so views can show the source.
type Diagnostic struct {
	Summary string `json:"summary"`
	Detail  string `json:"detail,omitempty"`
	Range   *Range `json:"range,omitempty"`
}

// Range is a span of a pipeline file; lines and columns count from 1.
type Range struct {
	Filename string `json:"filename"`
	Start    Pos    `json:"start"`
	End      Pos    `json:"end"`
}

// Pos is a position in a file.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// Diagnostics converts the errors of diags; clean rewrites their texts
// (for instance to redact secrets).
func Diagnostics(diags hcl.Diagnostics, clean func(string) string) []Diagnostic {
	var out []Diagnostic
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		pd := Diagnostic{Summary: clean(d.Summary), Detail: clean(d.Detail)}
		if s := d.Subject; s != nil {
			pd.Range = &Range{Filename: s.Filename,
				Start: Pos{Line: s.Start.Line, Column: s.Start.Column, Byte: s.Start.Byte},
				End:   Pos{Line: s.End.Line, Column: s.End.Column, Byte: s.End.Byte}}
		}
		out = append(out, pd)
	}
	return out
}

// HCL returns the diagnostic as an hcl.Diagnostic, for rendering.
func (d Diagnostic) HCL() *hcl.Diagnostic {
	hd := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: d.Summary, Detail: d.Detail}
	if r := d.Range; r != nil {
		hd.Subject = &hcl.Range{Filename: r.Filename,
			Start: hcl.Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
			End:   hcl.Pos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte}}
	}
	return hd
}
