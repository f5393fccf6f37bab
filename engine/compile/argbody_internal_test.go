package compile

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// countingBody counts the times its content is worked out.
type countingBody struct {
	hcl.Body
	n int
}

func (b *countingBody) Content(s *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	b.n++
	return b.Body.Content(s)
}

// A step body's content for its schema is worked out once; another schema
// is not given the first one's content.
func TestContentBodyWorksOutItsContentOnce(t *testing.T) {
	f, diags := hclsyntax.ParseConfig([]byte("a = 1\nb = \"x\"\n"), "t.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	inner := &countingBody{Body: f.Body}
	b := &contentBody{Body: inner}
	ab := &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "a", Required: true}, {Name: "b"}}}
	for range 3 {
		c, diags := b.Content(&hcl.BodySchema{Attributes: ab.Attributes})
		if diags.HasErrors() || len(c.Attributes) != 2 {
			t.Fatalf("content = %v, %v", c, diags)
		}
	}
	if inner.n != 1 {
		t.Fatalf("content worked out %d times, want once", inner.n)
	}
	_, diags = b.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "a"}}})
	if !diags.HasErrors() || inner.n != 2 {
		t.Fatalf("another schema: diags=%v, worked out %d times; want b reported as unexpected, from the body", diags, inner.n)
	}
}
