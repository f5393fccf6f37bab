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

// SubjectSet collects an event's subjects, each once, in the order first
// added. The zero value is ready to use.
type SubjectSet struct {
	list []Subject
	seen map[Subject]bool
}

// Add adds v as a subject of kind when it is a known string or number
// (written in full, as an integer when it is one); empty strings and
// other values are not subjects.
func (s *SubjectSet) Add(kind string, v cty.Value) {
	if v.IsNull() || !v.IsKnown() {
		return
	}
	sub := Subject{Kind: kind}
	switch v.Type() {
	case cty.String:
		sub.Value = v.AsString()
	case cty.Number:
		sub.Value = v.AsBigFloat().Text('f', -1)
	default:
		return
	}
	if sub.Value == "" || s.seen[sub] {
		return
	}
	if s.seen == nil {
		s.seen = map[Subject]bool{}
	}
	s.seen[sub] = true
	s.list = append(s.list, sub)
}

// List returns the subjects added, nil when none were.
func (s *SubjectSet) List() []Subject { return s.list }
