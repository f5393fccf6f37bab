package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Drift names the fields whose values differ between a change saved in a
// plan and the same change planned again: the target's current values
// (Before) when after is false, the values to be written (After) when it
// is true. Sensitive fields, which keep no value, are not compared.
func Drift(saved, now []Field, after bool) []string {
	pick := func(f Field) (json.RawMessage, bool) {
		if after {
			return f.After, f.AfterUnknown
		}
		return f.Before, false
	}
	old := make(map[string]Field, len(saved))
	for _, f := range saved {
		old[f.Path] = f
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range now {
		seen[f.Path] = true
		o, ok := old[f.Path]
		if f.Sensitive || o.Sensitive {
			continue
		}
		nv, nu := pick(f)
		ov, ou := pick(o)
		if !ok && len(nv) == 0 && !nu {
			continue
		}
		if nu != ou || !sameJSON(ov, nv) {
			out = append(out, f.Path)
		}
	}
	for _, f := range saved {
		if v, u := pick(f); !seen[f.Path] && !f.Sensitive && (len(v) > 0 || u) {
			out = append(out, f.Path)
		}
	}
	return out
}

// DriftText says which fields differ, naming at most five:
// "a differs", "a, b differ", "a, b, c, d, e and 3 more differ".
func DriftText(paths []string) string {
	const most = 5
	switch {
	case len(paths) == 1:
		return paths[0] + " differs"
	case len(paths) <= most:
		return strings.Join(paths, ", ") + " differ"
	}
	return fmt.Sprintf("%s and %d more differ", strings.Join(paths[:most], ", "), len(paths)-most)
}

func sameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}
