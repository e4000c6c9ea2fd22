// Package changes works out what a change touched: it diffs two commits,
// gives every changed path a class (code, data, params, pipeline, docs,
// other), reads DVC-tracked data and params files at key level on both
// sides, and maps the result to the pipeline stages it affects and why.
//
// It finds the commits to compare from flags, the CI event or the default
// branch, deepening shallow clones step by step and falling back to the
// platform's API when git cannot reach the base. It runs nothing and
// decides nothing about whether a stage is up to date; the pipeline
// package does that.
package changes

import (
	"context"
	"fmt"
	"log/slog"
	"sort"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/platform"
)

// Options say what to compare and with which configuration.
type Options struct {
	// Repo is the repository.
	Repo git.Repo
	// Config is the head's configuration: classes, stages, params files.
	Config *config.Config
	// Base and Head are revisions from the command line; empty means from
	// Event, else HEAD against the merge base with the default branch.
	Base, Head string
	// Event is the CI event, nil outside CI.
	Event *platform.Event
	// Lister lists a pull request's files through the platform's API when
	// git cannot reach the base; nil for none.
	Lister platform.FileLister
	// Remote is the remote to fetch missing history from; origin by default.
	Remote string
	// MaxDeepen bounds how many times a shallow clone is deepened (each time
	// twice as deep as the last, from 16 commits); 6 by default.
	MaxDeepen int
	// Log receives diagnostics; nil discards them.
	Log *slog.Logger
}

// Result is a classified change set and the stages it affects.
type Result struct {
	// Base is the commit diffed from (the merge base for a pull request),
	// empty when every file counts as added; Head the commit diffed to.
	Base string `json:"base"`
	Head string `json:"head"`
	// MergeBase is true when Base is the merge base of the given base and head.
	MergeBase bool `json:"merge_base"`
	// Source says how the diff was obtained: "git", "git after deepening
	// 2x", "api", or "none (new branch)" when everything counts as added.
	Source string `json:"source"`
	// Changed are the classes with at least one changed file, sorted.
	Changed []string `json:"changed"`
	// Counts are the number of changed files per class.
	Counts map[string]int `json:"counts"`
	// Files are the changed paths sorted by path, DVC-tracked data in place
	// of the .dvc files and lock entries that record it.
	Files []File `json:"files"`
	// Params are the changed params keys, sorted by file and key.
	Params []ParamChange `json:"params"`
	// Stages are the affected stages in pipeline order.
	Stages []string `json:"stages"`
	// Reasons say why each affected stage is affected.
	Reasons map[string][]string `json:"reasons"`
	// Tests is true when the pipeline tests are affected (code changed and
	// the configuration has tests).
	Tests bool `json:"tests"`
}

// File statuses.
const (
	Added    = "added"
	Modified = "modified"
	Deleted  = "deleted"
	Renamed  = "renamed"
)

// File is one changed path.
type File struct {
	Path string `json:"path"`
	// Status is added, modified, deleted or renamed.
	Status string `json:"status"`
	Class  string `json:"class"`
	// OldPath is the path before a rename.
	OldPath string `json:"old_path,omitempty"`
	// Via is the .dvc file or lock file that recorded a DVC-tracked change.
	Via string `json:"via,omitempty"`
	// Mode is "OLD → NEW" when the file mode changed (executable bit, symlink).
	Mode string `json:"mode,omitempty"`
	// Submodule is true for a submodule whose commit changed.
	Submodule bool `json:"submodule,omitempty"`
}

// ParamChange is one params key whose value differs. A key only on one
// side has a nil value on the other.
type ParamChange struct {
	Key  string `json:"key"`
	File string `json:"file"`
	Base any    `json:"base"`
	Head any    `json:"head"`
}

// Detect compares the commits opts describe and returns what changed.
// Docs never affect a stage or the tests, even if a stage names a docs file
// as a dep: a docs-only change runs nothing.
func Detect(ctx context.Context, opts Options) (*Result, error) {
	d, err := newDetector(opts)
	if err != nil {
		return nil, err
	}
	defer d.close()

	sp, err := d.resolve(ctx)
	if err != nil {
		return nil, err
	}
	d.log.Info("compared commits", "base", short(sp.base), "head", short(sp.head),
		"source", sp.source)

	res := &Result{Base: sp.base, Head: sp.head, MergeBase: sp.mergeBase, Source: sp.source}
	if err := d.collect(ctx, sp, res); err != nil {
		return nil, err
	}
	d.affect(res)
	return res, nil
}

// collect fills the files, classes and params of res.
func (d *detector) collect(ctx context.Context, sp span, res *Result) error {
	d.startBatch(ctx)
	files, err := d.files(ctx, sp)
	if err != nil {
		return err
	}

	res.Files, err = d.expandDVC(ctx, sp, files)
	if err != nil {
		return err
	}
	res.Params, err = d.diffParams(ctx, sp, res.Files)
	if err != nil {
		return err
	}
	if err := d.diffDefinitions(ctx, sp, res.Files); err != nil {
		return err
	}
	d.count(res)
	return nil
}

// count fills Changed and Counts from Files.
func (d *detector) count(res *Result) {
	res.Counts = map[string]int{}
	for _, f := range res.Files {
		res.Counts[f.Class]++
	}
	res.Changed = make([]string, 0, len(res.Counts))
	for c := range res.Counts {
		res.Changed = append(res.Changed, c)
	}
	sort.Strings(res.Changed)
}

// short abbreviates a commit id for messages and logs.
func short(sha string) string {
	if git.IsSHA(sha) {
		return sha[:7]
	}
	if sha == "" {
		return "(none)"
	}
	return sha
}

// plural writes n with the singular or plural of a noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
