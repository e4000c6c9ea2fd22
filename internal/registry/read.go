package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mlci-dev/mlci/internal/git"
)

// Read reads the registry from the repository's tags in one `git
// for-each-ref` pass. Tags in GTO's grammar become events, applied as GTO
// applies them: registrations and deregistrations first, then assignments
// and unassignments, each in time order. A lightweight tag in GTO's
// grammar, which GTO ignores, is a warning; so is a tag outside the
// grammar that looks meant for the registry.
//
// TODO: GTO's .gto file (allowed stages and types) and its artifacts.yaml
// annotations are not read; mlci takes stages and paths from mlci.yaml.
func Read(ctx context.Context, repo git.Repo) (*Registry, error) {
	refs, err := repo.Tags(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("reading the model registry: %w", err)
	}
	b := newBuilder(len(refs))
	for _, ref := range refs {
		b.add(ref)
	}
	return b.finish(), nil
}

// builder gathers events by model before they are applied.
type builder struct {
	reg     *Registry
	models  map[string]*Model
	events  []*Event
	unknown []string // tags outside the grammar
}

func newBuilder(n int) *builder {
	return &builder{
		reg:    &Registry{tags: make(map[string]bool, n), counters: map[string]int{}},
		models: map[string]*Model{},
	}
}

// add reads one tag.
func (b *builder) add(ref git.Ref) {
	name := ref.Short()
	b.reg.tags[name] = true
	p, ok := parseTag(name)
	if !ok {
		b.unknown = append(b.unknown, name)
		return
	}
	b.reg.counters[p.model] = max(b.reg.counters[p.model], p.counter)
	if ref.Type != "tag" {
		b.warn(name, p.model, "a lightweight tag; GTO and mlci read only annotated tags: "+
			"recreate it with git tag --annotate, or delete it")
		return
	}
	b.model(p.model)
	b.events = append(b.events, &Event{Action: p.action, Tag: name, Model: p.model,
		Version: p.version, Stage: p.stage, Counter: p.counter, Commit: ref.Commit,
		Time: ref.Date, Message: strings.TrimSpace(ref.Message)})
}

func (b *builder) model(name string) *Model {
	m, ok := b.models[name]
	if !ok {
		m = &Model{Name: name, Stages: map[string]string{}, holder: map[string]*Version{}}
		b.models[name] = m
	}
	return m
}

func (b *builder) warn(tag, model, msg string) {
	b.reg.Warnings = append(b.reg.Warnings, Warning{Tag: tag, Model: model, Message: msg})
}

// finish applies the events and resolves every model's stages.
func (b *builder) finish() *Registry {
	slices.SortStableFunc(b.events, func(x, y *Event) int {
		if x.before(y) {
			return -1
		}
		if y.before(x) {
			return 1
		}
		return 0
	})
	for _, e := range b.events {
		if e.Action == ActionRegister || e.Action == ActionDeregister {
			b.applyVersion(e)
		}
	}
	for _, e := range b.events {
		if e.Action == ActionAssign || e.Action == ActionUnassign {
			b.applyStage(e)
		}
	}
	for _, e := range b.events {
		m := b.models[e.Model]
		m.events = append(m.events, e)
	}

	b.reportUnknown()
	for _, w := range b.reg.Warnings {
		if m, ok := b.models[w.Model]; ok {
			m.Problems = append(m.Problems, w)
		}
	}
	for _, m := range b.models {
		resolve(m)
		b.reg.Models = append(b.reg.Models, m)
	}
	slices.SortFunc(b.reg.Models, func(x, y *Model) int { return strings.Compare(x.Name, y.Name) })
	return b.reg
}

