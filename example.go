package mlci

import "embed"

// Example is the bundled example ML project, rooted at testdata/example.
//
//go:embed all:testdata/example all:testdata/demo
var Example embed.FS
