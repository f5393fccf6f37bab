package state

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Subjects are indexed for new items only: a duplicate delivery adds none,
// and a search finds exactly the items that named the subject.
func TestItemsConcerning(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		order := Subject{Kind: "order", Value: "100"}
		res, err := s.Enqueue(ctx,
			NewItem{Pipeline: "orders", Trigger: "hook", Key: "a", Subjects: []Subject{order}},
			NewItem{Pipeline: "tracking", Trigger: "hook", Key: "b", Subjects: []Subject{order, {Kind: "sku", Value: "SKU-1"}}},
			NewItem{Pipeline: "orders", Trigger: "hook", Key: "c", Subjects: []Subject{{Kind: "order", Value: "101"}}})
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		dup, err := s.Enqueue(ctx, NewItem{Pipeline: "orders", Trigger: "hook", Key: "c", Subjects: []Subject{order}})
		if err != nil || !dup[0].Duplicate {
			t.Fatalf("duplicate = %+v, %v", dup, err)
		}
		ids := func(f SearchFilter, sub Subject) []int64 {
			t.Helper()
			items, err := s.ItemsConcerning(ctx, sub, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, it := range items {
				out = append(out, it.ID)
			}
			return out
		}
		if got := ids(SearchFilter{}, order); len(got) != 2 || got[0] != res[1].ID || got[1] != res[0].ID {
			t.Errorf("order 100 = %v, want [%d %d] (a duplicate adds no subject)", got, res[1].ID, res[0].ID)
		}
		if got := ids(SearchFilter{Pipeline: "tracking"}, order); len(got) != 1 || got[0] != res[1].ID {
			t.Errorf("order 100 in tracking = %v", got)
		}
		if got := ids(SearchFilter{}, Subject{Kind: "sku", Value: "SKU-1"}); len(got) != 1 {
			t.Errorf("SKU-1 = %v", got)
		}
		if got := ids(SearchFilter{Since: clock.Now()}, order); len(got) != 0 {
			t.Errorf("order 100 since the last hour = %v, want none", got)
		}
	})
}

// Rejections are kept newest first, bounded, and cut to size.
func TestRejectionsAreBounded(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		for i := 0; i < KeepRejections+5; i++ {
			path := "/hooks/p/t"
			if i == KeepRejections+4 {
				path = "/hooks/" + strings.Repeat("x", 500)
			}
			if err := s.RecordRejection(ctx, Rejection{Path: path, Status: 401, Reason: "bad signature"}); err != nil {
				t.Fatal(err)
			}
		}
		rs, err := s.Rejections(ctx, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != KeepRejections {
			t.Fatalf("kept %d rejections, want %d", len(rs), KeepRejections)
		}
		if len(rs[0].Path) > 210 || !strings.HasSuffix(rs[0].Path, "...") {
			t.Errorf("newest path = %d bytes, want it cut: %q", len(rs[0].Path), rs[0].Path[:20])
		}
	})
}

// A failed search names what it searched for.
func TestItemsConcerningErrorNamesTheSubjects(t *testing.T) {
	s, _ := openTest(t)
	s.Close()
	_, err := s.ItemsConcerningAny(context.Background(), []Subject{{Kind: "order", Value: "100"}, {Kind: "sku", Value: "SKU-1"}}, SearchFilter{})
	if err == nil || !strings.Contains(err.Error(), "items concerning order 100 or sku SKU-1") {
		t.Fatalf("err = %v", err)
	}
}

// CutText keeps the longest valid UTF-8 prefix of the first n bytes: a
// character cut in two, and everything from an invalid byte on, go.
func TestCutText(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 4, "abcd..."},
		{"ab\u00e9cd", 3, "ab..."},       // é is 2 bytes, cut after its first
		{"ab\ufffdcd", 5, "ab\ufffd..."}, // a real U+FFFD is kept
		{"a\xffbcdef", 4, "a..."},        // an invalid byte ends the text kept
		{"\xed\xa0\x80abcdef", 4, "..."}, // so does an encoded surrogate
		{strings.Repeat("\xff", 2000), 1024, "..."},
	} {
		if got := CutText(c.s, c.n); got != c.want {
			t.Errorf("CutText(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}
