package testscripts

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/toteworks/tote/pipelines"
)

// The walkthroughs of docs/pipelines.md are run, not just read: each
// fenced block a walkthrough's script needs is preceded in the page by a
// line "<!-- walkthrough: NAME -->", and the script takes the block by that
// name (docblock, cmpdoc), so the page and the script cannot drift apart.

// walkthroughDoc is the page the walkthroughs are in.
var walkthroughDoc = filepath.Join("..", "docs", "pipelines.md")

// docBlocks are the named fenced blocks of the walkthrough page, read
// once: every docblock, docenv and cmpdoc of every script looks here.
var docBlocks = sync.OnceValues(readDocBlocks)

// readDocBlocks reads the named fenced blocks of the walkthrough page.
func readDocBlocks() (map[string]string, error) {
	f, err := os.Open(walkthroughDoc)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	blocks := map[string]string{}
	var name string
	var cur *strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur != nil && trimmed == "```":
			blocks[name] = cur.String()
			name, cur = "", nil
		case cur != nil:
			cur.WriteString(line + "\n")
		case strings.HasPrefix(trimmed, "<!-- walkthrough: "):
			name = strings.TrimSuffix(strings.TrimPrefix(trimmed, "<!-- walkthrough: "), " -->")
		case name != "" && strings.HasPrefix(trimmed, "```"):
			cur = &strings.Builder{}
		case name != "" && trimmed != "":
			name = "" // the marker was not followed by a block
		}
	}
	return blocks, sc.Err()
}

func docBlock(ts *testscript.TestScript, name string) string {
	blocks, err := docBlocks()
	ts.Check(err)
	b, ok := blocks[name]
	if !ok {
		ts.Fatalf("%s has no block marked <!-- walkthrough: %s -->", walkthroughDoc, name)
	}
	return b
}

// docblock [-append] NAME FILE: write the block NAME of docs/pipelines.md
// to FILE; with -append, add it at the end of FILE after a blank line, as
// a reader adds a block to a file they have.
func cmdDocBlock(ts *testscript.TestScript, neg bool, args []string) {
	appending := len(args) > 0 && args[0] == "-append"
	if appending {
		args = args[1:]
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: docblock [-append] NAME FILE")
	}
	path := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
	text := docBlock(ts, args[0])
	if appending {
		old, err := os.ReadFile(path)
		ts.Check(err)
		text = strings.TrimRight(string(old), "\n") + "\n\n" + text
	}
	ts.Check(os.WriteFile(path, []byte(text), 0o644))
}

// docenv NAME: set the variables the block NAME of docs/pipelines.md
// exports ("export VAR=VALUE" lines). A value shown as "..." stands for a
// secret of the reader's: the harness must already have set VAR (the
// store command sets a fake store's), so a variable the page names that no
// fake provides fails here. Other values are set as shown, without the
// single quotes around them.
func cmdDocEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: docenv NAME")
	}
	n := 0
	for _, line := range strings.Split(docBlock(ts, args[0]), "\n") {
		assign, ok := strings.CutPrefix(strings.TrimSpace(line), "export ")
		if !ok {
			continue
		}
		name, value, ok := strings.Cut(assign, "=")
		if !ok {
			ts.Fatalf("block %s: %q sets nothing", args[0], line)
		}
		n++
		if value == "..." {
			if ts.Getenv(name) == "" {
				ts.Fatalf("block %s exports %s, which no fake provides", args[0], name)
			}
			continue
		}
		if v, ok := strings.CutPrefix(value, "'"); ok {
			value = strings.TrimSuffix(v, "'")
		}
		ts.Setenv(name, value)
	}
	if n == 0 {
		ts.Fatalf("block %s exports nothing", args[0])
	}
}

// cmpdoc stdout|stderr|FILE NAME: the text must be the block NAME of
// docs/pipelines.md, line by line; "..." in a block line stands for any
// text (a time, an id), so a line ending in "..." matches any line that
// starts with what comes before it.
func cmdCmpDoc(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: cmpdoc stdout|stderr|FILE NAME")
	}
	got := strings.Split(strings.TrimRight(ts.ReadFile(args[0]), "\n"), "\n")
	want := strings.Split(strings.TrimRight(docBlock(ts, args[1]), "\n"), "\n")
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) && i < len(want) && elidedMatch(g, w) {
			continue
		}
		ts.Fatalf("%s differs from the block %s of %s at line %d:\n got: %q\nwant: %q\n\nall of it:\n%s",
			args[0], args[1], walkthroughDoc, i+1, g, w, strings.Join(got, "\n"))
	}
}

// elidedMatch reports whether line is pattern, each "..." in pattern
// standing for any text.
func elidedMatch(line, pattern string) bool {
	parts := strings.Split(pattern, "...")
	if len(parts) == 1 {
		return line == pattern
	}
	rest, ok := strings.CutPrefix(line, parts[0])
	if !ok {
		return false
	}
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return strings.HasSuffix(rest, parts[len(parts)-1])
}

