// Package mlci holds the files that ship inside the mlci binary: the report
// templates and the bundled example project that `mlci demo` runs. The command
// itself is in cmd/mlci and the code in internal/.
package mlci

import "embed"

// Example is the bundled example ML project, rooted at testdata/example.
//
//go:embed all:testdata/example all:testdata/demo
var Example embed.FS
