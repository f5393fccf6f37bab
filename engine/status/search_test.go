package status_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/status"
)

func order(id string) state.Subject { return state.Subject{Kind: "order", Value: id} }
func sku(s string) state.Subject    { return state.Subject{Kind: "sku", Value: s} }

// A search matches an order id or SKU in the fields that carry them, never
// as a part of another number or in another field.
func TestSearchMatchesFieldsNotText(t *testing.T) {
	st, deadID := deadStore(t)
	ctx := context.Background()
	res, err := st.Enqueue(ctx,
		state.NewItem{Pipeline: "orders", Trigger: "hook", Key: "e-2", Payload: []byte(`{"body":{"order_id":1101,"total":"101.00"}}`),
			Subjects: []state.Subject{order("1101")}},
		state.NewItem{Pipeline: "tracking", Trigger: "poll", Key: "e-3", Payload: []byte(`{"shipments":[{"orderNumber":"101","items":[{"sku":"SKU-RED-2"}]}]}`),
			Subjects: []state.Subject{order("101"), sku("SKU-RED-2")}},
		state.NewItem{Pipeline: "orders", Trigger: "poll", Key: "e-4", Payload: []byte(`{"order_ids":[99,101]}`),
			Subjects: []state.Subject{order("99"), order("101")}},
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutLinks(ctx,
		state.Link{Namespace: "connection.shipstation.main.upsert_order", Key: `{"orderKey":"bc:store:101"}`, Value: "94113592"},
		state.Link{Namespace: "connection.shipstation.main.upsert_order", Key: `{"orderKey":"bc:store:1101"}`, Value: "1"},
		state.Link{Namespace: "connection.bigcommerce.main.create_shipment", Key: `{"order_id":101,"tracking_number":"94001"}`, Value: "7"},
		state.Link{Namespace: "connection.bigcommerce.main.create_shipment", Key: `{"order_id":1101,"tracking_number":"101"}`, Value: "8"},
		state.Link{Namespace: "connection.bigcommerce.main.set_stock", Key: `{"sku":"SKU-RED","location_id":1}`, Value: "9"}); err != nil {
		t.Fatal(err)
	}
	ids := func(f status.Found) map[int64]bool {
		m := map[int64]bool{}
		for _, it := range f.Events {
			m[it.ID] = true
		}
		return m
	}
	f, err := status.Search(ctx, st, "101")
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(f); len(got) != 3 || !got[deadID] || !got[res[1].ID] || !got[res[2].ID] {
		t.Fatalf("order 101 found events %v, want %d, %d and %d", got, deadID, res[1].ID, res[2].ID)
	}
	if len(f.Links) != 2 || f.Links[0].Value != "7" || f.Links[1].Value != "94113592" {
		t.Fatalf("order 101's vendor ids: %+v", f.Links)
	}
	f, err = status.Search(ctx, st, "SKU-RED")
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(f); len(got) != 1 || !got[deadID] {
		t.Fatalf("SKU-RED found %v", got)
	}
	if len(f.Links) != 1 || f.Links[0].Value != "9" {
		t.Fatalf("SKU-RED's vendor ids: %+v", f.Links)
	}
	if f, _ := status.Search(ctx, st, "1_1%"); len(f.Events) != 0 {
		t.Fatalf("LIKE wildcards matched: %v", ids(f))
	}
}

// An order is found among many events whose payloads hold its id as part
// of other numbers, however many and however new they are.
func TestSearchFindsAnExactSubjectAmongMany(t *testing.T) {
	st, _ := deadStore(t)
	ctx := context.Background()
	target, err := st.Enqueue(ctx, state.NewItem{Pipeline: "orders", Trigger: "hook", Key: "target",
		Payload: []byte(`{"body":{"order_id":1234}}`), Subjects: []state.Subject{order("1234")}})
	if err != nil {
		t.Fatal(err)
	}
	var others []state.NewItem
	for i := range 20 * 50 {
		id := fmt.Sprintf("1234%03d", i)
		others = append(others, state.NewItem{Pipeline: "orders", Trigger: "hook", Key: "e-" + id,
			Payload: []byte(`{"body":{"order_id":` + id + `}}`), Subjects: []state.Subject{order(id)}})
	}
	if _, err := st.Enqueue(ctx, others...); err != nil {
		t.Fatal(err)
	}
	f, err := status.Search(ctx, st, "1234")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Events) != 1 || f.Events[0].ID != target[0].ID {
		var ids []int64
		for _, it := range f.Events {
			ids = append(ids, it.ID)
		}
		t.Fatalf("order 1234 found events %v, want only %d", ids, target[0].ID)
	}
}
