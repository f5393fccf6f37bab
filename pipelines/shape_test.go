package pipelines

import (
	"bytes"
	"io/fs"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// maxLines is how long a shipped pipeline file may be: a developer reads
// it in one pass.
const maxLines = 150

// maxNesting is how deep comprehensions (for expressions) may nest.
const maxNesting = 2

func TestShippedPipelinesAreShortAndShallow(t *testing.T) {
	err := fs.WalkDir(FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(FS, name)
		if err != nil {
			return err
		}
		if n := bytes.Count(src, []byte("\n")); n > maxLines {
			t.Errorf("%s has %d lines, more than %d", name, n, maxLines)
		}
		f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		checkNesting(t, name, f.Body.(*hclsyntax.Body), "")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkNesting reports each attribute of body (and of its blocks, named
// <type>.<label> inside a pipeline) whose for expressions nest too deep.
func checkNesting(t *testing.T, file string, body *hclsyntax.Body, block string) {
	t.Helper()
	for name, a := range body.Attributes {
		if d := forDepth(a.Expr); d > maxNesting {
			t.Errorf("%s:%d: %s of %s nests %d comprehensions, more than %d", file, a.SrcRange.Start.Line, name, block, d, maxNesting)
		}
	}
	for _, b := range body.Blocks {
		name := b.Type
		if len(b.Labels) > 0 {
			name += "." + b.Labels[len(b.Labels)-1]
		}
		checkNesting(t, file, b.Body, name)
	}
}

// forDepth is the largest number of for expressions on one path from expr
// down.
func forDepth(expr hclsyntax.Expression) int {
	w := &depthWalker{}
	hclsyntax.Walk(expr, w)
	return w.max
}

type depthWalker struct{ depth, max int }

func (w *depthWalker) Enter(n hclsyntax.Node) hcl.Diagnostics {
	if _, ok := n.(*hclsyntax.ForExpr); ok {
		w.depth++
		if w.depth > w.max {
			w.max = w.depth
		}
	}
	return nil
}

func (w *depthWalker) Exit(n hclsyntax.Node) hcl.Diagnostics {
	if _, ok := n.(*hclsyntax.ForExpr); ok {
		w.depth--
	}
	return nil
}

func TestForDepthCountsNestedComprehensions(t *testing.T) {
	for src, want := range map[string]int{
		`x`:                               0,
		`[for a in b : a]`:                1,
		`[for a in b : [for c in a : c]]`: 2,
		`{for a in flatten([for b in c : [for d in b : d]]) : a => a}`: 3,
		`concat([for a in b : a], [for c in d : c])`:                   1,
	} {
		e, diags := hclsyntax.ParseExpression([]byte(src), "x.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if got := forDepth(e); got != want {
			t.Errorf("forDepth(%s) = %d, want %d", src, got, want)
		}
	}
}
