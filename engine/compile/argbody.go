package compile

import (
	"sync"

	"github.com/hashicorp/hcl/v2"
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
