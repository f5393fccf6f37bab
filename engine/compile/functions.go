package compile

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty/function"
)

// checkFunctionNames reports calls to functions that do not exist anywhere
// in the node's expressions, including branches evaluation would not take.
func checkFunctionNames(n *Node, funcs map[string]function.Function) hcl.Diagnostics {
	var exprs []hcl.Expression
	for _, e := range []hcl.Expression{n.ForEach, n.When} {
		if e != nil {
			exprs = append(exprs, e)
		}
	}
	if n.Transform != nil && n.Transform.Value != nil {
		exprs = append(exprs, n.Transform.Value)
	}
	if n.Step != nil {
		if body, ok := n.Step.Body.(*hclsyntax.Body); ok {
			exprs = append(exprs, bodyExprs(body)...)
		}
	}
	names := make([]string, 0, len(funcs))
	for name := range funcs {
		names = append(names, name)
	}
	sort.Strings(names)
	var diags hcl.Diagnostics
	for _, e := range exprs {
		se, ok := hcl.UnwrapExpression(e).(hclsyntax.Expression)
		if !ok {
			continue
		}
		hclsyntax.VisitAll(se, func(node hclsyntax.Node) hcl.Diagnostics {
			call, ok := node.(*hclsyntax.FunctionCallExpr)
			if !ok {
				return nil
			}
			if _, known := funcs[call.Name]; !known {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Call to unknown function",
					Detail:  fmt.Sprintf("There is no function named %q.%s", call.Name, suggest(call.Name, names, "")),
					Subject: call.NameRange.Ptr()})
			}
			return nil
		})
	}
	return diags
}

func bodyExprs(b *hclsyntax.Body) []hcl.Expression {
	var out []hcl.Expression
	for _, a := range b.Attributes {
		out = append(out, a.Expr)
	}
	for _, blk := range b.Blocks {
		out = append(out, bodyExprs(blk.Body)...)
	}
	return out
}
