package run

import (
	"encoding/json"
	"fmt"

	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/valjson"
	"github.com/zclconf/go-cty/cty"
)

// EncodeEvent renders event data as typed JSON for the inbox and plans.
func EncodeEvent(t *compile.Trigger, data cty.Value) json.RawMessage {
	return encodePlain(t, unmarked(data))
}

func encodePlain(t *compile.Trigger, data cty.Value) json.RawMessage {
	b, err := valjson.Marshal(data, t.Event())
	if err != nil {
		return nil
	}
	return b
}

// unmarked is v without marks. A connector's event has none: walking it
// is cheaper than UnmarkDeep's copy of it.
func unmarked(v cty.Value) cty.Value {
	if v.ContainsMarked() {
		v, _ = v.UnmarkDeep()
	}
	return v
}

// DecodeEvent reads event data written by EncodeEvent.
func DecodeEvent(t *compile.Trigger, b []byte) (cty.Value, error) {
	if len(b) == 0 {
		return cty.NullVal(t.Event()), nil
	}
	v, err := valjson.Unmarshal(b, t.Event())
	if err != nil {
		return cty.NilVal, fmt.Errorf("event of trigger %s: %w", t.Name, err)
	}
	return v, nil
}
