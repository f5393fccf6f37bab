package shipstation

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// The cty types of actions and triggers are derived from the client's
// models, so a field exists in a pipeline exactly when the client sends or
// reads it. Input types leave out read-only fields and make every
// attribute optional; output types have every field.

var (
	moneyGo = reflect.TypeFor[Money]()
	stampGo = reflect.TypeFor[Stamp]()
	dayGo   = reflect.TypeFor[Day]()
)

// jsonName is a struct field's attribute name: its cty tag, else its JSON
// name; "" when it has none.
func jsonName(f reflect.StructField) string {
	if name := f.Tag.Get("cty"); name != "" && f.IsExported() {
		return name
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

func skipped(f reflect.StructField, input bool) bool {
	return jsonName(f) == "" || (input && f.Tag.Get("ss") == "ro")
}

// typeOf is the cty type of a model type.
func typeOf(t reflect.Type, input bool) cty.Type {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case moneyGo:
		return cty.Number
	case stampGo, dayGo:
		return cty.String
	}
	switch t.Kind() {
	case reflect.String:
		return cty.String
	case reflect.Bool:
		return cty.Bool
	case reflect.Int, reflect.Int64, reflect.Float64:
		return cty.Number
	case reflect.Slice:
		return cty.List(typeOf(t.Elem(), input))
	case reflect.Struct:
		attrs := map[string]cty.Type{}
		var optional []string
		for i := range t.NumField() {
			f := t.Field(i)
			if skipped(f, input) {
				continue
			}
			attrs[jsonName(f)] = typeOf(f.Type, input)
			optional = append(optional, jsonName(f))
		}
		if input {
			return cty.ObjectWithOptionalAttrs(attrs, optional)
		}
		return cty.Object(attrs)
	}
	panic(fmt.Sprintf("shipstation: no cty type for %s", t))
}

// outType and inType are typeOf for a value of type T.
func outType[T any]() cty.Type { return typeOf(reflect.TypeFor[T](), false) }
func inType[T any]() cty.Type  { return typeOf(reflect.TypeFor[T](), true) }

// toCty converts a model value to cty: times become RFC 3339 in UTC,
// amounts exact numbers. With input set, read-only fields are left out.
func toCty(v any, input bool) cty.Value { return valueOf(reflect.ValueOf(proven(v)), input) }

func valueOf(v reflect.Value, input bool) cty.Value {
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		if v.IsNil() {
			return cty.NullVal(typeOf(t, input).WithoutOptionalAttributesDeep())
		}
		v, t = v.Elem(), t.Elem()
	}
	switch t {
	case moneyGo:
		return cty.MustParseNumberVal(v.Interface().(Money).String())
	case stampGo:
		return cty.StringVal(v.Interface().(Stamp).view())
	case dayGo:
		return cty.StringVal(v.Interface().(Day).String())
	}
	switch t.Kind() {
	case reflect.String:
		return cty.StringVal(v.String())
	case reflect.Bool:
		return cty.BoolVal(v.Bool())
	case reflect.Int, reflect.Int64:
		return cty.NumberIntVal(v.Int())
	case reflect.Float64:
		return cty.NumberFloatVal(v.Float())
	case reflect.Slice:
		et := typeOf(t.Elem(), input).WithoutOptionalAttributesDeep()
		if v.Len() == 0 {
			if v.IsNil() {
				return cty.NullVal(cty.List(et))
			}
			return cty.ListValEmpty(et)
		}
		vals := make([]cty.Value, v.Len())
		for i := range vals {
			vals[i] = valueOf(v.Index(i), input)
		}
		return cty.ListVal(vals)
	case reflect.Struct:
		attrs := map[string]cty.Value{}
		for i := range t.NumField() {
			f := t.Field(i)
			if skipped(f, input) {
				continue
			}
			attrs[jsonName(f)] = valueOf(v.Field(i), input)
		}
		return cty.ObjectVal(attrs)
	}
	panic(fmt.Sprintf("shipstation: no cty value for %s", t))
}

// listOf converts a slice of models to a cty list (empty, never null).
func listOf[T any](items []T) cty.Value {
	if len(items) == 0 {
		return cty.ListValEmpty(outType[T]())
	}
	vals := make([]cty.Value, len(items))
	for i := range items {
		vals[i] = toCty(items[i], false)
	}
	return cty.ListVal(vals)
}

// fromCty decodes an argument value into a model, through JSON so that the
// models' own decoders (times, amounts) apply.
func fromCty(v cty.Value, dst any) error {
	if v.IsNull() {
		return nil
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}
