package email

import (
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"net/mail"
	"strings"
	texttemplate "text/template"

	"github.com/shopspring/decimal"
	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// render turns email.send arguments into the message they describe: an
// object with to, subject and text, and cc, reply_to and html when given.
// It is the plan's After and the source of what ApplyWrite sends. A field
// whose inputs are not known yet (during plan) is unknown. Template and
// address errors are permanent: retrying cannot fix them.
func render(args cty.Value) (cty.Value, error) {
	data := attr(args, "data")
	out := map[string]cty.Value{}
	for _, name := range []string{"to", "cc", "reply_to"} {
		v := attr(args, name)
		if v.IsNull() {
			if name == "to" {
				return cty.NilVal, connectors.Permanent(fmt.Errorf("email: to is empty"))
			}
			continue
		}
		if v.IsKnown() {
			if _, err := addressList(name, v.AsString()); err != nil {
				return cty.NilVal, err
			}
			v = cty.StringVal(strings.TrimSpace(v.AsString()))
		}
		out[name] = v
	}
	for _, name := range []string{"subject", "text", "html"} {
		src := attr(args, name)
		switch {
		case src.IsNull() && name == "html":
			continue
		case src.IsNull():
			return cty.NilVal, connectors.Permanent(fmt.Errorf("email: %s is missing", name))
		case !src.IsKnown() || !data.IsWhollyKnown():
			out[name] = cty.UnknownVal(cty.String)
			continue
		}
		s, err := execute(name, src.AsString(), data)
		if err != nil {
			return cty.NilVal, err
		}
		if name == "subject" {
			// A subject is one header line: a line break in it would end
			// the header (or inject another).
			s = strings.Join(strings.Fields(s), " ")
		}
		out[name] = cty.StringVal(s)
	}
	return cty.ObjectVal(out), nil
}

// addressList parses one address or a comma-separated list (RFC 5322).
func addressList(field, s string) ([]*mail.Address, error) {
	if strings.TrimSpace(s) == "" {
		return nil, connectors.Permanent(fmt.Errorf("email: %s is empty", field))
	}
	list, err := mail.ParseAddressList(s)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("email: %s %q: %w", field, s, err))
	}
	return list, nil
}

// funcs are the functions templates may call besides the built-in ones.
var funcs = map[string]any{"money": money}

// execute runs one template over data: html/template for the html body,
// text/template otherwise. A missing key is an error rather than an empty
// string, so a misspelt field does not reach a customer as a blank.
func execute(name, src string, data cty.Value) (string, error) {
	input := goValue(data)
	if data.IsNull() {
		input = map[string]any{}
	}
	var b strings.Builder
	var err error
	if name == "html" {
		var t *htmltemplate.Template
		if t, err = htmltemplate.New(name).Option("missingkey=error").Funcs(funcs).Parse(src); err == nil {
			err = t.Execute(&b, input)
		}
	} else {
		var t *texttemplate.Template
		if t, err = texttemplate.New(name).Option("missingkey=error").Funcs(funcs).Parse(src); err == nil {
			err = t.Execute(&b, input)
		}
	}
	if err != nil {
		// The template packages' errors name the template and its line,
		// e.g. `template: text:3: function "totl" not defined`.
		return "", connectors.Permanent(fmt.Errorf("email: %w", err))
	}
	return b.String(), nil
}

// money formats an amount with two decimals, exactly: {{money .total}}
// turns "12.5000" (as vendors send money) or 12.5 into "12.50".
func money(v any) (string, error) {
	s := fmt.Sprint(v)
	d, err := decimal.NewFromString(s)
	if err != nil {
		return "", fmt.Errorf("money: %q is not a number", s)
	}
	return d.StringFixed(2), nil
}

// goValue converts template data to the maps, slices and scalars templates
// expect. Numbers become json.Number, which prints their exact decimal
// text (never a float64's approximation). A null scalar becomes "" so it
// renders as nothing and tests false in {{if}}.
func goValue(v cty.Value) any {
	t := v.Type()
	if v.IsNull() {
		switch {
		case t.IsListType() || t.IsSetType() || t.IsTupleType():
			return []any(nil)
		case t.IsMapType() || t.IsObjectType():
			return map[string]any(nil)
		}
		return ""
	}
	switch {
	case t == cty.String:
		return v.AsString()
	case t == cty.Number:
		return json.Number(v.AsBigFloat().Text('f', -1))
	case t == cty.Bool:
		return v.True()
	case t.IsMapType() || t.IsObjectType():
		m := map[string]any{}
		for k, e := range v.AsValueMap() {
			m[k] = goValue(e)
		}
		return m
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		var s []any
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			s = append(s, goValue(e))
		}
		return s
	}
	return ""
}
