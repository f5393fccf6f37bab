// Package schema describes the attributes a connector accepts, in a
// connection block, a step body or a trigger block. One description drives
// decoding (hcldec), static type checks, `tote connectors` and the generated
// connector reference.
package schema

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Attr is one attribute.
type Attr struct {
	Name     string
	Type     cty.Type
	Required bool
	// Sensitive attributes are never printed; a value given to them is
	// treated as secret even if it was not produced by secret().
	Sensitive bool
	Doc       string
	// Enum lists the values a string attribute, or each element of a list
	// of strings, may take; tote validate checks them.
	Enum []string
	// Default is the value the connector uses when the attribute is left
	// out, as the language writes it (`"1h"`, `0.8`). It documents; the
	// connector applies it.
	Default string
	// Example is a typical value, as the language writes it.
	Example string
}

// Allows reports whether v (a string) is one of the attribute's Enum
// values; any value is allowed when there is no Enum.
func (a Attr) Allows(v string) bool {
	if len(a.Enum) == 0 {
		return true
	}
	for _, e := range a.Enum {
		if e == v {
			return true
		}
	}
	return false
}

// Object is a set of attributes, decoded into one cty object value.
type Object struct {
	Attrs []Attr
}

// Attr returns the attribute with the given name.
func (o Object) Attr(name string) (Attr, bool) {
	for _, a := range o.Attrs {
		if a.Name == name {
			return a, true
		}
	}
	return Attr{}, false
}

// Names returns the attribute names, sorted.
func (o Object) Names() []string {
	names := make([]string, 0, len(o.Attrs))
	for _, a := range o.Attrs {
		names = append(names, a.Name)
	}
	sort.Strings(names)
	return names
}

// Spec returns the hcldec specification that decodes a body into a value of
// ImpliedType. Absent optional attributes decode as null.
func (o Object) Spec() hcldec.Spec {
	spec := hcldec.ObjectSpec{}
	for _, a := range o.Attrs {
		spec[a.Name] = &hcldec.AttrSpec{Name: a.Name, Type: a.Type, Required: a.Required}
	}
	return spec
}

// ImpliedType is the object type a decoded body has.
func (o Object) ImpliedType() cty.Type {
	return hcldec.ImpliedType(o.Spec())
}

// Validate reports a malformed description: bad or duplicate names, or a
// missing type.
func (o Object) Validate() error {
	seen := map[string]bool{}
	for _, a := range o.Attrs {
		if !hclsyntax.ValidIdentifier(a.Name) {
			return fmt.Errorf("attribute %q: not a valid identifier", a.Name)
		}
		if seen[a.Name] {
			return fmt.Errorf("attribute %q: declared twice", a.Name)
		}
		seen[a.Name] = true
		if a.Type == cty.NilType {
			return fmt.Errorf("attribute %q: no type", a.Name)
		}
		if len(a.Enum) > 0 && a.Type != cty.String && !a.Type.Equals(cty.List(cty.String)) {
			return fmt.Errorf("attribute %q: an enum needs a string or a list of strings, not %s", a.Name, TypeString(a.Type))
		}
		for _, v := range []string{a.Default, a.Example} {
			if q, err := strconv.Unquote(v); a.Type == cty.String && err == nil && !a.Allows(q) {
				return fmt.Errorf("attribute %q: %s is not one of its values", a.Name, v)
			}
		}
	}
	return nil
}

// TypeString renders a type the way the language spells it.
func TypeString(t cty.Type) string {
	switch {
	case t == cty.DynamicPseudoType:
		return "any"
	case t.IsPrimitiveType():
		return t.FriendlyNameForConstraint()
	case t.IsListType():
		return "list(" + TypeString(t.ElementType()) + ")"
	case t.IsSetType():
		return "set(" + TypeString(t.ElementType()) + ")"
	case t.IsMapType():
		return "map(" + TypeString(t.ElementType()) + ")"
	case t.IsObjectType():
		names := make([]string, 0, len(t.AttributeTypes()))
		for n := range t.AttributeTypes() {
			names = append(names, n)
		}
		sort.Strings(names)
		s := "object({"
		for i, n := range names {
			if i > 0 {
				s += ", "
			}
			s += n + " = " + TypeString(t.AttributeType(n))
		}
		return s + "})"
	case t.IsTupleType():
		s := "tuple(["
		for i, et := range t.TupleElementTypes() {
			if i > 0 {
				s += ", "
			}
			s += TypeString(et)
		}
		return s + "])"
	}
	return t.FriendlyName()
}
