package sandbox

import (
	"strconv"
	"strings"

	"github.com/toteworks/tote/connectors/orderkey"
)

// ParkedWrite is a write tote parked because its outcome is unknown: it
// may or may not have happened, cannot be read back, and waits for a
// person. The verdict counts such a write as parked, not lost, when the
// vendor does not show it.
type ParkedWrite struct {
	// Action is the connector's action, e.g. "send" or "adjust_stock".
	Action string
	// Identity is the write's identity arguments, as the ledger keeps them.
	Identity map[string]any
}

// parkedTake reports whether a relative stock change for reason and sku
// is parked.
func (e Expectations) parkedTake(reason, sku string) bool {
	for _, p := range e.Parked {
		if p.Action == "adjust_stock" && p.Identity["reference"] == reason && strings.EqualFold(str(p.Identity["sku"]), sku) {
			return true
		}
	}
	return false
}

// parkedEmails counts the parked emails of one order and kind, read from
// the keys the shipped pipelines give them: "exception:<order>:<reason>:…"
// and "return:<ShipStation order>[:<parcel>]".
func (e Expectations) parkedEmails(f *Fakes, orderID int, kind string) int {
	n := 0
	for _, p := range e.Parked {
		if p.Action != "send" {
			continue
		}
		parts := strings.Split(str(p.Identity["key"]), ":")
		switch {
		case len(parts) >= 3 && parts[0] == "exception" && parts[1] == strconv.Itoa(orderID) && mailKind[parts[2]] == kind:
			n++
		case len(parts) >= 2 && parts[0] == "return" && kind == "return":
			ssID, err := strconv.ParseInt(parts[1], 10, 64)
			if err != nil {
				continue
			}
			if o, ok := f.ShipStation.Order(ssID); ok && o.OrderKey == (orderkey.Key{StoreHash: StoreHash, OrderID: int64(orderID)}).String() {
				n++
			}
		}
	}
	return n
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
