// Command driver runs the two steps of the datacheck benchmark through the
// datacheck package directly, as `mlci data profile` and `mlci data compare`
// do. run.sh falls back to it when cmd/mlci does not build.
//
// usage: driver [data] profile DATA -o OUT.json
//
//	driver [data] compare BASE.json DATA --id id --format json
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/datacheck"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "driver:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "data" {
		args = args[1:] // called as mlci would be
	}
	if len(args) < 3 {
		return errors.New("usage: driver profile DATA -o OUT, or driver compare BASE.json DATA")
	}
	switch args[0] {
	case "profile":
		return profile(args[1], args[len(args)-1])
	case "compare":
		return compare(args[1], args[2])
	}
	return fmt.Errorf("unknown step %q", args[0])
}

func profile(data, out string) error {
	p, err := datacheck.ProfileFile(data, datacheck.ProfileOptions{})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := p.WriteJSON(&buf); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

func compare(basePath, data string) error {
	base, err := datacheck.ReadProfileFile(basePath)
	if err != nil {
		return err
	}
	base.ID = "id"
	head, err := datacheck.ProfileFile(data, datacheck.ProfileOptions{ID: "id"})
	if err != nil {
		return err
	}
	d := datacheck.Compare(base, head, config.Drift{})
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
