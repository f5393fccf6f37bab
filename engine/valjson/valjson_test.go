package valjson_test

import (
	"bytes"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/toteworks/tote/engine/valjson"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// same fails unless valjson encodes v as t exactly as cty does, error
// for error.
func same(t *testing.T, v cty.Value, ty cty.Type) {
	t.Helper()
	want, werr := ctyjson.Marshal(v, ty)
	got, gerr := valjson.Marshal(v, ty)
	if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
		t.Fatalf("%#v as %#v: error %v, cty's %v", v, ty, gerr, werr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%#v as %#v:\n got %s\nwant %s", v, ty, got, want)
	}
	prefixed, err := valjson.Append([]byte("x"), v, ty)
	if werr == nil && (err != nil || !bytes.Equal(prefixed, append([]byte("x"), want...))) {
		t.Fatalf("Append: %s, %v", prefixed, err)
	}
}

var strs = []string{"", "plain", `q"uote`, `back\slash`, "<b>&amp;</b>", "a&b", "x>y", "tab\there", "nl\n", "\x00\x01\x7f", "é café",
	"\u2028\u2029", "bad \xff utf8", "emoji 😀", "\b\f", strings1k()}

func strings1k() string {
	b := make([]byte, 1000)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return string(b)
}

func TestMatchesCty(t *testing.T) {
	big1, _ := new(big.Float).SetString("123456789012345678901234567890.5")
	nums := []cty.Value{cty.Zero, cty.NumberIntVal(-42), cty.NumberFloatVal(0.1), cty.NumberFloatVal(1e21), cty.NumberFloatVal(-1.5e-9),
		cty.NumberVal(big1), cty.PositiveInfinity, cty.NegativeInfinity,
		cty.NumberIntVal(1<<62 + 1), cty.NumberIntVal(-1 << 63), cty.NumberIntVal(1<<53 + 1), cty.NumberFloatVal(1 << 60),
		cty.NumberFloatVal(1<<53 + 2), cty.NumberFloatVal(-(1<<53 - 1)), cty.NumberFloatVal(1e15), cty.NumberVal(new(big.Float).SetPrec(8).SetInt64(1000)),
		cty.NumberVal(new(big.Float).SetPrec(8).SetInt64(255)), cty.NumberVal(new(big.Float).SetPrec(8).SetInt64(257)),
		cty.NumberVal(new(big.Float).Neg(new(big.Float)))}
	for e := range 70 {
		nums = append(nums, cty.NumberFloatVal(float64(int64(1)<<e)+1), cty.NumberIntVal(int64(1)<<e-1), cty.NumberFloatVal(-float64(int64(1)<<e)))
	}
	for _, s := range strs {
		same(t, cty.StringVal(s), cty.String)
		same(t, cty.StringVal(s), cty.DynamicPseudoType)
		same(t, cty.MapVal(map[string]cty.Value{s + "k": cty.StringVal(s)}), cty.Map(cty.String))
		same(t, cty.ObjectVal(map[string]cty.Value{s + "k": cty.StringVal(s)}), cty.DynamicPseudoType)
	}
	for _, n := range nums {
		same(t, n, cty.Number)
		same(t, n, cty.DynamicPseudoType)
	}
	obj := cty.ObjectVal(map[string]cty.Value{
		"id": cty.NumberIntVal(7), "name": cty.StringVal("a<b"), "ok": cty.True, "none": cty.NullVal(cty.String),
		"tags":  cty.SetVal([]cty.Value{cty.StringVal("z"), cty.StringVal("a"), cty.StringVal("m")}),
		"lines": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"sku": cty.StringVal("S1"), "qty": cty.NumberIntVal(2)})}),
		"tuple": cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.NumberIntVal(1), cty.False}),
		"nums":  cty.SetVal([]cty.Value{cty.NumberIntVal(3), cty.NumberIntVal(1)}),
		"empty": cty.EmptyObjectVal, "list0": cty.ListValEmpty(cty.String), "dyn": cty.NullVal(cty.DynamicPseudoType),
	})
	same(t, obj, obj.Type())
	same(t, obj, cty.DynamicPseudoType)
	dynAttrs := map[string]cty.Type{}
	for k := range obj.Type().AttributeTypes() {
		dynAttrs[k] = cty.DynamicPseudoType
	}
	same(t, obj, cty.Object(dynAttrs))
	same(t, cty.ListVal([]cty.Value{obj, obj}), cty.List(cty.DynamicPseudoType))
	same(t, cty.MapVal(map[string]cty.Value{"b": obj, "a": obj}), cty.Map(obj.Type()))
	withOptional := cty.ObjectWithOptionalAttrs(map[string]cty.Type{"a": cty.String, "b": cty.Number}, []string{"b"})
	same(t, cty.ObjectVal(map[string]cty.Value{"v": cty.NullVal(withOptional)}), cty.Object(map[string]cty.Type{"v": cty.DynamicPseudoType}))
	same(t, cty.NullVal(cty.DynamicPseudoType), cty.DynamicPseudoType)
	same(t, cty.NullVal(obj.Type()), cty.DynamicPseudoType)
	same(t, cty.NullVal(cty.String), cty.String)
	// What cty refuses, refused alike.
	same(t, cty.UnknownVal(cty.String), cty.String)
	same(t, cty.ObjectVal(map[string]cty.Value{"a": cty.UnknownVal(cty.String)}), cty.DynamicPseudoType)
	same(t, cty.StringVal("secret").Mark("sensitive"), cty.String)
	same(t, cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x").Mark("m")}), cty.Object(map[string]cty.Type{"a": cty.String}))
}