// replace FILE OLD NEW: replace the one occurrence of OLD in FILE with NEW,
// as a person editing the file would.
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: replace FILE OLD NEW")
	}
	text := ts.ReadFile(args[0])
	if n := strings.Count(text, args[1]); n != 1 {
		ts.Fatalf("replace: %q occurs %d times in %s, want once", args[1], n, args[0])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(strings.Replace(text, args[1], args[2], 1)), 0o644))
}

// copyshipped DIR: copy the shipped pipelines, and their modules folder,
// into DIR, as a merchant starts a pipelines folder of their own.
func cmdCopyShipped(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: copyshipped DIR")
	}
	ts.Check(os.CopyFS(ts.MkAbs(args[0]), pipelines.FS))
}

// TestWalkthroughOwnTest runs the pipeline test that the "Write your own
// pipeline" walkthrough has its reader write, exactly as the page shows it,
// and checks that the pipeline in it is the page's.
func TestWalkthroughOwnTest(t *testing.T) {
	blocks, err := docBlocks()
	if err != nil {
		t.Fatal(err)
	}
	script, ok := blocks["testscripts/flows/gift.txtar"]
	if !ok {
		t.Fatalf("%s has no block marked <!-- walkthrough: testscripts/flows/gift.txtar -->", walkthroughDoc)
	}
	ar := txtar.Parse([]byte(script))
	found := false
	for _, f := range ar.Files {
		if f.Name == "pipelines/gift.hcl" {
			found = true
			if !bytes.Equal(f.Data, []byte(blocks["pipelines/gift.hcl"])) {
				t.Errorf("the test's pipelines/gift.hcl is not the pipeline the walkthrough writes")
			}
		}
	}
	if !found {
		t.Errorf("the walkthrough's test has no pipelines/gift.hcl")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gift.txtar"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	p := params(dir)
	testscript.Run(t, p)
}

// walkthroughScripts are the scripts that run the walkthroughs, each with
// the prefix of the names of its page's "sh:" blocks; the first prefix that
// matches a block wins.
var walkthroughScripts = []struct{ prefix, script string }{
	{"sh:store-", "walkthrough_another_store.txtar"},
	{"sh:", "walkthrough_own_pipeline.txtar"},
}

// TestWalkthroughCommands checks that every tote command a walkthrough
// shows (its "sh:" blocks) is run by its script: as shown, or followed by
// flags only the harness needs (a listen address, a ready file).
func TestWalkthroughCommands(t *testing.T) {
	blocks, err := docBlocks()
	if err != nil {
		t.Fatal(err)
	}
	run := map[string][]string{}
	for _, w := range walkthroughScripts {
		script, err := os.ReadFile(filepath.Join("flows", w.script))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(script), "\n") {
			if cmd, ok := strings.CutPrefix(strings.TrimPrefix(line, "! "), "exec "); ok {
				run[w.script] = append(run[w.script], strings.TrimSpace(cmd))
			}
		}
	}
	ran := func(script, shown string) bool {
		for _, cmd := range run[script] {
			if cmd == shown || strings.HasPrefix(cmd, shown+" -") {
				return true
			}
		}
		return false
	}
	shown := map[string]int{}
	for name, b := range blocks {
		var script string
		for _, w := range walkthroughScripts {
			if strings.HasPrefix(name, w.prefix) {
				script = w.script
				break
			}
		}
		if script == "" {
			continue
		}
		for _, line := range strings.Split(b, "\n") {
			if line = strings.TrimSpace(line); strings.HasPrefix(line, "tote ") {
				shown[script]++
				if !ran(script, line) {
					t.Errorf("the walkthrough shows %q (block %s), which %s does not run", line, name, script)
				}
			}
		}
	}
	for _, w := range walkthroughScripts {
		if shown[w.script] < 4 {
			t.Errorf("found %d tote commands in the sh blocks of %s's walkthrough; want at least validate, plan, apply and one more", shown[w.script], w.script)
		}
	}
}

func TestElidedMatch(t *testing.T) {
	for _, c := range []struct {
		line, pattern string
		want          bool
	}{
		{"Event 2  orders/changed.x  k  done", "Event ...  orders/changed.x  ...  done", true},
		{"Event 2  orders/changed.y  k  done", "Event ...  orders/changed.x  ...  done", false},
		{"started 2026-12-06T23:51:41Z", "started ...", true},
		{"Plan: 1 to create", "Plan: 1 to create", true},
		{"Plan: 1 to create, 0", "Plan: 1 to create", false},
		{"ab", "ab...b", false},
	} {
		if got := elidedMatch(c.line, c.pattern); got != c.want {
			t.Errorf("elidedMatch(%q, %q) = %v, want %v", c.line, c.pattern, got, c.want)
		}
	}
}
