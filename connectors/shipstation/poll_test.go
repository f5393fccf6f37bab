package shipstation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
)

func TestPacificTimeAcrossDaylightSaving(t *testing.T) {
	for in, want := range map[string]string{
		"2024-03-10 01:30:00":         "2024-03-10T09:30:00Z", // PST, before spring forward
		"2024-03-10T03:30:00.0000000": "2024-03-10T10:30:00Z", // PDT, after
		"2024-11-03T00:30:00":         "2024-11-03T07:30:00Z", // PDT
		"2024-11-03 02:30:00":         "2024-11-03T10:30:00Z", // PST
		"2024-11-03T12:00:00+01:00":   "2024-11-03T11:00:00Z", // an offset is honoured
	} {
		got, err := parseTime(in)
		if err != nil || got.UTC().Format(time.RFC3339) != want {
			t.Errorf("parseTime(%q) = %v, %v; want %s", in, got.UTC(), err, want)
		}
	}
	for in, want := range map[string]string{
		"2024-11-03T08:30:00Z": "2024-11-03 01:30:00", // first 01:30 (PDT)
		"2024-11-03T09:30:00Z": "2024-11-03 01:30:00", // second 01:30 (PST)
		"2024-03-10T10:00:00Z": "2024-03-10 03:00:00",
		"2024-06-05T17:00:00Z": "2024-06-05 10:00:00",
	} {
		tm, _ := time.Parse(time.RFC3339, in)
		if got := wall(tm); got != want {
			t.Errorf("wall(%s) = %s, want %s", in, got, want)
		}
	}
	var s Stamp
	if err := json.Unmarshal([]byte(`"2024-01-15T08:00:00.1230000"`), &s); err != nil || s.view() != "2024-01-15T16:00:00.123Z" {
		t.Errorf("stamp %s, %v", s.view(), err)
	}
	if b, _ := json.Marshal(s); string(b) != `"2024-01-15 08:00:00"` {
		t.Errorf("stamp on the wire: %s", b)
	}
	var d Day
	if err := json.Unmarshal([]byte(`"2024-11-04T06:00:00Z"`), &d); err != nil || d.String() != "2024-11-03" {
		t.Errorf("day %s, %v", d, err)
	}
}

func pollArgs(t *testing.T, resource string) cty.Value {
	return triggerArgs(t, "shipstation_poll", map[string]cty.Value{"resource": cty.StringVal(resource)})
}

func TestPollOrdersAcrossTheAutumnChange(t *testing.T) {
	e := newEnv(t, envOpts{})
	first := time.Date(2024, 11, 3, 8, 20, 0, 0, time.UTC) // 01:20 PDT
	e.clock.Set(first)
	e.upsert("a", "D-1", nil)
	e.clock.Set(first.Add(time.Hour)) // 01:20 PST: the same wall time
	e.upsert("b", "D-2", nil)
	to := first.Add(time.Hour + 5*time.Minute)
	evs, cursor, err := e.conn.Poll(context.Background(), "shipstation_poll", pollArgs(t, "orders"),
		connectors.Window{From: first.Add(-10 * time.Minute), To: to})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, ev := range evs {
		keys = append(keys, ev.Data.GetAttr("orders").Index(cty.NumberIntVal(0)).GetAttr("orderKey").AsString())
	}
	if strings.Join(keys, ",") != "a,b" {
		t.Errorf("orders %v, want a,b", keys)
	}
	if cursor != to.Format(time.RFC3339Nano) {
		t.Errorf("cursor %s", cursor)
	}
	// Resuming from the cursor overlaps (here by the repeated hour too);
	// the keys of records seen again are the same, so they dedupe.
	again, _, err := e.conn.Poll(context.Background(), "shipstation_poll", pollArgs(t, "orders"), connectors.Window{Cursor: cursor, To: to.Add(time.Minute)})
	if err != nil || len(again) == 0 {
		t.Fatalf("resumed poll: %v, %v", again, err)
	}
	for _, ev := range again {
		if ev.Key != evs[0].Key && ev.Key != evs[1].Key {
			t.Errorf("resumed poll has a new key %s", ev.Key)
		}
	}
}

