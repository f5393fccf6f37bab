package pipelines

import (
	"fmt"

	"github.com/toteworks/tote/engine/config"
	"github.com/zclconf/go-cty/cty"
)

// Default is the default value, converted to its declared type, of the
// variable name the shipped pipelines declare: what a merchant gets
// without setting it. Simulators that check the pipelines' promises read
// their expectations here instead of keeping copies.
func Default(name string) (cty.Value, error) {
	cfg, diags := config.Load(FS, "pipelines")
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("shipped pipelines: %w", diags)
	}
	for _, v := range cfg.Variables {
		if v.Name != name {
			continue
		}
		if v.Default == cty.NilVal {
			return cty.NilVal, fmt.Errorf("shipped variable %q has no default", name)
		}
		return v.Default, nil
	}
	return cty.NilVal, fmt.Errorf("the shipped pipelines declare no variable %q", name)
}
