// Command mlci brings continuous integration, training and delivery to
// machine-learning repositories. See `mlci --help`.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