// applyVersion applies a registration or deregistration to the version of
// that name at that commit.
func (b *builder) applyVersion(e *Event) {
	m := b.models[e.Model]
	var v *Version
	for _, ver := range m.Versions {
		if ver.Version == e.Version && ver.Commit == e.Commit {
			v = ver
		}
	}
	if v == nil {
		v = &Version{Version: e.Version, Commit: e.Commit, Created: e.Time,
			stages: map[string][]*Event{}}
		m.Versions = append(m.Versions, v)
	}
	v.direct = append(v.direct, e)
	if e.Action == ActionRegister && !v.Registered {
		v.Registered, v.Tag, v.Created = true, e.Tag, e.Time
		v.Verdict = verdictIn(e.Message)
	}
}

// applyStage applies an assignment or unassignment to the version at the
// tag's commit; a commit without one becomes a version named by its id.
func (b *builder) applyStage(e *Event) {
	m := b.models[e.Model]
	var v *Version
	for _, ver := range m.Versions {
		if ver.Commit == e.Commit && (v == nil || active(ver) && !active(v)) {
			v = ver
		}
	}
	if v == nil {
		v = &Version{Version: e.Commit, Commit: e.Commit, Created: e.Time,
			stages: map[string][]*Event{}}
		m.Versions = append(m.Versions, v)
	}
	e.Version = v.Version
	v.stages[e.Stage] = append(v.stages[e.Stage], e)
}

// active reports whether v's latest registration event is a registration;
// a version known only from assignments is active.
func active(v *Version) bool {
	return len(v.direct) == 0 || v.direct[len(v.direct)-1].Action == ActionRegister
}

// reportUnknown warns about tags outside the grammar that look meant for
// the registry.
func (b *builder) reportUnknown() {
	known := make(map[string]bool, len(b.models))
	for name := range b.models {
		known[name] = true
	}
	for _, tag := range b.unknown {
		if !looksLikeOurs(tag, known) {
			continue
		}
		model, _, _ := strings.Cut(strings.ReplaceAll(tag, "=", ":"), "@")
		model, _, _ = strings.Cut(model, "#")
		b.warn(tag, model, "not in GTO's tag format, so GTO and mlci ignore it: "+diagnose(tag))
	}
}

// resolve works out a model's active versions, its latest version, the
// version each stage holds, and whether it is deprecated.
func resolve(m *Model) {
	for _, v := range m.Versions {
		v.Active = active(v)
	}
	if n := len(m.events); n > 0 {
		m.Deprecated = m.events[n-1].Action == ActionDeprecate
	}

	var latest semver
	for _, v := range m.Versions {
		if s, ok := parseSemver(v.Version); ok && v.Active && v.Registered &&
			(m.Latest == "" || compareSemver(s, latest) > 0) {
			m.Latest, latest = v.Version, s
		}
	}

	for _, v := range m.Versions {
		if !v.Active {
			continue
		}
		for stage := range v.stages {
			a := v.assignment(stage)
			if a == nil {
				continue
			}
			if h := m.holder[stage]; h == nil || h.assignment(stage).before(a) {
				m.holder[stage] = v
			}
		}
	}
	for stage, v := range m.holder {
		m.Stages[stage] = v.Version
		v.Stages = append(v.Stages, stage)
	}
	for _, v := range m.Versions {
		slices.Sort(v.Stages)
		if v.Stages == nil {
			v.Stages = []string{}
		}
	}
	sortVersions(m.Versions)
}

// sortVersions puts semantic versions first, greatest first, then the
// versions named by a commit, newest first.
func sortVersions(vs []*Version) {
	type key struct {
		s  semver
		ok bool
	}
	keys := make(map[*Version]key, len(vs))
	for _, v := range vs {
		s, ok := parseSemver(v.Version)
		keys[v] = key{s, ok}
	}
	slices.SortStableFunc(vs, func(a, b *Version) int {
		ka, kb := keys[a], keys[b]
		switch {
		case ka.ok && kb.ok:
			return compareSemver(kb.s, ka.s)
		case ka.ok:
			return -1
		case kb.ok:
			return 1
		}
		return b.Created.Compare(a.Created)
	})
}
