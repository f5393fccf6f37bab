package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

func cmdFmt(_ context.Context, env Env, args []string) int {
	fs := newFlags("fmt", "fmt [-check] [DIR | FILE ...]", env.Stderr)
	check := fs.Bool("check", false, "change nothing; list unformatted files and exit 3 if there are any")
	var c common
	c.register(fs, env, false)
	pos, err := parse(fs, args)
	if err != nil {
		return exitError
	}
	if len(pos) == 0 {
		pos = []string{c.dir}
	}
	names, err := fmtTargets(pos)
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return exitError
	}
	unformatted, broken := 0, false
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		f, diags := hclwrite.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			// Report it with its snippet and go on with the other files.
			parsed, _ := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
			writeDiagnostics(env.Stderr, diags, map[string]*hcl.File{name: parsed})
			broken = true
			continue
		}
		out := f.Bytes()
		if bytes.Equal(out, src) {
			continue
		}
		unformatted++
		fmt.Fprintln(env.Stdout, name)
		if *check {
			continue
		}
		info, err := os.Stat(name)
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		if err := os.WriteFile(name, out, info.Mode().Perm()); err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
	}
	switch {
	case broken:
		return exitError
	case *check && unformatted > 0:
		return 3
	}
	return exitOK
}

// fmtTargets expands the arguments: a directory stands for its *.hcl
// files and its modules' (modules/*.hcl), a file for itself, whatever its
// name.
func fmtTargets(args []string) ([]string, error) {
	var names []string
	for _, a := range args {
		info, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			names = append(names, a)
			continue
		}
		inDir, err := filepath.Glob(filepath.Join(a, "*.hcl"))
		if err != nil {
			return nil, err
		}
		modules, err := filepath.Glob(filepath.Join(a, "modules", "*.hcl"))
		if err != nil {
			return nil, err
		}
		inDir = append(inDir, modules...)
		sort.Strings(inDir)
		names = append(names, inDir...)
	}
	return names, nil
}
