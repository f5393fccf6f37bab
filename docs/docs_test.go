// Package docs holds tote's user documentation. Its tests keep the language
// reference honest: every complete example in language.md compiles with the
// real engine and connectors, every other snippet parses, every stated
// function result is what the function returns, every snippet is formatted
// as tote fmt would write it, and every function and meta-argument is
// documented.
//
// In language.md, a ```hcl block whose first line is "# example: <name>" is
// a complete example. Blocks with the same name are the files of one
// directory, so an example may span several files. Any other ```hcl block
// is a fragment. In any block, a top-level attribute followed by a comment
// "# => <value>" is evaluated with the function table and must equal value.
package docs

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/toteworks/tote/cmd/tote/cli"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/lang"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

const languageFile = "language.md"

// snippet is one ```hcl block of a Markdown file.
type snippet struct {
	line    int // line of the block's first line of code
	src     []byte
	example string // the name after "# example: ", or "" for a fragment
}

// where names a line of the snippet in the Markdown file.
func (s snippet) where(line int) string {
	return fmt.Sprintf("%s:%d", languageFile, s.line+line-1)
}

func readSnippets(t *testing.T) []snippet {
	t.Helper()
	f, err := os.Open(languageFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const fence = "```"
	var (
		out []snippet
		cur *snippet
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && trimmed == fence+"hcl":
			cur = &snippet{line: n + 1}
		case cur == nil && strings.HasPrefix(trimmed, fence):
			// Skip other blocks whole, so that a line inside one is not
			// taken for a fence.
			for sc.Scan() {
				n++
				if strings.TrimSpace(sc.Text()) == fence {
					break
				}
			}
		case cur != nil && trimmed == fence:
			first, _, _ := bytes.Cut(cur.src, []byte("\n"))
			if name, ok := strings.CutPrefix(string(first), "# example: "); ok {
				cur.example = strings.TrimSpace(name)
			}
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.src = append(cur.src, line...)
			cur.src = append(cur.src, '\n')
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("%s: unclosed ```hcl block", cur.where(0))
	}
	return out
}

// TestExamplesCompile writes each complete example to a directory and
// compiles it offline, as tote validate does.
func TestExamplesCompile(t *testing.T) {
	examples := map[string][]snippet{}
	for _, s := range readSnippets(t) {
		if s.example != "" {
			examples[s.example] = append(examples[s.example], s)
		}
	}
	if len(examples) < 5 {
		t.Fatalf("found %d examples in %s; the reference should have many", len(examples), languageFile)
	}
	reg, err := cli.Registry()
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(examples))
	for name := range examples {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			files := examples[name]
			dir := t.TempDir()
			written := map[string]int{} // file name -> snippet, for diagnostics
			for i, s := range files {
				// A snippet headed "# pipelines/modules/<name>.hcl" is a module.
				file := fileName(i)
				if _, rest, _ := bytes.Cut(s.src, []byte("\n")); bytes.HasPrefix(rest, []byte("# pipelines/modules/")) {
					head, _, _ := bytes.Cut(rest, []byte("\n"))
					file = filepath.Join("modules", filepath.Base(string(head)))
					if err := os.MkdirAll(filepath.Join(dir, "modules"), 0o755); err != nil {
						t.Fatal(err)
					}
				}
				written[file] = i
				if err := os.WriteFile(filepath.Join(dir, file), s.src, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg, diags := config.Load(os.DirFS(dir), "")
			if cfg != nil && !cfg.Broken && !diags.HasErrors() {
				_, d := compile.Compile(cfg, compile.Options{Registry: reg, Offline: true})
				diags = append(diags, d...)
			}
			for _, d := range diags {
				if d.Severity != hcl.DiagError {
					continue
				}
				where := name
				if d.Subject != nil {
					where = files[written[d.Subject.Filename]].where(d.Subject.Start.Line)
				}
				t.Errorf("%s: %s: %s", where, d.Summary, d.Detail)
			}
		})
	}
}

func fileName(i int) string { return fmt.Sprintf("%02d.hcl", i) }

