package run

import (
	"sort"
	"strings"
	"sync"

	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/lang"
	"github.com/toteworks/tote/engine/plan"
	"github.com/zclconf/go-cty/cty"
)

// redactor scrubs known secret values from text that leaves the engine:
// error messages, recorded errors and plan fields. Marks keep secrets out of
// values the engine renders itself; the redactor also catches a vendor or a
// library that echoes one back inside an error.
type redactor struct {
	mu      sync.Mutex
	secrets map[string]bool
}

// minSecretLen keeps very short values from being scrubbed everywhere they
// happen to occur.
const minSecretLen = 4

// newRedactor collects the program's secrets: sensitive connection
// settings, variables and trigger arguments. The engine builds it once.
func newRedactor(prog *compile.Program) *redactor {
	r := &redactor{secrets: map[string]bool{}}
	for _, c := range prog.Connections {
		r.addSensitive(c.Values)
	}
	r.addSensitive(prog.Vars)
	for _, pl := range prog.Pipelines {
		for _, t := range pl.Triggers {
			r.addSensitive(t.Args)
		}
	}
	return r
}

// clone returns a redactor with the same secrets, for one run to add its
// own to.
func (r *redactor) clone() *redactor {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := &redactor{secrets: make(map[string]bool, len(r.secrets))}
	for s := range r.secrets {
		c.secrets[s] = true
	}
	return c
}

// addSensitive remembers every sensitive string inside v.
func (r *redactor) addSensitive(v cty.Value) {
	if v == cty.NilVal {
		return
	}
	_, pvm := v.UnmarkDeepWithPaths()
	for _, pm := range pvm {
		if _, ok := pm.Marks[lang.Sensitive]; !ok {
			continue
		}
		inner, err := pm.Path.Apply(v)
		if err != nil {
			continue
		}
		inner, _ = inner.UnmarkDeep()
		collectStrings(inner, func(s string) {
			if len(s) >= minSecretLen {
				r.mu.Lock()
				r.secrets[s] = true
				r.mu.Unlock()
			}
		})
	}
}

func collectStrings(v cty.Value, f func(string)) {
	if v.IsNull() || !v.IsKnown() {
		return
	}
	switch {
	case v.Type() == cty.String:
		f(v.AsString())
	case v.CanIterateElements():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			collectStrings(e, f)
		}
	}
}

// String replaces every known secret in s, longest first, so a value that
// embeds a secret is hidden whole.
func (r *redactor) String(s string) string {
	r.mu.Lock()
	secrets := make([]string, 0, len(r.secrets))
	for secret := range r.secrets {
		secrets = append(secrets, secret)
	}
	r.mu.Unlock()
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, lang.RedactedString)
		}
	}
	return s
}

// Fields hides the values of fields that contain a known secret.
func (r *redactor) Fields(fields []plan.Field) []plan.Field {
	for i, f := range fields {
		if r.String(string(f.Before)) != string(f.Before) || r.String(string(f.After)) != string(f.After) {
			fields[i].Sensitive = true
			fields[i].Before, fields[i].After = nil, nil
		}
	}
	return fields
}

// Redact scrubs every secret the engine knows from s.
func (e *Engine) Redact(s string) string { return e.secrets.String(s) }
