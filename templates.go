// Package mlci holds the files that ship inside the mlci binary: the report
// and CI templates under templates/, and the example project `mlci demo` runs.
// The command and its packages live in cmd/mlci and internal/.
package mlci

import "embed"

// Templates are the files under templates/: the report templates in
// templates/report (which a repository may override by name) and the CI
// templates beside them.
//
//go:embed templates
var Templates embed.FS
