package state

import (
	"database/sql/driver"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestDriverValueAsDatabaseSQL checks that the writer's own argument
// conversion gives what database/sql's would, for the kinds state writes.
func TestDriverValueAsDatabaseSQL(t *testing.T) {
	var nilInt *int
	seven := 7
	for _, a := range []any{
		nil, 0, 300, -1, int64(1 << 40), int32(5), uint8(9), "text", ItemDone, IntentFailed,
		[]byte("raw"), json.RawMessage(`{"a":1}`), true, 1.5, time.Unix(1, 2).UTC(), nilInt, &seven,
	} {
		want, werr := driver.DefaultParameterConverter.ConvertValue(a)
		got, gerr := driverValue(a)
		if (werr != nil) != (gerr != nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("driverValue(%T %v) = %T %v, %v; database/sql gives %T %v, %v", a, a, got, got, gerr, want, want, werr)
		}
	}
}
