// Package lock reads and writes DVC's lock file, dvc.lock with schema 2.0:
// for each stage the command it ran, the hashes of its dependencies, the
// values of its params and the hashes of its outputs. What mlci writes DVC
// reads, byte for byte as DVC 3 would write it in the common cases, and the
// other way round, legacy DVC 2 entries (no `hash: md5` line) included. DVC
// 1's lock files (stages at the top, no schema) are read too, and written
// back as schema 2.0, as DVC 2 does.
//
// It holds the file format only; deciding whether a stage is up to date is
// package pipeline's work.
package lock

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/mlci-dev/mlci/internal/pipeline/atomicfile"
)

// Schema is the lock-file schema mlci writes.
const Schema = "2.0"

// DefaultParams is the params file DVC lists first.
const DefaultParams = "params.yaml"

// File is a lock file: stages by name, in the order they were first written.
type File struct {
	order  []string
	stages map[string]*Stage
}

// Stage is one stage's record.
type Stage struct {
	// Cmd is the command as the pipeline gives it; CmdList keeps a
	// one-command list a list.
	Cmd     []string
	CmdList bool
	Deps    []Entry
	// Params are the params values by file.
	Params []Params
	Outs   []Entry
}

// Params are the values a stage read from one params file, by dotted key.
type Params struct {
	Path   string
	Values map[string]any
}

// Entry is a dependency or output with its hash.
type Entry struct {
	Path string
	// Legacy is true for DVC 2 entries, hashed with md5-dos2unix.
	Legacy bool
	MD5    string
	Size   int64
	NFiles int
	IsExec bool
	// noSize keeps an entry read without size: (old DVC 2 files) without it.
	noSize bool
}

// New returns an empty lock file.
func New() *File { return &File{stages: map[string]*Stage{}} }

// Read reads the lock file at path; a missing file is an empty one.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return New(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return Parse(path, data)
}

// Write writes f to path atomically.
func Write(path string, f *File) error {
	return atomicfile.Write(path, f.Marshal(), 0o644)
}

// Names returns the stage names in file order.
func (f *File) Names() []string { return slices.Clone(f.order) }

// Stage returns the record of the stage name, or nil.
func (f *File) Stage(name string) *Stage { return f.stages[name] }

// Set records s for the stage name, keeping its place in the file.
func (f *File) Set(name string, s *Stage) {
	if _, ok := f.stages[name]; !ok {
		f.order = append(f.order, name)
	}
	f.stages[name] = s
}

// Delete removes the stage name; it reports whether it was there.
func (f *File) Delete(name string) bool {
	if _, ok := f.stages[name]; !ok {
		return false
	}
	delete(f.stages, name)
	f.order = slices.DeleteFunc(f.order, func(n string) bool { return n == name })
	return true
}

// Sort puts entries and params files in DVC's order: entries by path, the
// default params file first and the others by path.
func (s *Stage) Sort() {
	byPath := func(a, b Entry) int { return cmpString(a.Path, b.Path) }
	slices.SortStableFunc(s.Deps, byPath)
	slices.SortStableFunc(s.Outs, byPath)
	slices.SortStableFunc(s.Params, func(a, b Params) int {
		switch {
		case a.Path == b.Path:
			return 0
		case a.Path == DefaultParams:
			return -1
		case b.Path == DefaultParams:
			return 1
		}
		return cmpString(a.Path, b.Path)
	})
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
