package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/lang"
	"github.com/toteworks/tote/engine/run"
	"github.com/zclconf/go-cty/cty"
)

// productCSVHeader names the columns of ShipStation's product import, which
// lets people match columns to fields; SKU is the key, and a blank cell
// clears the field, so every column tote knows is filled.
var productCSVHeader = []string{"SKU", "Name", "WeightOz", "Length", "Width", "Height", "WarehouseLocation", "UPC", "Active"}

func cmdExport(ctx context.Context, env Env, args []string) int {
	fs := newFlags("export", "export products [-connection NAME] [-out FILE]", env.Stderr)
	var c common
	c.register(fs, env, false)
	connName := fs.String("connection", "", "the bigcommerce connection to read (default: the only one, or main)")
	outPath := fs.String("out", "", "write the CSV here (default stdout)")
	pos, err := parse(fs, args)
	if err != nil {
		return exitError
	}
	if len(pos) != 1 || pos[0] != "products" {
		fmt.Fprintln(env.Stderr, "Error: tote export products [-connection NAME] [-out FILE]")
		return exitError
	}
	prog, ok := load(env, c.dir, c.vars, false)
	if !ok {
		return exitError
	}
	conn, found := prog.DefaultConnection("bigcommerce")
	if *connName != "" {
		conn = prog.Connection("bigcommerce", *connName)
	}
	switch {
	case conn == nil && found > 1 && *connName == "":
		fmt.Fprintln(env.Stderr, "Error: there are several bigcommerce connections and none is named main; say which with -connection")
		return exitError
	case conn == nil:
		fmt.Fprintln(env.Stderr, "Error: no bigcommerce connection to read products from")
		return exitError
	case !conn.Enabled:
		fmt.Fprintf(env.Stderr, "Error: %s is disabled\n", conn.Addr())
		return exitError
	}
	eng := run.New(prog, nil, run.Options{Clock: env.Now})
	defer eng.Close()
	out := env.Stdout
	if *outPath != "" {
		f, err := os.OpenFile(*outPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		defer f.Close()
		out = f
	}
	n, err := exportProducts(ctx, eng, conn, out)
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", eng.Redact(err.Error()))
		return exitError
	}
	if *outPath != "" {
		fmt.Fprintf(env.Stdout, "Wrote %d SKUs to %s for ShipStation's product import.\n", n, *outPath)
	}
	return exitOK
}

// exportProducts writes one row per SKU: each variant of a product with
// variants, else the product; weights in ounces and dimensions in inches
// from the store's units.
func exportProducts(ctx context.Context, eng *run.Engine, conn *compile.Connection, w io.Writer) (int, error) {
	c, err := eng.Conn(ctx, conn)
	if err != nil {
		return 0, err
	}
	store, err := c.Read(ctx, "get_store", cty.EmptyObjectVal)
	if err != nil {
		return 0, fmt.Errorf("reading the store's units: %w", err)
	}
	products, err := c.Read(ctx, "get_products", cty.ObjectVal(map[string]cty.Value{
		"ids": cty.NullVal(cty.List(cty.Number)), "skus": cty.NullVal(cty.List(cty.String)), "all": cty.True,
	}))
	if err != nil {
		return 0, fmt.Errorf("reading the catalog: %w", err)
	}
	funcs := lang.Functions(lang.Options{})
	weightUnit, lengthUnit := store.GetAttr("weight_units"), store.GetAttr("dimension_units")
	convert := func(name string, v, unit cty.Value) string {
		if v.IsNull() {
			return ""
		}
		r, err := funcs[name].Call([]cty.Value{v, unit})
		if err != nil {
			return ""
		}
		return r.AsBigFloat().Text('f', -1)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(productCSVHeader); err != nil {
		return 0, err
	}
	rows := 0
	for it := products.ElementIterator(); it.Next(); {
		_, p := it.Element()
		variants := p.GetAttr("variants")
		type sku struct {
			sku, name, upc, bin          string
			weight, width, height, depth cty.Value
		}
		var skus []sku
		if !variants.IsNull() && variants.LengthInt() > 1 {
			for vt := variants.ElementIterator(); vt.Next(); {
				_, v := vt.Element()
				var labels []string
				for ot := v.GetAttr("option_values").ElementIterator(); ot.Next(); {
					_, ov := ot.Element()
					labels = append(labels, str(ov.GetAttr("label")))
				}
				skus = append(skus, sku{str(v.GetAttr("sku")), str(p.GetAttr("name")) + " (" + strings.Join(labels, ", ") + ")",
					str(v.GetAttr("upc")), firstStr(v.GetAttr("bin_picking_number"), p.GetAttr("bin_picking_number")),
					first(v.GetAttr("weight"), p.GetAttr("weight")), first(v.GetAttr("width"), p.GetAttr("width")),
					first(v.GetAttr("height"), p.GetAttr("height")), first(v.GetAttr("depth"), p.GetAttr("depth"))})
			}
		} else {
			skus = append(skus, sku{str(p.GetAttr("sku")), str(p.GetAttr("name")), str(p.GetAttr("upc")), str(p.GetAttr("bin_picking_number")),
				p.GetAttr("weight"), p.GetAttr("width"), p.GetAttr("height"), p.GetAttr("depth")})
		}
		for _, s := range skus {
			if s.sku == "" {
				continue
			}
			row := []string{s.sku, s.name, convert("weight_oz", s.weight, weightUnit), convert("length_in", s.depth, lengthUnit),
				convert("length_in", s.width, lengthUnit), convert("length_in", s.height, lengthUnit), s.bin, s.upc, "true"}
			if err := cw.Write(row); err != nil {
				return rows, err
			}
			rows++
		}
	}
	cw.Flush()
	return rows, cw.Error()
}

func str(v cty.Value) string {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

func first(vs ...cty.Value) cty.Value {
	for _, v := range vs {
		if !v.IsNull() {
			return v
		}
	}
	return vs[len(vs)-1]
}

func firstStr(vs ...cty.Value) string {
	for _, v := range vs {
		if s := str(v); s != "" {
			return s
		}
	}
	return ""
}
