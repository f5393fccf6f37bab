// Package lang is the function table of tote's pipeline language and the
// Sensitive value mark.
//
// Every hcl.EvalContext tote builds gets Functions(...): the go-cty standard
// library under the names Terraform users know, try and can, and tote's own
// functions for environment variables and secrets, times with explicit
// zones, unit conversions, exact decimal rounding, state codes and the
// orderKey of a BigCommerce order.
//
// A function given a sensitive argument returns a sensitive result, and when
// it fails its error message is replaced so that it cannot quote a secret.
package lang

import (
	"os"
	"time"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Options are the host facts the functions depend on.
type Options struct {
	// Getenv looks up env() and secret(); nil means os.LookupEnv.
	Getenv func(name string) (string, bool)
	// Now is the clock behind now(); nil means time.Now.
	Now func() time.Time
	// Plan makes now() and uuid() return unknown strings: their values are
	// only known when a plan is applied.
	Plan bool
}

// Functions returns a new function table for an hcl.EvalContext.
func Functions(o Options) map[string]function.Function {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	clock := o.Now
	if clock == nil {
		clock = time.Now
	}
	fns := map[string]function.Function{
		// numbers
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
		"log": stdlib.LogFunc, "max": stdlib.MaxFunc, "min": stdlib.MinFunc,
		"pow": stdlib.PowFunc, "signum": stdlib.SignumFunc, "parseint": stdlib.ParseIntFunc,
		"round": roundFunc, "decimal": decimalFunc, "sum": sumFunc,

		// strings
		"chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc,
		"upper": stdlib.UpperFunc, "replace": stdlib.ReplaceFunc, "regex": stdlib.RegexFunc,
		"regexall": stdlib.RegexAllFunc, "regex_replace": stdlib.RegexReplaceFunc,
		"split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc,
		"title": stdlib.TitleFunc, "trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc,
		"trimsuffix": stdlib.TrimSuffixFunc, "trimspace": stdlib.TrimSpaceFunc,

		// collections
		"chunklist": stdlib.ChunklistFunc, "coalesce": stdlib.CoalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
		"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "index": indexFunc,
		"keys": stdlib.KeysFunc, "length": lengthFunc, "lookup": stdlib.LookupFunc,
		"merge": stdlib.MergeFunc, "range": stdlib.RangeFunc, "reverse": stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc, "setproduct": stdlib.SetProductFunc,
		"setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc,
		"slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "values": stdlib.ValuesFunc,
		"zipmap": stdlib.ZipmapFunc,

		// encodings
		"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"csvdecode": stdlib.CSVDecodeFunc,

		// conversions
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),

		// time
		"formatdate": stdlib.FormatDateFunc, "timeadd": stdlib.TimeAddFunc,
		"parsetime": parseTimeFunc, "formattime": formatTimeFunc,
		"now": nowFunc(clock, o.Plan), "uuid": uuidFunc(o.Plan),

		// units
		"weight_oz": convertFunc(weights, "oz"), "weight_g": convertFunc(weights, "g"),
		"length_in": convertFunc(lengths, "in"), "length_cm": convertFunc(lengths, "cm"),

		// addresses
		"state_code": stateCodeFunc,

		// orders
		"order_key": orderKeyFunc, "parse_order_key": parseOrderKeyFunc,

		// environment
		"env": envFunc(getenv, false), "secret": envFunc(getenv, true),
	}
	for name, f := range fns {
		fns[name] = hideSensitiveErrors(f)
	}
	// try and can take expressions, not values; they report the errors of
	// the calls above, which are already guarded.
	fns["try"] = tryfunc.TryFunc
	fns["can"] = tryfunc.CanFunc
	return fns
}
