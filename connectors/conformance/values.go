package conformance

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// minSecretLen is the shortest secret the leak checks look for: shorter
// ones would match unrelated text.
const minSecretLen = 8

// complete turns the attributes a harness gives into the value the engine
// would pass: every attribute of o present, absent optional ones null,
// each converted to its declared type.
func complete(o schema.Object, v cty.Value) (cty.Value, error) {
	given := map[string]cty.Value{}
	if v != cty.NilVal && !v.IsNull() {
		if !v.Type().IsObjectType() && !v.Type().IsMapType() {
			return cty.NilVal, fmt.Errorf("want an object, not %s", v.Type().FriendlyName())
		}
		given = v.AsValueMap()
	}
	var unknown []string
	for name := range given {
		if _, ok := o.Attr(name); !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return cty.NilVal, fmt.Errorf("no such attributes: %s", strings.Join(unknown, ", "))
	}
	out := map[string]cty.Value{}
	for _, a := range o.Attrs {
		gv, ok := given[a.Name]
		if !ok || gv.IsNull() {
			if a.Required {
				return cty.NilVal, fmt.Errorf("the required attribute %q is missing", a.Name)
			}
			out[a.Name] = cty.NullVal(a.Type)
			continue
		}
		cv, err := convert.Convert(gv, a.Type)
		if err != nil {
			return cty.NilVal, fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		out[a.Name] = cv
	}
	if len(out) == 0 {
		return cty.EmptyObjectVal, nil
	}
	return cty.ObjectVal(out), nil
}

// sensitiveStrings collects the strings held by the sensitive attributes
// of a config, however deeply nested (headers maps, lists of keys).
func sensitiveStrings(o schema.Object, cfg cty.Value) []string {
	if cfg == cty.NilVal || cfg.IsNull() || !cfg.Type().IsObjectType() {
		return nil
	}
	var out []string
	for _, a := range o.Attrs {
		if a.Sensitive && cfg.Type().HasAttribute(a.Name) {
			for _, s := range valueStrings(cfg.GetAttr(a.Name)) {
				if len(s) >= minSecretLen {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// valueStrings lists the known strings in v.
func valueStrings(v cty.Value) []string {
	if v == cty.NilVal {
		return nil
	}
	v, _ = v.UnmarkDeep()
	var out []string
	cty.Walk(v, func(_ cty.Path, e cty.Value) (bool, error) {
		if !e.IsKnown() || e.IsNull() {
			return false, nil
		}
		if e.Type() == cty.String {
			out = append(out, e.AsString())
		}
		return true, nil
	})
	return out
}

// leaks reports every secret found in text, naming where text came from
// but never the secret itself.
func (s *suite) leaks(where, text string) []string {
	var problems []string
	for i, secret := range s.secrets {
		if strings.Contains(text, secret) {
			problems = append(problems, fmt.Sprintf("%s contains sensitive config value #%d", where, i+1))
		}
	}
	return problems
}

// leaksIn is leaks for every string a value holds.
func (s *suite) leaksIn(where string, v cty.Value) []string {
	return s.leaks(where, strings.Join(valueStrings(v), "\n"))
}

// errLeaks is leaks for an error's text; a nil error leaks nothing.
func (s *suite) errLeaks(where string, err error) []string {
	if err == nil {
		return nil
	}
	return s.leaks(where+" error", err.Error())
}

// logBuffer is an io.Writer safe for the concurrent writes of a logger
// shared by connections.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
