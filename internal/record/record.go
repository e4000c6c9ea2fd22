// Package record holds the run record: what one run of mlci established
// about a commit — the hashes of its data and model artefacts, its params,
// its metrics, the gates' verdict, the stages' timings and the CI run's
// link — and stores it as a JSON file beside the report and as a git note
// under refs/notes/mlci, so that promotion and baseline lookups work from
// the repository alone, without a server.
//
// A commit's note holds one record per line (JSON Lines), newest last, so
// that notes written by concurrent runs merge without conflict. The package
// does not run anything or decide anything: the flow fills the record, the
// registry reads it.
package record

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"time"

	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
)

// Schema is the version of the record's JSON shape.
const Schema = 1

// Record is what one run established about one commit.
type Record struct {
	// Schema is the version of the JSON shape, Schema when written.
	Schema int `json:"schema"`
	// Commit is the full id of the commit the run evaluated.
	Commit string `json:"commit"`
	// Ref is the branch or pull request ref the run was for.
	Ref string `json:"ref,omitempty"`
	// Time is when the run ended.
	Time time.Time `json:"time"`
	// RunURL links to the CI run; a rerun of the same run replaces its record.
	RunURL string `json:"run_url,omitempty"`
	// Models are the models evaluated, by name.
	Models map[string]ModelRecord `json:"models,omitempty"`
	// Params are the params in effect, flattened to dotted keys.
	Params map[string]any `json:"params,omitempty"`
	// Data maps data files (relative to the root) to their md5.
	Data map[string]string `json:"data,omitempty"`
	// Verdict is the gates' outcome.
	Verdict Verdict `json:"verdict"`
	// Stages are the pipeline stages in run order.
	Stages []StageTiming `json:"stages,omitempty"`
	// DataProfiles are the data sets' profiles, by name, as datacheck wrote them.
	DataProfiles map[string]json.RawMessage `json:"data_profiles,omitempty"`
}

// ModelRecord is one model's metrics and artefact.
type ModelRecord struct {
	// Metrics are the model's metrics by dotted name. Values that are not
	// finite (NaN, ±Inf) are left out when the record is written, since
	// JSON numbers cannot hold them; the verdict says what they failed.
	Metrics  map[string]float64 `json:"metrics,omitempty"`
	Artifact Artifact           `json:"artifact"`
}

// Artifact is a model file or directory, hashed as DVC hashes it.
type Artifact struct {
	Path string `json:"path"`
	// MD5 is the file's md5, or the ".dir" md5 of a directory.
	MD5  string `json:"md5,omitempty"`
	Size int64  `json:"size,omitempty"`
}

// Verdict is the gates' outcome, kept small: what passed and why not.
type Verdict struct {
	Passed bool         `json:"passed"`
	Gates  []GateResult `json:"gates,omitempty"`
}

// GateResult is one gate's outcome for one model.
type GateResult struct {
	Model    string `json:"model"`
	Metric   string `json:"metric"`
	Rule     string `json:"rule"`
	Passed   bool   `json:"passed"`
	Severity string `json:"severity,omitempty"`
	Message  string `json:"message,omitempty"`
}

// StageTiming is how one pipeline stage went.
type StageTiming struct {
	Name string `json:"name"`
	// Result is ran, restored, skipped or failed.
	Result  string  `json:"result"`
	Seconds float64 `json:"seconds"`
}

// VerdictOf keeps what a record needs of a gate verdict.
func VerdictOf(v *gate.Verdict) Verdict {
	if v == nil {
		return Verdict{}
	}
	out := Verdict{Passed: v.Passed}
	for _, r := range v.Gates {
		out.Gates = append(out.Gates, GateResult{Model: r.Model, Metric: r.Metric, Rule: r.Rule,
			Passed: r.Passed, Severity: r.Severity, Message: r.Message})
	}
	return out
}

// PassedFor reports whether model passed its gates in this run: none of its
// error gates failed. A run that evaluated no gate of the model passed it
// when the whole verdict passed and the run evaluated the model.
func (r *Record) PassedFor(model string) bool {
	seen := false
	for _, g := range r.Verdict.Gates {
		if g.Model != model {
			continue
		}
		seen = true
		if !g.Passed && g.Severity != gate.Warning {
			return false
		}
	}
	if seen {
		return true
	}
	_, evaluated := r.Models[model]
	return evaluated && r.Verdict.Passed
}

// ArtifactOf hashes the model file or directory at root/path.
func ArtifactOf(root, path string) (Artifact, error) {
	full := filepath.Join(root, filepath.FromSlash(path))
	h := &digest.Hasher{Ignore: digest.NewIgnore(root)}
	info, _, err := h.Path(full, digest.MD5)
	if err != nil {
		return Artifact{}, fmt.Errorf("hashing model %s: %w", path, err)
	}
	return Artifact{Path: path, MD5: info.MD5, Size: info.Size}, nil
}

// encode returns the record as one line of JSON, non-finite metrics left out.
func encode(r *Record) ([]byte, error) {
	c := *r
	c.Schema = Schema
	c.Models = make(map[string]ModelRecord, len(r.Models))
	for name, m := range r.Models {
		finite := make(map[string]float64, len(m.Metrics))
		for k, v := range m.Metrics {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				finite[k] = v
			}
		}
		c.Models[name] = ModelRecord{Metrics: finite, Artifact: m.Artifact}
	}
	data, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("encoding the run record of %s: %w", short(r.Commit), err)
	}
	return data, nil
}

// decode parses one record; where names the file or note for errors.
func decode(where string, data []byte) (*Record, error) {
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reading the run record in %s: %w", where, err)
	}
	if r.Schema > Schema {
		return nil, fmt.Errorf("reading the run record in %s: schema %d is newer than this "+
			"mlci reads (%d); update mlci", where, r.Schema, Schema)
	}
	if r.Commit == "" {
		return nil, fmt.Errorf("reading the run record in %s: no commit: %w", where,
			fs.ErrInvalid)
	}
	return &r, nil
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
