// Package valjson encodes cty values as JSON and reads them back exactly as
// cty's own json package does, with a fraction of its allocations: it
// writes into one growing slice, quotes plain strings without
// encoding/json, encodes each dynamic type's description once, and reads
// in one pass instead of token by token. The encoded bytes are digested
// into write ledger keys, so they must never differ from cty's; anything
// this package does not handle itself (marks, unknowns, dynamic types when
// reading, capsules, infinities, malformed input) is handed to cty whole.
package valjson

import (
	"bytes"
	"encoding/json"
	"math/big"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Marshal is cty's json.Marshal(v, t).
func Marshal(v cty.Value, t cty.Type) ([]byte, error) {
	// Written into a reused buffer and copied out at its length: a fresh
	// buffer grown as it is written costs more than the copy.
	buf := marshalBufs.Get().(*[]byte)
	b, err := Append((*buf)[:0], v, t)
	var out []byte
	if err == nil {
		out = bytes.Clone(b)
	}
	if cap(b) <= maxPooledBuf { // a rare large value's buffer is not kept
		*buf = b[:0]
		marshalBufs.Put(buf)
	}
	return out, err
}

// marshalBufs are Marshal's buffers, of at most maxPooledBuf bytes each.
var marshalBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

const maxPooledBuf = 64 << 10

// Append appends what Marshal(v, t) returns to dst.
func Append(dst []byte, v cty.Value, t cty.Type) ([]byte, error) {
	if out, ok := appendValue(dst, v, t); ok {
		return out, nil
	}
	b, err := ctyjson.Marshal(v, t)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// MarshalAttrs is Marshal of the object of v's attributes names as its
// own type, what cty writes for cty.ObjectVal of them, without building
// that object. A name given twice counts once.
func MarshalAttrs(v cty.Value, names []string) ([]byte, error) {
	sorted := slices.Compact(slices.Sorted(slices.Values(names)))
	b := make([]byte, 0, 64)
	b = append(b, '{')
	for i, k := range sorted {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		av := v.GetAttr(k)
		var err error
		if b, err = Append(b, av, av.Type()); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendValue follows cty's marshal; ok is false for what it leaves to cty.
func appendValue(b []byte, v cty.Value, t cty.Type) (_ []byte, ok bool) {
	if v.IsMarked() || !v.IsKnown() {
		return b, false
	}
	if t == cty.DynamicPseudoType && v.Type() != cty.DynamicPseudoType {
		tj, ok := typeJSON(v.Type())
		if !ok {
			return b, false
		}
		b = append(b, `{"value":`...)
		if b, ok = appendValue(b, v, v.Type()); !ok {
			return b, false
		}
		b = append(b, `,"type":`...)
		b = append(b, tj...)
		return append(b, '}'), true
	}
	if v.IsNull() {
		return append(b, "null"...), true
	}
	switch {
	case t == cty.String:
		return appendString(b, v.AsString()), true
	case t == cty.Number:
		f := v.AsBigFloat()
		if f.IsInf() {
			return b, false
		}
		return appendNumber(b, f), true
	case t == cty.Bool:
		if v.True() {
			return append(b, "true"...), true
		}
		return append(b, "false"...), true
	case t.IsListType(), t.IsSetType(), t.IsTupleType(), t.IsMapType():
		return appendElements(b, v, t)
	case t.IsObjectType():
		atys := t.AttributeTypes()
		var buf [16]string
		names := buf[:0]
		for k := range atys {
			names = append(names, k)
		}
		slices.Sort(names)
		b = append(b, '{')
		for i, k := range names {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			if b, ok = appendValue(b, v.GetAttr(k), atys[k]); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	}
	return b, false // a capsule
}

// appendElements writes the elements of a collection or a tuple v of type
// t: a JSON object for a map (its keys are strings), an array otherwise.
func appendElements(b []byte, v cty.Value, t cty.Type) (_ []byte, ok bool) {
	isMap := t.IsMapType()
	var ety cty.Type
	var etys []cty.Type // a tuple's, one per element
	if t.IsTupleType() {
		etys = t.TupleElementTypes()
	} else {
		ety = t.ElementType()
	}
	open, end := byte('['), byte(']')
	if isMap {
		open, end = '{', '}'
	}
	b = append(b, open)
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		if i > 0 {
			b = append(b, ',')
		}
		ek, ev := it.Element()
		if isMap {
			if b, ok = appendValue(b, ek, ek.Type()); !ok {
				return b, false
			}
			b = append(b, ':')
		}
		if etys != nil {
			ety = etys[i]
		}
		if b, ok = appendValue(b, ev, ety); !ok {
			return b, false
		}
	}
	return append(b, end), true
}

// appendNumber is f.Text('f', -1): the shortest decimal that reads back
// as f at f's precision. An integer below 2^prec is its own digits (the
// values next to it at that precision are at most 1 away), which
// strconv writes without big.Float's decimal conversion.
func appendNumber(b []byte, f *big.Float) []byte {
	if f.IsInt() && !(f.Sign() == 0 && f.Signbit()) {
		if i, acc := f.Int64(); acc == big.Exact {
			limit := int64(1) << min(f.Prec(), 62)
			if -limit < i && i < limit {
				return strconv.AppendInt(b, i, 10)
			}
		}
	}
	return f.Append(b, 'f', -1)
}

// appendString quotes s as encoding/json does (cty's encoder calls it):
// a string of printable ASCII that needs no escape is copied as it is;
// any other goes through encoding/json itself.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, err := json.Marshal(s) // a string always encodes
			if err != nil {
				panic(err)
			}
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// typeJSON is cty's json.MarshalType(t), remembered for the few types a
// program's dynamic values take.
func typeJSON(t cty.Type) ([]byte, bool) {
	if seen := types.seen.Load(); seen != nil {
		for _, e := range *seen {
			if e.t.Equals(t) {
				return e.json, true
			}
		}
	}
	b, err := ctyjson.MarshalType(t)
	if err != nil {
		return nil, false
	}
	types.mu.Lock()
	defer types.mu.Unlock()
	var seen []typeEntry
	if p := types.seen.Load(); p != nil {
		seen = *p
	}
	if len(seen) < maxTypes {
		// Readers hold the slice they loaded: the new one is a copy.
		seen = append(slices.Clip(seen), typeEntry{t, b})
		types.seen.Store(&seen)
	}
	return b, true
}

// maxTypes bounds the types remembered; others are encoded each time.
const maxTypes = 64

type typeEntry struct {
	t    cty.Type
	json []byte
}

// types are the types seen so far, read without a lock.
var types struct {
	mu   sync.Mutex // held to add one
	seen atomic.Pointer[[]typeEntry]
}
