package valjson

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Unmarshal is cty's json.Unmarshal(b, t). It reads objects, lists, maps
// and primitives of a type without dynamic parts itself, in one pass over
// b; anything else, or anything it does not expect (a number given as a
// string, an attribute the type lacks, malformed JSON), goes to cty's
// decoder whole, which decides and words the error.
func Unmarshal(b []byte, t cty.Type) (cty.Value, error) {
	if !t.HasDynamicTypes() {
		d := decoder{b: b}
		if v, ok := d.value(t); ok && d.end() {
			return v, nil
		}
	}
	return ctyjson.Unmarshal(b, t)
}

// decoder reads b from i; its methods report false at anything they leave
// to cty's decoder.
type decoder struct {
	b []byte
	i int
}

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// end reports whether only white space is left.
func (d *decoder) end() bool {
	d.ws()
	return d.i == len(d.b)
}

// next skips white space and reports the byte there (0 at the end).
func (d *decoder) next() byte {
	d.ws()
	if d.i == len(d.b) {
		return 0
	}
	return d.b[d.i]
}

func (d *decoder) literal(s string) bool {
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

func (d *decoder) value(t cty.Type) (cty.Value, bool) {
	c := d.next()
	if c == 'n' {
		return cty.NullVal(t), d.literal("null")
	}
	switch {
	case t == cty.String:
		s, ok := d.str()
		if !ok {
			return cty.NilVal, false
		}
		return cty.StringVal(s), true
	case t == cty.Number:
		return d.number()
	case t == cty.Bool:
		if d.literal("true") {
			return cty.True, true
		}
		return cty.False, d.literal("false")
	case t.IsObjectType():
		return d.object(t.AttributeTypes())
	case t.IsListType():
		ety := t.ElementType()
		var vals []cty.Value
		if !d.elements(func() bool {
			v, ok := d.value(ety)
			vals = append(vals, v)
			return ok
		}) {
			return cty.NilVal, false
		}
		if len(vals) == 0 {
			return cty.ListValEmpty(ety), true
		}
		return cty.ListVal(vals), true
	case t.IsMapType():
		ety := t.ElementType()
		vals := map[string]cty.Value{}
		if !d.members(func(k string) bool {
			v, ok := d.value(ety)
			vals[k] = v
			return ok
		}) {
			return cty.NilVal, false
		}
		if len(vals) == 0 {
			return cty.MapValEmpty(ety), true
		}
		return cty.MapVal(vals), true
	}
	return cty.NilVal, false // sets, tuples, capsules
}

func (d *decoder) object(atys map[string]cty.Type) (cty.Value, bool) {
	vals := make(map[string]cty.Value, len(atys))
	if !d.members(func(k string) bool {
		aty, ok := atys[k]
		if !ok {
			return false
		}
		v, ok := d.value(aty)
		vals[k] = v
		return ok
	}) {
		return cty.NilVal, false
	}
	for k, aty := range atys {
		if _, ok := vals[k]; !ok {
			vals[k] = cty.NullVal(aty)
		}
	}
	if len(vals) == 0 {
		return cty.EmptyObjectVal, true
	}
	return cty.ObjectVal(vals), true
}

// elements reads a JSON array, calling elem at each element.
func (d *decoder) elements(elem func() bool) bool {
	return d.sequence('[', ']', elem)
}

// members reads a JSON object, calling member after each key.
func (d *decoder) members(member func(key string) bool) bool {
	return d.sequence('{', '}', func() bool {
		if d.next() != '"' {
			return false
		}
		k, ok := d.str()
		if !ok || d.next() != ':' {
			return false
		}
		d.i++
		return member(k)
	})
}

// sequence reads comma-separated items between open and end, calling item
// at each.
func (d *decoder) sequence(open, end byte, item func() bool) bool {
	if d.next() != open {
		return false
	}
	d.i++
	if d.next() == end {
		d.i++
		return true
	}
	for {
		if !item() {
			return false
		}
		switch d.next() {
		case ',':
			d.i++
		case end:
			d.i++
			return true
		default:
			return false
		}
	}
}

// str reads a JSON string. One with escapes is unquoted by encoding/json,
// as cty's decoder does; one of other bytes than valid UTF-8 and no
// control characters is left to cty.
func (d *decoder) str() (string, bool) {
	if d.next() != '"' {
		return "", false
	}
	start := d.i + 1
	escaped := false
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '\\':
			escaped = true
			j++
		case c == '"':
			d.i = j + 1
			raw := d.b[start:j]
			if escaped {
				var s string
				if json.Unmarshal(d.b[start-1:j+1], &s) != nil {
					return "", false
				}
				return s, true
			}
			if !utf8.Valid(raw) {
				return "", false
			}
			return string(raw), true
		case c < 0x20:
			return "", false
		}
	}
	return "", false
}

// number reads a JSON number and parses it as cty's decoder does.
func (d *decoder) number() (cty.Value, bool) {
	start := d.i
	j := start
	if j < len(d.b) && d.b[j] == '-' {
		j++
	}
	digits := func() int {
		n := 0
		for j < len(d.b) && d.b[j] >= '0' && d.b[j] <= '9' {
			j++
			n++
		}
		return n
	}
	intStart := j
	if n := digits(); n == 0 || (n > 1 && d.b[intStart] == '0') {
		return cty.NilVal, false
	}
	if j < len(d.b) && d.b[j] == '.' {
		j++
		if digits() == 0 {
			return cty.NilVal, false
		}
	}
	if j < len(d.b) && (d.b[j] == 'e' || d.b[j] == 'E') {
		j++
		if j < len(d.b) && (d.b[j] == '+' || d.b[j] == '-') {
			j++
		}
		if digits() == 0 {
			return cty.NilVal, false
		}
	}
	v, err := cty.ParseNumberVal(string(d.b[start:j]))
	if err != nil {
		return cty.NilVal, false
	}
	d.i = j
	return v, true
}