func TestPollShipmentsAndVoids(t *testing.T) {
	e := newEnv(t, envOpts{})
	_, out := e.upsert("k", "V-1", nil)
	id, _ := out.GetAttr("id").AsBigFloat().Int64()
	sh, err := e.fake.Ship(id, shipstationtest.ShipRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	evs, cursor, err := e.conn.Poll(ctx, "shipstation_poll", pollArgs(t, "shipments"), connectors.Window{})
	if err != nil || len(evs) != 1 || evs[0].Key != "shipment:"+itoa(sh.ShipmentID) {
		t.Fatalf("events %v, %v", evs, err)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.fake.VoidShipment(sh.ShipmentID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	evs, _, err = e.conn.Poll(ctx, "shipstation_poll", pollArgs(t, "shipments"), connectors.Window{Cursor: cursor})
	if err != nil || len(evs) != 1 || evs[0].Key != "shipment:"+itoa(sh.ShipmentID)+":voided" {
		t.Fatalf("after the void: %v, %v", evs, err)
	}
	if _, _, err := e.conn.Poll(ctx, "shipstation_poll", pollArgs(t, "tagged_orders"), connectors.Window{}); !connectors.IsPermanent(err) {
		t.Errorf("tagged_orders without tag: %v", err)
	}
}

func TestPollTaggedOrdersAndFulfillments(t *testing.T) {
	e := newEnv(t, envOpts{})
	_, out := e.upsert("k", "T-1", nil)
	id, _ := out.GetAttr("id").AsBigFloat().Int64()
	if err := e.fake.TagOrder(id, "Return Received"); err != nil {
		t.Fatal(err)
	}
	a := triggerArgs(t, "shipstation_poll", map[string]cty.Value{"resource": cty.StringVal("tagged_orders"), "tag": cty.StringVal("Return Received")})
	evs, _, err := e.conn.Poll(context.Background(), "shipstation_poll", a, connectors.Window{})
	if err != nil || len(evs) != 1 || !strings.HasPrefix(evs[0].Key, "tagged:Return Received:"+itoa(id)+":") {
		t.Fatalf("events %v, %v", evs, err)
	}
	evs, _, err = e.conn.Poll(context.Background(), "shipstation_poll", pollArgs(t, "fulfillments"), connectors.Window{})
	if err != nil || len(evs) != 0 {
		t.Fatalf("fulfillments %v, %v", evs, err)
	}
}

// PollPages reads a window of orders a ShipStation page at a time, handing
// over the same events Poll returns, and resumes from the same cursor.
func TestPollPagesHandsOverOrdersAPageAtATime(t *testing.T) {
	e := newEnv(t, envOpts{})
	const n = 2*pageSize + 100
	e.fake.AddStore(shipstationtest.Store{StoreName: shipstationtest.ForeignMarketplaceStore, MarketplaceID: 2, MarketplaceName: "Amazon", Active: true})
	for i := range n {
		if _, err := e.fake.AddForeignOrder(shipstationtest.ForeignOrder{Number: fmt.Sprintf("P-%04d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	now := e.clock.Now()
	w := connectors.Window{From: now.Add(-time.Hour), To: now.Add(time.Minute)}
	ctx := context.Background()
	whole, wantCursor, err := e.conn.Poll(ctx, "shipstation_poll", pollArgs(t, "orders"), w)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	var sizes []int
	cursor, err := connectors.PagePoller(e.conn).PollPages(ctx, "shipstation_poll", pollArgs(t, "orders"), w, func(evs []connectors.Event) error {
		sizes = append(sizes, len(evs))
		for _, ev := range evs {
			keys = append(keys, ev.Key)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) < n || len(keys) != len(whole) || cursor != wantCursor {
		t.Fatalf("PollPages: %d events, cursor %s; Poll: %d events, cursor %s", len(keys), cursor, len(whole), wantCursor)
	}
	for i, ev := range whole {
		if keys[i] != ev.Key {
			t.Fatalf("event %d: %s, Poll has %s", i, keys[i], ev.Key)
		}
	}
	if len(sizes) != 3 || sizes[0] != pageSize {
		t.Fatalf("pages of %v, want three of up to %d", sizes, pageSize)
	}
}
