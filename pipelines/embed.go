// Package pipelines holds the pipelines tote ships, embedded in the binary
// so `tote sandbox` runs them as they are in the repository.
package pipelines

import "embed"

// FS holds every shipped *.hcl file.
//
//go:embed *.hcl
var FS embed.FS
