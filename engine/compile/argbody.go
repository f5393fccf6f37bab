package compile

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// ArgBody is the step's body to decode its arguments from (with Args). Its
// content for the argument schema is worked out once, on first use:
// hcldec.Decode asks a body for that content on every call, and it depends
// only on the body and the schema, never on the values the arguments are
// evaluated with.
func (n *Node) ArgBody() hcl.Body { return n.argBody }

// contentBody is a body whose Content, for the one schema it is asked with
// (a step's arguments), is computed once.
type contentBody struct {
	hcl.Body
	once    sync.Once
	schema  *hcl.BodySchema
	content *hcl.BodyContent
	diags   hcl.Diagnostics
}

func (b *contentBody) Content(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	b.once.Do(func() {
		b.schema = schema
		b.content, b.diags = b.Body.Content(schema)
	})
	if !sameSchema(b.schema, schema) {
		return b.Body.Content(schema)
	}
	return b.content, b.diags
}

// sameSchema compares two schemas by their attributes and blocks.
func sameSchema(a, b *hcl.BodySchema) bool {
	if a == b {
		return true
	}
	if len(a.Attributes) != len(b.Attributes) || len(a.Blocks) != len(b.Blocks) {
		return false
	}
	for i := range a.Attributes {
		if a.Attributes[i] != b.Attributes[i] {
			return false
		}
	}
	for i := range a.Blocks {
		if a.Blocks[i].Type != b.Blocks[i].Type || len(a.Blocks[i].LabelNames) != len(b.Blocks[i].LabelNames) {
			return false
		}
		for j := range a.Blocks[i].LabelNames {
			if a.Blocks[i].LabelNames[j] != b.Blocks[i].LabelNames[j] {
				return false
			}
		}
	}
	return true
}

// DecodeArgs is hcldec.Decode(n.ArgBody(), n.Args, ctx): the step's
// arguments, evaluated in ctx. hcldec works out the schema of the spec on
// every call, and the spec of a connector's arguments (attributes only,
// as connectors/schema builds it) is decoded here with its schema and
// each attribute's null and unknown types worked out at compile time. Any
// other spec is left to hcldec. Diagnostics come attribute by attribute,
// in name order (hcldec's order is a map's).
func (n *Node) DecodeArgs(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	d := n.argDecoder
	if d == nil {
		return hcldec.Decode(n.argBody, n.Args, ctx)
	}
	content, diags := n.argBody.Content(d.schema)
	// A map of constant small size that does not escape stays on the stack.
	vals := make(map[string]cty.Value, 8)
	for i := range d.attrs {
		v, vd := d.attrs[i].decode(content, ctx)
		vals[d.attrs[i].key] = v
		diags = append(diags, vd...)
	}
	return cty.ObjectVal(vals), diags
}

// argDecoder decodes an object spec of attributes.
type argDecoder struct {
	schema *hcl.BodySchema
	attrs  []argAttr // sorted by key
}

type argAttr struct {
	key  string // the attribute's key in the object spec
	spec *hcldec.AttrSpec
	// bare is spec.Type without optional attributes, the type of the
	// attribute's null (when not given) and unknown (when mistyped).
	bare   cty.Type
	custom customdecode.CustomExpressionDecoderFunc
}

// newArgDecoder returns the decoder of spec, or nil when spec is not an
// object spec of attributes only.
func newArgDecoder(spec hcldec.Spec) *argDecoder {
	obj, ok := spec.(hcldec.ObjectSpec)
	if !ok {
		return nil
	}
	d := &argDecoder{schema: hcldec.ImpliedSchema(spec)}
	for key, s := range obj {
		as, ok := s.(*hcldec.AttrSpec)
		if !ok {
			return nil
		}
		d.attrs = append(d.attrs, argAttr{key: key, spec: as, bare: as.Type.WithoutOptionalAttributesDeep(),
			custom: customdecode.CustomExpressionDecoderForType(as.Type)})
	}
	slices.SortFunc(d.attrs, func(a, b argAttr) int { return strings.Compare(a.key, b.key) })
	return d
}

// decode is hcldec's AttrSpec decode (hcl v2.25.0, hcldec/spec.go).
func (a *argAttr) decode(content *hcl.BodyContent, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	attr, exists := content.Attributes[a.spec.Name]
	if !exists {
		// A required one missing is reported with the content.
		return cty.NullVal(a.bare), nil
	}
	if a.custom != nil {
		v, diags := a.custom(attr.Expr, ctx)
		if v == cty.NilVal {
			v = cty.UnknownVal(a.bare)
		}
		return v, diags
	}
	val, diags := attr.Expr.Value(ctx)
	conv, err := convert.Convert(val, a.spec.Type)
	if err != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Incorrect attribute value type",
			Detail:      fmt.Sprintf("Inappropriate value for attribute %q: %s.", a.spec.Name, err.Error()),
			Subject:     attr.Expr.Range().Ptr(),
			Context:     hcl.RangeBetween(attr.NameRange, attr.Expr.Range()).Ptr(),
			Expression:  attr.Expr,
			EvalContext: ctx,
		})
		return cty.UnknownVal(a.bare), diags
	}
	return conv, diags
}
