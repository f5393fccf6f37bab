package connectors

import "github.com/zclconf/go-cty/cty"

// Subject is a record an event concerns, named as the merchant knows it,
// so that `tote runs -order 123` finds every event about order 123.
type Subject struct {
	Kind  string // SubjectOrder or SubjectSKU
	Value string
}

// Subject kinds.
const (
	// SubjectOrder is a BigCommerce order id, which tote's ShipStation
	// orders carry as their order number.
	SubjectOrder = "order"
	// SubjectSKU is a product SKU.
	SubjectSKU = "sku"
)

// SubjectFunc names the subjects of one event of a trigger.
type SubjectFunc func(event cty.Value) []Subject

// SubjectsOf returns what an event of trigger spec t concerns, nil when
// the connector does not say. It never fails: an event it cannot read
// concerns nothing it can name.
func SubjectsOf(t TriggerSpec, event cty.Value) []Subject {
	if t.Subjects == nil || event.IsNull() || !event.IsWhollyKnown() {
		return nil
	}
	return t.Subjects(event)
}
