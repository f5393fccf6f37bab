package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSimRoutesDocumented fails when a fake serves a /_sim/ route (or the
// mail capture server a route) that docs/pipelines.md does not document.
func TestSimRoutesDocumented(t *testing.T) {
	doc, err := os.ReadFile("pipelines.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := normalizeRoute(string(doc))
	files, err := filepath.Glob("../connectors/*/*test/*.go")
	if err != nil {
		t.Fatal(err)
	}
	// A route is a string literal handed to a router: "METHOD /path" or "/path".
	route := regexp.MustCompile(`(?:HandleFunc|Handle|handle)\([^"]*"(?:(?:GET|POST|PUT|DELETE) )?(/(?:_sim/|messages)[^"]*)"`)
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range route.FindAllStringSubmatch(string(src), -1) {
			found++
			if !strings.Contains(documented, "`"+normalizeRoute(m[1])) && !strings.Contains(documented, " "+normalizeRoute(m[1])+"`") {
				t.Errorf("%s serves %s, which docs/pipelines.md (Driving the fakes) does not document", f, m[1])
			}
		}
	}
	if found < 10 {
		t.Fatalf("found only %d routes in the fakes' routers: has the router code changed shape?", found)
	}
}

// normalizeRoute writes every path parameter ({id}, {}) as {}.
func normalizeRoute(s string) string {
	return regexp.MustCompile(`\{[a-z_]*\}`).ReplaceAllString(s, "{}")
}
