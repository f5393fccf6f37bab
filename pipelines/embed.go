// Package pipelines holds the pipelines tote ships, embedded in the binary
// so `tote sandbox` runs them as they are in the repository.
package pipelines

import "embed"

// FS holds every shipped *.hcl file and the modules they call.
//
//go:embed *.hcl modules/*.hcl
var FS embed.FS