// MarshalAttrs writes what cty writes for the object of the attributes.
func TestMarshalAttrsMatchesCty(t *testing.T) {
	v := cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("k<1>"), "id": cty.NumberIntVal(12), "n": cty.NullVal(cty.Number),
		"nested": cty.ObjectVal(map[string]cty.Value{"b": cty.True, "a": cty.ListVal([]cty.Value{cty.StringVal("x")})})})
	for _, names := range [][]string{{"key"}, {"key", "id"}, {"nested", "key", "n"}, {"id", "id"}, {}} {
		attrs := map[string]cty.Value{}
		for _, k := range names {
			attrs[k] = v.GetAttr(k)
		}
		obj := cty.ObjectVal(attrs)
		want, err := ctyjson.Marshal(obj, obj.Type())
		if err != nil {
			t.Fatal(err)
		}
		got, err := valjson.MarshalAttrs(v, names)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%v: %s, %v; want %s", names, got, err, want)
		}
	}
	if _, err := valjson.MarshalAttrs(cty.ObjectVal(map[string]cty.Value{"k": cty.UnknownVal(cty.String)}), []string{"k"}); err == nil {
		t.Error("an unknown attribute encoded")
	}
}

// Random values of random types encode as cty encodes them.
func TestMatchesCtyRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		v := randomValue(r, 3)
		same(t, v, v.Type())
		same(t, v, cty.DynamicPseudoType)
		if t.Failed() {
			t.Fatalf("value %d", i)
		}
	}
}

func randomValue(r *rand.Rand, depth int) cty.Value {
	k := r.IntN(9)
	if depth == 0 {
		k = r.IntN(4)
	}
	switch k {
	case 0:
		return cty.StringVal(strs[r.IntN(len(strs))])
	case 1:
		if r.IntN(2) == 0 {
			return cty.NumberIntVal(r.Int64N(1<<62) >> r.IntN(62))
		}
		return cty.NumberFloatVal(r.NormFloat64() * float64(r.IntN(1_000_000)))
	case 2:
		return cty.BoolVal(r.IntN(2) == 0)
	case 3:
		return cty.NullVal(cty.String)
	case 4, 5:
		attrs := map[string]cty.Value{}
		for j := range r.IntN(20) {
			attrs[fmt.Sprintf("%s%d", strs[r.IntN(3)], j)] = randomValue(r, depth-1)
		}
		return cty.ObjectVal(attrs)
	case 6:
		elems := make([]cty.Value, r.IntN(4))
		for j := range elems {
			elems[j] = randomValue(r, depth-1)
		}
		return cty.TupleVal(elems)
	case 7:
		n := r.IntN(4) + 1
		elems := make([]cty.Value, n)
		for j := range elems {
			elems[j] = cty.StringVal(fmt.Sprint(r.IntN(10)))
		}
		return cty.SetVal(elems)
	default:
		m := map[string]cty.Value{}
		for j := range r.IntN(4) + 1 {
			m[strs[r.IntN(len(strs))]+fmt.Sprint(j)] = cty.NumberIntVal(int64(r.IntN(100)))
		}
		return cty.MapVal(m)
	}
}

func BenchmarkMarshal(b *testing.B) {
	out := cty.Object(map[string]cty.Type{"key": cty.String, "value": cty.DynamicPseudoType, "version": cty.Number})
	v := cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("out/t000000001"),
		"value":   cty.ObjectVal(map[string]cty.Value{"tick": cty.StringVal("t000000001"), "source": cty.StringVal("source")}),
		"version": cty.NumberIntVal(1)})
	b.Run("cty", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctyjson.Marshal(v, out)
		}
	})
	b.Run("valjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			valjson.Marshal(v, out)
		}
	})
}
