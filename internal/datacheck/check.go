package datacheck

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
)

// Result is the data part of a validation: every configured data set checked
// against its schema and compared with its baseline.
type Result struct {
	// Passed is false when a data set has a schema error, cannot be read, or
	// drifted with severity "error".
	Passed bool        `json:"passed"`
	Sets   []SetResult `json:"sets"`
	// MaxDrift is the largest share of drifted columns over the sets
	// (DriftResult.Share): continuous training retrains when it reaches the
	// drift trigger's threshold (triggers.drift.threshold).
	MaxDrift float64 `json:"max_drift"`
}

// SetResult is one data set's checks.
type SetResult struct {
	Name string `json:"name"`
	Path string `json:"path"`
	Rows int64  `json:"rows"`
	// Passed is false when the set fails the check.
	Passed bool `json:"passed"`
	// SchemaSource is the schema file, "inferred from the baseline", or ""
	// when there was nothing to check against.
	SchemaSource string        `json:"schema_source,omitempty"`
	Schema       []SchemaIssue `json:"schema,omitempty"`
	// Drift is nil without a baseline.
	Drift *DriftResult `json:"drift,omitempty"`
	// Error is why the set could not be checked (its data could not be read).
	Error string `json:"error,omitempty"`
	// Profile is the new data's profile, for the run record.
	Profile *Profile `json:"-"`
}

// InferredSchema is SetResult.SchemaSource for a schema inferred from the
// baseline's profile.
const InferredSchema = "inferred from the baseline"

// Check profiles every data set of cfg under headRoot, checks it against its
// schema (the committed file, else one inferred from the baseline) and
// compares it with the baseline's profile from baseProfiles, keyed by data
// set name (nil or a missing key: no baseline). A configuration that cannot
// be used (a bad schema file, an unknown drift test) is an error with exit
// code 2; bad data only fails its set.
func Check(ctx context.Context, cfg *config.Config, baseProfiles map[string]*Profile,
	headRoot string) (*Result, error) {
	r := &Result{Passed: true}
	for _, ds := range cfg.Data {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		set, err := checkSet(ds, baseProfiles[ds.Name], headRoot)
		if err != nil {
			return nil, err
		}
		r.Passed = r.Passed && set.Passed
		if set.Drift != nil {
			r.MaxDrift = max(r.MaxDrift, set.Drift.Share)
		}
		r.Sets = append(r.Sets, set)
	}
	return r, nil
}

func checkSet(ds *config.DataSet, base *Profile, headRoot string) (SetResult, error) {
	set := SetResult{Name: ds.Name, Path: ds.Path}
	if err := ValidateDrift(ds.Drift); err != nil {
		return set, exit.Usagef("data set %s: %v", ds.Name, err)
	}
	schema, source, err := setSchema(ds, base, headRoot)
	if err != nil {
		return set, exit.With(exit.Usage, fmt.Errorf("data set %s: %w", ds.Name, err))
	}
	set.SchemaSource = source

	head, err := ProfileFile(filepath.Join(headRoot, ds.Path), OptionsFor(ds))
	if err != nil {
		set.Error = relError(err, headRoot)
		return set, nil
	}
	set.Profile, set.Rows = head, head.Rows
	if schema != nil {
		set.Schema = schema.Check(head)
	}
	if base != nil {
		set.Drift = Compare(base, head, ds.Drift)
	}
	set.Passed = set.passed()
	return set, nil
}

// OptionsFor returns the profile options of a configured data set.
func OptionsFor(ds *config.DataSet) ProfileOptions {
	return ProfileOptions{Format: ds.Format, Label: ds.Label, ID: ds.ID, Source: ds.Path}
}

// setSchema returns the data set's committed schema, else one inferred from
// the baseline, else nil; and where it came from.
func setSchema(ds *config.DataSet, base *Profile, headRoot string) (*Schema, string, error) {
	if ds.Schema != "" {
		s, err := LoadSchema(filepath.Join(headRoot, ds.Schema))
		if err != nil {
			return nil, "", relPathError(err, headRoot)
		}
		return s, ds.Schema, nil
	}
	if base != nil {
		return InferSchema(base), InferredSchema, nil
	}
	return nil, "", nil
}

// passed reports whether the set passes: readable, no schema error, and no
// drift of severity error.
func (s *SetResult) passed() bool {
	if s.Error != "" {
		return false
	}
	for _, i := range s.Schema {
		if i.Severity == SeverityError {
			return false
		}
	}
	return s.Drift == nil || !s.Drift.Drifted || s.Drift.Severity != SeverityError
}

// relError words a profiling error for the report, with a missing file said
// plainly.
func relError(err error, root string) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "the data file is missing"
	}
	return relPathError(err, root).Error()
}

// relPathError shortens absolute paths under root in err's message.
func relPathError(err error, root string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if rel, rerr := filepath.Rel(root, pe.Path); rerr == nil {
			pe.Path = rel
		}
	}
	return err
}
