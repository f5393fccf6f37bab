package pager

import (
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors"
)

func TestNextStopsAtTheCap(t *testing.T) {
	p := New("GET /things", 3)
	for want := 1; want <= 3; want++ {
		if n, err := p.Next(); err != nil || n != want {
			t.Fatalf("Next = %d, %v; want %d", n, err, want)
		}
	}
	_, err := p.Next()
	if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "GET /things: the list did not end after 3 pages") {
		t.Fatalf("past the cap: %v", err)
	}
}

func TestCheckRefusesPagesThatDoNotAdvance(t *testing.T) {
	p := New("GET /things", 0)
	p.Next()
	if err := p.Check(1, []byte(`[{"id":1}]`)); err != nil {
		t.Fatal(err)
	}
	p.Next()
	if err := p.Check(0, []byte(`[{"id":1}]`)); err == nil || !strings.Contains(err.Error(), "page 2 repeats page 1") {
		t.Fatalf("a repeated page: %v", err)
	}
	q := New("GET /things", 0)
	q.Next()
	q.Next()
	if err := q.Check(1, []byte(`[{"id":2}]`)); err == nil || !strings.Contains(err.Error(), "asked for page 2, the answer is page 1") {
		t.Fatalf("another page named: %v", err)
	}
	if connectors.IsPermanent(q.Check(1, nil)) {
		t.Fatal("a stuck vendor may recover: the error must not be permanent")
	}
}
