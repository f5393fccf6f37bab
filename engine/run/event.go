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
	data, _ = data.UnmarkDeep()
	b, err := valjson.Marshal(data, t.Event())
	if err != nil {
		return nil
	}
	return b
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
