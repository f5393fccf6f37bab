package run

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/lang"
	"github.com/zclconf/go-cty/cty"
)

// Identities and argument digests are the bytes connectors.JSON gives:
// they name intents already in state files, so they never change.
func TestIdentityAndDigestKeepTheirBytes(t *testing.T) {
	args := cty.ObjectVal(map[string]cty.Value{
		"key":   cty.StringVal("out/1"),
		"n":     cty.NumberFloatVal(1.5),
		"token": cty.StringVal("hunter2").Mark(lang.Sensitive),
		"value": cty.ObjectVal(map[string]cty.Value{"a": cty.ListVal([]cty.Value{cty.StringVal("x")}), "b": cty.True}),
	})
	raw, marks := unmarkDeep(args)
	if len(marks) == 0 {
		t.Fatal("unmarkDeep lost the marks")
	}
	for _, names := range [][]string{{"key"}, {"key", "n", "value"}, {"token", "key"}, nil} {
		attrs := map[string]cty.Value{}
		for _, n := range names {
			attrs[n] = args.GetAttr(n)
		}
		want, err := connectors.JSON(cty.ObjectVal(attrs))
		if err != nil {
			t.Fatal(err)
		}
		wantID := string(want)
		if lang.IsSensitive(cty.ObjectVal(attrs)) {
			sum := sha256.Sum256(want)
			wantID = "sha256:" + hex.EncodeToString(sum[:16])
		}
		if got, ok := identityOf(args, raw, names, true); !ok || got != wantID {
			t.Errorf("identity of %v = %q, %v; want %q", names, got, ok, wantID)
		}
	}
	b, err := connectors.JSON(args)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got, want := digest(raw), hex.EncodeToString(sum[:16]); got != want {
		t.Errorf("digest = %s, want %s", got, want)
	}
}

// Arguments without marks are used as they are; with a mark anywhere,
// they are copied without it.
func TestUnmarkDeep(t *testing.T) {
	plain := cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("k"), "v": cty.ListVal([]cty.Value{cty.StringVal("x")})})
	if v, marks := unmarkDeep(plain); len(marks) != 0 || !v.RawEquals(plain) {
		t.Errorf("unmarked: %#v, %v", v, marks)
	}
	marked := cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("k"), "v": cty.ListVal([]cty.Value{cty.StringVal("x").Mark(lang.Sensitive)})})
	v, marks := unmarkDeep(marked)
	if _, ok := marks[lang.Sensitive]; !ok || v.ContainsMarked() || !v.RawEquals(plain) {
		t.Errorf("marked: %#v, %v", v, marks)
	}
}
