package run

import "github.com/zclconf/go-cty/cty"

// containsMarked is v.ContainsMarked, and whollyKnown v.IsWhollyKnown,
// without their allocations: cty builds a path and a sorted list of an
// object's attribute names at every level, which a yes-or-no answer needs
// neither of. Every step's arguments are checked with them. An unknown
// value, whose refinements may carry marks, is left to cty.
func containsMarked(v cty.Value) bool {
	switch {
	case v.IsMarked():
		return true
	case v.IsNull():
		return false
	case !v.IsKnown():
		return v.ContainsMarked()
	case v.Type().IsObjectType():
		for name := range v.Type().AttributeTypes() {
			if containsMarked(v.GetAttr(name)) {
				return true
			}
		}
	case v.CanIterateElements():
		for it := v.ElementIterator(); it.Next(); {
			if _, e := it.Element(); containsMarked(e) {
				return true
			}
		}
	}
	return false
}

func whollyKnown(v cty.Value) bool {
	switch {
	case v.IsMarked():
		return v.IsWhollyKnown()
	case !v.IsKnown():
		return false
	case v.IsNull():
		return true
	case v.Type().IsObjectType():
		for name := range v.Type().AttributeTypes() {
			if !whollyKnown(v.GetAttr(name)) {
				return false
			}
		}
	case v.CanIterateElements():
		for it := v.ElementIterator(); it.Next(); {
			if _, e := it.Element(); !whollyKnown(e) {
				return false
			}
		}
	}
	return true
}
