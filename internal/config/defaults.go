package config

import (
	"time"
)

// Defaults that mlci.yaml may override.
const (
	// DefaultPrecision is the number of decimals reports show.
	DefaultPrecision = 4
	// DefaultDriftShare is the share of drifted columns at which a data set drifts.
	DefaultDriftShare = 0.5
	// DefaultMinSliceSize is the fewest rows a slice needs to be gated.
	DefaultMinSliceSize = 30
	// DefaultReadyTimeout bounds the wait for a prediction service to answer.
	DefaultReadyTimeout = 30 * time.Second
)

// DefaultPromoteStages are the promotion stages of a model, in order.
var DefaultPromoteStages = []string{"staging", "production"}

// The change classes, in the order their default globs are tried.
const (
	ClassPipeline = "pipeline"
	ClassParams   = "params"
	ClassData     = "data"
	ClassDocs     = "docs"
	ClassCode     = "code"
	// ClassOther is what no class's globs match.
	ClassOther = "other"
)

// Classes are the names a change class may have.
var Classes = []string{ClassPipeline, ClassParams, ClassData, ClassDocs, ClassCode, ClassOther}

// defaultGlobs are the globs of each class when mlci.yaml does not set them.
var defaultGlobs = map[string][]string{
	ClassPipeline: {"dvc.yaml", "dvc.lock", "mlci.yaml", "mlci.yml", "**/dvc.yaml", "**/dvc.lock"},
	ClassParams:   {"params.yaml"},
	ClassData: {"data/**", "datasets/**", "**/*.dvc", "**/*.csv", "**/*.tsv", "**/*.parquet",
		"**/*.jsonl", "**/*.ndjson", "**/*.tfrecord", "**/*.arrow", "**/*.feather",
		"**/*.npy", "**/*.npz", "**/*.h5", "**/*.hdf5"},
	ClassDocs: {"docs/**", "**/*.md", "**/*.rst", "**/*.adoc", "LICENSE*", "CHANGELOG*",
		"AUTHORS*", "mkdocs.yml"},
	ClassCode: {"src/**", "tests/**", "**/*.py", "**/*.ipynb", "**/*.R", "**/*.r", "**/*.sql",
		"**/*.sh", "requirements*.txt", "pyproject.toml", "setup.py", "setup.cfg",
		"Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock", "environment.yml",
		"environment.yaml", "conda.yaml", "Dockerfile", "Makefile"},
}

// DefaultChanges returns the default change classes in match order, with
// the params class extended by extraParams (the params files stages name).
func DefaultChanges(extraParams []string) []ChangeClass {
	var out []ChangeClass
	for _, name := range Classes[:len(Classes)-1] {
		globs := append([]string(nil), defaultGlobs[name]...)
		if name == ClassParams {
			for _, p := range extraParams {
				if !contains(globs, p) {
					globs = append(globs, p)
				}
			}
		}
		out = append(out, ChangeClass{Name: name, Globs: globs})
	}
	return out
}

// mergeChanges puts the user's classes first, in their order, then the
// default classes they do not name, so that the user's globs win.
func mergeChanges(user, defaults []ChangeClass) []ChangeClass {
	out := append([]ChangeClass(nil), user...)
	for _, d := range defaults {
		named := false
		for _, u := range user {
			named = named || u.Name == d.Name
		}
		if !named {
			out = append(out, d)
		}
	}
	return out
}
