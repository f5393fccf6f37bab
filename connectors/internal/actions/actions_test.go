package actions_test

import (
	"context"
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/internal/actions"
	"github.com/zclconf/go-cty/cty"
)

type conn struct{ reads int }

func read(c *conn, _ context.Context, args cty.Value) (cty.Value, error) {
	c.reads++
	return args, nil
}

func TestTableDispatchesBySpec(t *testing.T) {
	tbl := actions.New("v", []actions.Action[*conn]{
		{Spec: connectors.ActionSpec{Name: "get", Kind: connectors.Read}, Read: read},
	})
	if specs := tbl.Specs(); len(specs) != 1 || specs[0].Name != "get" {
		t.Fatalf("specs = %+v", specs)
	}
	c := &conn{}
	if v, err := tbl.Read(c, context.Background(), "get", cty.StringVal("x")); err != nil || v.AsString() != "x" || c.reads != 1 {
		t.Fatalf("read: %v %v, %d reads", v, err, c.reads)
	}
	_, err := tbl.Plan(c, context.Background(), "get", cty.NilVal)
	if err == nil || !connectors.IsPermanent(err) || !strings.Contains(err.Error(), `v: no write action "get"`) {
		t.Errorf("planning a read: %v", err)
	}
}

func TestTableRefusesMismatchedActions(t *testing.T) {
	for name, a := range map[string]actions.Action[*conn]{
		"read without Read":  {Spec: connectors.ActionSpec{Name: "a", Kind: connectors.Read}},
		"write with Read":    {Spec: connectors.ActionSpec{Name: "a", Kind: connectors.Write}, Read: read},
		"write without Plan": {Spec: connectors.ActionSpec{Name: "a", Kind: connectors.Write}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			actions.New("v", []actions.Action[*conn]{a})
		}()
	}
}
