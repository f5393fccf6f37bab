package valjson_test

import (
	"math/rand/v2"
	"testing"

	"github.com/toteworks/tote/engine/valjson"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// sameDecode fails unless valjson reads b as t exactly as cty does, error
// for error.
func sameDecode(t *testing.T, b string, ty cty.Type) {
	t.Helper()
	want, werr := ctyjson.Unmarshal([]byte(b), ty)
	got, gerr := valjson.Unmarshal([]byte(b), ty)
	if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
		t.Fatalf("%s as %#v: error %v, cty's %v", b, ty, gerr, werr)
	}
	if werr == nil && !got.RawEquals(want) {
		t.Fatalf("%s as %#v:\n got %#v\nwant %#v", b, ty, got, want)
	}
}

func TestDecodeMatchesCty(t *testing.T) {
	event := cty.Object(map[string]cty.Type{
		"tick": cty.String, "n": cty.Number, "ok": cty.Bool,
		"ids":   cty.List(cty.Number),
		"tags":  cty.Map(cty.String),
		"order": cty.Object(map[string]cty.Type{"id": cty.Number, "lines": cty.List(cty.Object(map[string]cty.Type{"sku": cty.String}))}),
		"set":   cty.Set(cty.String),
	})
	for _, b := range []string{
		`{"tick":"t1"}`, ` { "tick" : "t1" , "n" : -12.50e+2 } `, `{"n":0}`, `{"n":1e400}`, `{"n":123456789012345678901234567890}`,
		`{"ok":true,"n":null,"tick":null}`, `{"ids":[1,2,3]}`, `{"ids":[]}`, `{"ids":null}`, `{"tags":{"a":"x","b":"y"}}`, `{"tags":{}}`,
		`{"order":{"id":5,"lines":[{"sku":"A<&>"},{"sku":"é"}]}}`, `{"set":["b","a","b"]}`, `{}`, `null`, ` null `,
		`{"tick":"esc\"aped\u00e9\n"}`, `{"tick":"a","tick":"b"}`, `{"ti\u0063k":"k"}`, "{\"tick\":\"e\u0301\"}",
		// What cty's decoder converts or refuses.
		`{"n":"12"}`, `{"tick":12}`, `{"tick":true}`, `{"ok":"true"}`, `{"ok":"yes"}`, `{"other":1}`, `{"n":01}`, `{"n":-}`, `{"n":1.}`,
		`{"n":.5}`, `{"n":1e}`, `{"tick":"t1"} trailing`, `{"tick":"t1"`, `{"tick" "t1"}`, `{"tick":"t1",}`, `[1]`, `"x"`, ``, `   `,
		`{"ids":[1,]}`, `{"ids":[1 2]}`, "{\"tick\":\"bad \xff\"}", "{\"tick\":\"ctl \x01\"}", `{"tick":"unterminated}`, `{"ids":[1,"2"]}`,
		`{"tick":"\ud800"}`, `{"order":{"lines":[{"sku":1}]}}`, `{"tags":{"a":1}}`, `nul`, `{"ok":tru}`,
	} {
		sameDecode(t, b, event)
	}
	for _, ty := range []cty.Type{cty.String, cty.Number, cty.Bool, cty.List(cty.String), cty.Map(cty.Number), cty.EmptyObject, cty.DynamicPseudoType,
		cty.Tuple([]cty.Type{cty.String, cty.Number})} {
		for _, b := range []string{`"s"`, `1.5`, `true`, `["a","b"]`, `{"a":1}`, `{}`, `null`, `[]`, `["x",2]`} {
			sameDecode(t, b, ty)
		}
	}
}

// What valjson encodes, valjson reads back as cty does.
func TestDecodeMatchesCtyRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		v := randomValue(r, 3)
		b, err := valjson.Marshal(v, v.Type())
		if err != nil {
			t.Fatal(err)
		}
		sameDecode(t, string(b), v.Type())
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	event := cty.Object(map[string]cty.Type{"tick": cty.String})
	doc := []byte(`{"tick":"t000000001"}`)
	b.Run("cty", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctyjson.Unmarshal(doc, event)
		}
	})
	b.Run("valjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			valjson.Unmarshal(doc, event)
		}
	})
}
