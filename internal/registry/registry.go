// Package registry keeps model versions and stages as annotated git tags in
// GTO's format, so that GTO and mlci read the same registry and no server is
// needed: NAME@vX.Y.Z registers a version, NAME#STAGE#N assigns it to a
// stage, NAME#STAGE!#N unassigns it, NAME@vX.Y.Z! deregisters it and
// NAME@deprecated retires the model. It reads the registry in one git pass,
// applies the promotion policy of mlci.yaml (gates passed in the version's
// run record, runs and time in the previous stage, approval), writes tags
// and pushes them so that two promotions at once cannot both win.
//
// It does not run pipelines, evaluate gates or talk to CI platforms: the run
// records come from package record, and the flow turns a Promotion into a
// deployment on the platform.
package registry

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/mlci-dev/mlci/internal/exit"
)

// Sentinel errors, found with errors.Is.
var (
	// ErrUnknownModel is a model the registry and the configuration lack.
	ErrUnknownModel = errors.New("unknown model")
	// ErrUnknownVersion is a version the model does not have.
	ErrUnknownVersion = errors.New("unknown version")
	// ErrEmptyStage is a stage that holds no version of the model.
	ErrEmptyStage = errors.New("no version in stage")
)

// Event is one registry tag.
type Event struct {
	Action Action `json:"event"`
	Tag    string `json:"tag"`
	Model  string `json:"model"`
	// Version is the version the tag concerns; for an assignment of a commit
	// that no tag registered, the commit's id, as GTO names it.
	Version string `json:"version,omitempty"`
	Stage   string `json:"stage,omitempty"`
	// Counter is the tag's #N, 0 when it has none.
	Counter int       `json:"counter,omitempty"`
	Commit  string    `json:"commit"`
	Time    time.Time `json:"time"`
	Message string    `json:"message,omitempty"`
}

// before orders events as GTO does, by the tag's time (whole seconds); tags
// of the same second are ordered by their counter, which grows with each tag.
func (e *Event) before(o *Event) bool {
	return cmp.Or(e.Time.Compare(o.Time), cmp.Compare(e.Counter, o.Counter)) < 0
}

// Version is a version of a model.
type Version struct {
	Version string    `json:"version"`
	Commit  string    `json:"commit"`
	Created time.Time `json:"created_at"`
	// Tag is the registration tag, "" for a commit only assigned to a stage.
	Tag string `json:"tag,omitempty"`
	// Registered is false for a commit that was assigned without a
	// registration; such a version is named by its commit id.
	Registered bool `json:"registered"`
	// Active is false once the version was deregistered.
	Active bool `json:"active"`
	// Verdict is the gates' verdict (passed, failed) the registration tag
	// carries, "" when it says none.
	Verdict string `json:"verdict,omitempty"`
	// Stages are the stages the version holds, sorted by name.
	Stages []string `json:"stages"`

	direct []*Event            // registrations and deregistrations
	stages map[string][]*Event // assignments and unassignments by stage
}

// assignment returns the version's assignment to stage while it is in
// force (its latest event there is an assignment), else nil.
func (v *Version) assignment(stage string) *Event {
	events := v.stages[stage]
	if len(events) == 0 || events[len(events)-1].Action != ActionAssign {
		return nil
	}
	return events[len(events)-1]
}

// Model is a model in the registry.
type Model struct {
	Name string `json:"name"`
	// Latest is the greatest active registered version, "" when none.
	Latest     string `json:"latest,omitempty"`
	Deprecated bool   `json:"deprecated,omitempty"`
	// Versions are newest first: registered versions by semantic version,
	// then the commits only assigned, newest first.
	Versions []*Version `json:"versions"`
	// Stages maps each stage to the version it holds.
	Stages map[string]string `json:"stages"`
	// Problems are tags of the model that GTO would not read; writing to the
	// model is refused until they are fixed.
	Problems []Warning `json:"problems,omitempty"`

	events []*Event // every event of the model, oldest first
	holder map[string]*Version
}

// Version returns the version named v, or nil.
func (m *Model) Version(v string) *Version {
	for _, ver := range m.Versions {
		if ver.Version == v {
			return ver
		}
	}
	return nil
}

// VersionAt returns the active version registered at commit, or nil.
func (m *Model) VersionAt(commit string) *Version {
	for _, v := range m.Versions {
		if v.Commit == commit && v.Active && v.Registered {
			return v
		}
	}
	return nil
}

// Holder returns the version stage holds, or nil. As GTO shows it, a stage
// holds the active version whose assignment to it is the most recent one
// still in force.
func (m *Model) Holder(stage string) *Version { return m.holder[stage] }

// Since returns when v entered stage (its assignment in force), and false
// when v is not in stage.
func (m *Model) Since(v *Version, stage string) (time.Time, bool) {
	a := v.assignment(stage)
	if a == nil {
		return time.Time{}, false
	}
	return a.Time, true
}

// Previous returns the version stage held before its holder's current
// assignment: the latest earlier assignment to stage of another version
// that is still active. It is nil when there is none.
func (m *Model) Previous(stage string) *Version {
	h := m.holder[stage]
	if h == nil {
		return nil
	}
	current := h.assignment(stage)
	for i := len(m.events) - 1; i >= 0; i-- {
		e := m.events[i]
		if e.Action != ActionAssign || e.Stage != stage || !e.before(current) ||
			e.Version == h.Version {
			continue
		}
		if v := m.Version(e.Version); v != nil && v.Active {
			return v
		}
	}
	return nil
}

// History returns the model's events, oldest first.
func (m *Model) History() []*Event { return slices.Clone(m.events) }

// Warning is a tag that the registry cannot read as its author meant.
type Warning struct {
	Tag     string `json:"tag"`
	Model   string `json:"model,omitempty"`
	Message string `json:"message"`
}

// Registry is every model's versions and stages at one moment.
type Registry struct {
	Models   []*Model  `json:"models"`
	Warnings []Warning `json:"warnings,omitempty"`

	tags     map[string]bool
	counters map[string]int
}

// Model returns the model called name, or nil.
func (r *Registry) Model(name string) *Model {
	for _, m := range r.Models {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// problems returns the warnings about model's tags.
func (r *Registry) problems(model string) []Warning {
	var out []Warning
	for _, w := range r.Warnings {
		if w.Model == model {
			out = append(out, w)
		}
	}
	return out
}

// HasTag reports whether a tag of that name exists, registry tag or not.
func (r *Registry) HasTag(name string) bool { return r.tags[name] }

// NextCounter returns the counter of model's next assignment: one more than
// the highest counter of any of its tags, lightweight ones included, as GTO
// counts.
func (r *Registry) NextCounter(model string) int { return r.counters[model] + 1 }

// NextVersion returns the number of model's next version: the greatest
// registered version (deregistered ones included, so that a number is
// never reused) bumped by kind (major, minor or patch; minor when "").
// The first version is v0.0.0 bumped, v0.1.0 by default.
func (r *Registry) NextVersion(model, kind string) (string, error) {
	var top semver
	if m := r.Model(model); m != nil {
		for _, v := range m.Versions {
			if s, ok := parseSemver(v.Version); ok && v.Registered && compareSemver(s, top) > 0 {
				top = s
			}
		}
	}
	next, err := bump(top, kind)
	if err != nil {
		return "", exit.With(exit.Usage, err)
	}
	return next, nil
}

// versionNames lists a model's active versions for messages.
func versionNames(m *Model) string {
	var names []string
	for _, v := range m.Versions {
		if v.Active && v.Registered {
			names = append(names, v.Version)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
