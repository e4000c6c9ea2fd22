// Command gen generates the repository that bench/changes/run.sh measures
// `mlci changes` on, and prints its base and head commits.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/mlci-dev/mlci/internal/changes/benchrepo"
)

func main() {
	dir := flag.String("dir", "", "directory to make the repository in")
	var s benchrepo.Spec
	flag.IntVar(&s.Files, "files", 100_000, "files in the base commit")
	flag.IntVar(&s.Changed, "changed", 10_000, "files the head commit changes")
	flag.IntVar(&s.History, "history", 0, "unchanged commits before the base")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "gen: -dir is required")
		os.Exit(2)
	}

	r, err := benchrepo.Make(context.Background(), *dir, s)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(r.Base, r.Head)
}
