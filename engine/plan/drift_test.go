package plan

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestDriftNamesChangedFields(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	saved := []Field{
		{Path: "name", Before: raw(`"Ada"`), After: raw(`"Ada L"`)},
		{Path: "qty", Before: raw(`1`), After: raw(`2`)},
		{Path: "token", Sensitive: true},
		{Path: "gone", Before: raw(`true`)},
	}
	now := []Field{
		{Path: "name", Before: raw(`"Ada"`), After: raw(`"Ada  L"`)},
		{Path: "qty", Before: raw(` 5 `), After: raw(`2`)},
		{Path: "token", Sensitive: true},
		{Path: "new", Before: raw(`"x"`)},
	}
	if got, want := Drift(saved, now, false), []string{"qty", "new", "gone"}; !reflect.DeepEqual(got, want) {
		t.Errorf("before drift = %v, want %v", got, want)
	}
	if got, want := Drift(saved, now, true), []string{"name"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after drift = %v, want %v", got, want)
	}
	if got := DriftText([]string{"a", "b", "c", "d", "e", "f", "g"}); got != "a, b, c, d, e and 2 more differ" {
		t.Errorf("DriftText = %q", got)
	}
}