// TestFragmentsParse checks that every snippet is valid HCL syntax.
func TestFragmentsParse(t *testing.T) {
	for _, s := range readSnippets(t) {
		_, diags := hclsyntax.ParseConfig(s.src, "snippet.hcl", hcl.InitialPos)
		for _, d := range diags {
			line := 1
			if d.Subject != nil {
				line = d.Subject.Start.Line
			}
			t.Errorf("%s: %s: %s", s.where(line), d.Summary, d.Detail)
		}
	}
}

// TestSnippetsFormatted checks that every snippet is written as tote fmt
// would write it, so readers copy the canonical style.
func TestSnippetsFormatted(t *testing.T) {
	for _, s := range readSnippets(t) {
		if got := hclwrite.Format(s.src); !bytes.Equal(got, s.src) {
			t.Errorf("%s: snippet is not formatted; tote fmt writes:\n%s", s.where(1), got)
		}
	}
}

// docEnv is the environment the stated results of env() assume.
var docEnv = map[string]string{"API_URL": "https://api.example.com"}

// TestStatedResults evaluates every top-level attribute marked "# => value"
// and compares it with value.
func TestStatedResults(t *testing.T) {
	funcs := lang.Functions(lang.Options{
		Getenv: func(name string) (string, bool) { v, ok := docEnv[name]; return v, ok },
		Now:    func() time.Time { return time.Date(2026, 3, 10, 17, 30, 0, 0, time.UTC) },
	})
	ctx := &hcl.EvalContext{Functions: funcs}
	checked := 0
	for _, s := range readSnippets(t) {
		f, diags := hclsyntax.ParseConfig(s.src, "snippet.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			continue // reported by TestFragmentsParse
		}
		for _, a := range f.Body.(*hclsyntax.Body).Attributes {
			end := a.SrcRange.End
			rest, _, _ := bytes.Cut(s.src[end.Byte:], []byte("\n"))
			_, stated, ok := strings.Cut(string(rest), "# => ")
			if !ok {
				continue
			}
			checked++
			where := s.where(end.Line)
			want, diags := hclsyntax.ParseExpression([]byte(stated), "stated", hcl.InitialPos)
			if diags.HasErrors() {
				t.Errorf("%s: the stated result %q is not an HCL value: %s", where, stated, diags.Error())
				continue
			}
			wantVal, diags := want.Value(nil)
			if diags.HasErrors() {
				t.Errorf("%s: the stated result %q is not a constant: %s", where, stated, diags.Error())
				continue
			}
			got, diags := a.Expr.Value(ctx)
			if diags.HasErrors() {
				t.Errorf("%s: %s = ... fails: %s", where, a.Name, diags.Error())
				continue
			}
			got, _ = got.UnmarkDeep()
			if !sameValue(got, wantVal) {
				t.Errorf("%s: %s is %s, the reference says %s", where, a.Name, show(got), strings.TrimSpace(stated))
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d stated results found; the function reference should show its results", checked)
	}
}

func sameValue(got, want cty.Value) bool {
	if !got.IsWhollyKnown() {
		return false
	}
	conv, err := convert.Convert(want, got.Type())
	if err != nil {
		return false
	}
	eq := got.Equals(conv)
	return eq.IsKnown() && eq.True()
}

func show(v cty.Value) string {
	if !v.IsWhollyKnown() {
		return "unknown"
	}
	return strings.TrimSpace(string(hclwrite.TokensForValue(v).Bytes()))
}

// TestFunctionsDocumented checks that every function of the language
// appears in the reference as `name(`.
func TestFunctionsDocumented(t *testing.T) {
	doc := readDoc(t)
	for name := range lang.Functions(lang.Options{}) {
		if !strings.Contains(doc, "`"+name+"(") {
			t.Errorf("function %s is not documented in %s (want `%s(...)`)", name, languageFile, name)
		}
	}
}

// TestMetaArgumentsDocumented checks that every reserved argument of steps
// and triggers appears in the reference as `name`.
func TestMetaArgumentsDocumented(t *testing.T) {
	doc := readDoc(t)
	for _, name := range append(append([]string(nil), config.StepMeta...), config.TriggerMeta...) {
		if !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("meta-argument %s is not documented in %s", name, languageFile)
		}
	}
}

func readDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(languageFile)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
