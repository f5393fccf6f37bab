package plan

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
)

func samplePlan(runs int) *Plan {
	p := &Plan{FormatVersion: FormatVersion, ToteVersion: "test", ConfigHash: "abc", CreatedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
		Cursors: map[string]string{"orders.sweep": "v1|1|"}, PublicURL: "https://tote.example.com",
		Subscriptions: []*Subscription{{Connection: "bigcommerce.main", Op: connectors.OpCreate, Topic: "store/order/created", URL: "https://tote.example.com/hooks/orders/changed"}},
		Variables:     map[string]Variable{"importable": {Value: json.RawMessage(`[11]`)}}}
	for i := 0; i < runs; i++ {
		r := &Run{Pipeline: "orders", Trigger: "sweep", EventKey: "poll/orders:" + string(rune('a'+i%26)), Event: json.RawMessage(`{"ids":[1,2]}`),
			Reads: []Read{{Address: "step.orders", Action: "bigcommerce.get_orders"}}}
		switch i % 4 {
		case 0:
			r.Changes = []*Change{{Address: "step.upsert[\"1\"]", Action: "shipstation.upsert_order", Op: connectors.OpCreate,
				Fields: []Field{{Path: "orderNumber", After: json.RawMessage(`"1"`), Changed: true}}}}
		case 1:
			r.Changes = []*Change{{Address: "step.upsert[\"2\"]", Op: connectors.OpNoop}, {Address: "step.upsert[\"3\"]", Op: connectors.OpUpdate}}
		case 2:
			r.Errors = []Failure{{Address: "step.orders", Error: "boom"}}
			r.Changes = []*Change{{Address: "step.upsert[\"4\"]", Op: connectors.OpCreate}}
		case 3:
			r.Waiting = []Failure{{Address: "step.ship", Error: "not yet"}}
		}
		p.Runs = append(p.Runs, r)
	}
	return p
}

// A streamed plan file is the JSON that encoding the whole plan gives, and
// reads back run by run to the same plan and the same tallies.
func TestWriterWritesTheSavedPlanAndFileReadsItBack(t *testing.T) {
	p := samplePlan(9)
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := p.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.MarshalIndent(p, "", "  ")
	if string(got) != string(want)+"\n" {
		t.Fatalf("streamed plan differs from the encoded plan:\n%s\nwant:\n%s", got, want)
	}

	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path) // the whole plan, as decoded at once
	if err != nil {
		t.Fatal(err)
	}
	head := *loaded
	head.Runs = nil
	if !reflect.DeepEqual(f.Head(), &head) {
		t.Fatalf("head %+v, want %+v", f.Head(), &head)
	}
	sum := f.Summary()
	if sum.Create != 5 || sum.Update != 2 || sum.Noop != 2 || sum.Runs != 9 || sum.FailedRuns != 2 || sum.Failures != 2 ||
		sum.Waiting != 2 || sum.ToApply["orders"] != 5 {
		t.Fatalf("summary %+v", sum)
	}
	if want := p.Summary(); !reflect.DeepEqual(sum, want) {
		t.Fatalf("file summary %+v, in-memory summary %+v", sum, want)
	}
	var runs []*Run
	if err := f.EachRun(func(r *Run) error { runs = append(runs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(runs, loaded.Runs) {
		t.Fatalf("runs read back differ")
	}
	stop := errors.New("stop")
	n := 0
	if err := f.EachRun(func(*Run) error { n++; return stop }); err != stop || n != 1 {
		t.Fatalf("EachRun after fn's error: %v after %d runs", err, n)
	}
}

func TestOpenRefusesOtherFormatsAndNonPlans(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"v2.json":    `{"format_version": 2, "runs": []}`,
		"none.json":  `{"runs": []}`,
		"list.json":  `[1, 2]`,
		"runs.json":  `{"format_version": 1, "runs": {"a": 1}}`,
		"trunc.json": `{"format_version": 1, "runs": [{"pipeline": "orders"}`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(path)
		if err == nil {
			t.Errorf("%s: opened", name)
			continue
		}
		if strings.HasPrefix(name, "v2") || strings.HasPrefix(name, "none") {
			if !strings.Contains(err.Error(), "this tote reads format 1") {
				t.Errorf("%s: %v", name, err)
			}
		} else if !strings.Contains(err.Error(), "is not a saved plan") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
